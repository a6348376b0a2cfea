#!/usr/bin/env bash
# Fetches the GraphiQL playground's assets from the npm registry into assets/ (committed; the
# binary embeds them, so the playground works offline). Run it to check or to refresh them:
#   internal/playground/fetch-assets.sh
# The versions are pinned and the files' SHA-256 checked, so a run gives the same bytes.
# GraphiQL 4.x is the last line with a browser (UMD) build, and it needs React 18 (React 19
# ships no UMD build). To move on, change the versions AND the checksums below together.
set -euo pipefail
cd "$(dirname "$0")"

GRAPHIQL=4.1.2
REACT=18.2.0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null)

extract() { # tarball, path inside it, destination
  tar -xzf "$tmp/$1" -C "$tmp" "package/$2"
  cp "$tmp/package/$2" "assets/$3"
  rm -rf "$tmp/package"
}
extract "graphiql-$GRAPHIQL.tgz" graphiql.min.js graphiql.min.js
extract "graphiql-$GRAPHIQL.tgz" graphiql.min.css graphiql.min.css
extract "graphiql-$GRAPHIQL.tgz" LICENSE LICENSE.graphiql
extract "react-$REACT.tgz" umd/react.production.min.js react.production.min.js
extract "react-$REACT.tgz" LICENSE LICENSE.react
extract "react-dom-$REACT.tgz" umd/react-dom.production.min.js react-dom.production.min.js
# react-dom's LICENSE is react's, word for word: LICENSE.react covers both.

sha256sum -c <<'SUMS'
4b18fbe55c4e8f9169cb702be138f4d858a2dad920c39857204ffdc9c1c9fdc4  assets/LICENSE.graphiql
52412d7bc7ce4157ea628bbaacb8829e0a9cb3c58f57f99176126bc8cf2bfc85  assets/LICENSE.react
30487e07635d312a63f647b140d37740a73c53332b0975bf4b1fe985ca6ec885  assets/graphiql.min.css
867226ba8af5ce7949903fc53932f78dac9f4bfc6cc8da0fd3869b8bc6c5256b  assets/graphiql.min.js
21758ed084cd0e37e735722ee4f3957ea960628a29dfa6c3ce1a1d47a2d6e4f7  assets/react-dom.production.min.js
4b4969fa4ef3594324da2c6d78ce8766fbbc2fd121fff395aedf997db0a99a06  assets/react.production.min.js
SUMS
