// usergraph's GraphiQL page. Everything it loads is served by the server itself (the page's
// Content-Security-Policy allows nothing else), so it works without internet access.
(function () {
  'use strict';
  var endpoint = document.currentScript.dataset.endpoint;

  // Headers hold the bearer token, so they are kept in localStorage only when the user turns
  // "Persist headers" on in GraphiQL's Settings dialog. GraphiQL records that choice under
  // graphiql:shouldPersistHeaders; passing it back as shouldPersistHeaders makes it survive a
  // reload, and without it GraphiQL starts with persistence off and wipes the headers of its
  // saved tabs. GraphiQL's
  // history (and favourites) saves every query's headers whatever the choice, so the storage
  // below strips them from history unless the user asked for persistence.
  var PERSIST = 'graphiql:shouldPersistHeaders';
  var HISTORY = ['graphiql:queries', 'graphiql:favorites'];

  function available() {
    try {
      return !!window.localStorage;
    } catch (e) {
      return false; // storage disabled: GraphiQL then keeps everything in memory
    }
  }
  function persisting() {
    return window.localStorage.getItem(PERSIST) === 'true';
  }
  // withoutHeaders returns a history value with no headers, or null when it cannot be read.
  function withoutHeaders(value) {
    try {
      var v = JSON.parse(value);
      if (v && Array.isArray(v.queries)) {
        v.queries.forEach(function (q) { delete q.headers; });
      }
      return JSON.stringify(v);
    } catch (e) {
      return null;
    }
  }
  function scrubHistory() {
    HISTORY.forEach(function (key) {
      var v = window.localStorage.getItem(key);
      if (v === null) return;
      var clean = withoutHeaders(v);
      if (clean === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, clean);
    });
  }

  var storage = null;
  var persistHeaders = false;
  if (available()) {
    persistHeaders = persisting();
    if (!persistHeaders) scrubHistory();
    storage = {
      getItem: function (key) { return window.localStorage.getItem(key); },
      setItem: function (key, value) {
        if (HISTORY.indexOf(key) >= 0 && !persisting()) {
          value = withoutHeaders(value);
          if (value === null) return;
        }
        window.localStorage.setItem(key, value);
        if (key === PERSIST && value !== 'true') scrubHistory();
      },
      removeItem: function (key) { window.localStorage.removeItem(key); },
      clear: function () {
        Object.keys(window.localStorage).forEach(function (key) {
          if (key.indexOf('graphiql:') === 0) window.localStorage.removeItem(key);
        });
      },
      key: function (i) { return window.localStorage.key(i); },
      get length() { return window.localStorage.length; }
    };
  }

  var defaultQuery = [
    '# usergraph GraphQL playground',
    '#',
    '# Log in with the mutation below, then open Headers (bottom) and put',
    '#   { "Authorization": "Bearer <accessToken>" }',
    '# Headers are forgotten when you close the page, unless you turn on',
    '# Settings (gear, bottom left) > Persist headers.',
    '',
    'mutation LogIn {',
    '  login(input: {username: "alice", password: "correct-horse-1"}) {',
    '    accessToken',
    '    user { id username }',
    '  }',
    '}',
    '',
    'query Me {',
    '  me { id username email }',
    '}',
    ''
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: new URL(endpoint, window.location.href).toString() });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: defaultQuery,
    isHeadersEditorEnabled: true,
    // true, or left out: GraphiQL hides its "Persist headers" toggle when given false.
    shouldPersistHeaders: persistHeaders ? true : undefined,
    storage: storage || undefined
  }));
})();
