package config

import (
	_ "embed"
	"fmt"
	"strings"
)

// Type is the value type of an option, spelled as in Liquid's options.json.
type Type string

const (
	String      Type = "string"
	Number      Type = "number" // a whole number
	Boolean     Type = "boolean"
	StringArray Type = "stringArray" // comma-separated in the environment
)

// Option describes one setting: how it is named, where it is read from and its default.
type Option struct {
	// Name is the Liquid option name, which is also the key in the JSON config file.
	// usergraph's own options are named "usergraph.*".
	Name        string
	Env         string // environment variable
	Type        Type
	Default     string // as text, the way an environment variable would hold it
	Description string
	New         bool // usergraph-only: not a Liquid option
}

// liquidOptionsTSV is Liquid's option registry (name, env, type, default, description),
// copied from its options.json. Embedding it keeps variable names and defaults exactly Liquid's.
//
//go:embed liquid-options.tsv
var liquidOptionsTSV string

// liquidOptions holds every Liquid option by name, parsed once at init.
var liquidOptions = mustParseRegistry(liquidOptionsTSV)

func mustParseRegistry(tsv string) map[string]Option {
	opts, err := parseRegistry(tsv)
	if err != nil {
		panic(err)
	}
	return opts
}

func parseRegistry(tsv string) (map[string]Option, error) {
	lines := strings.Split(strings.TrimRight(tsv, "\n"), "\n")
	if len(lines) == 0 || lines[0] != "name\tenv\ttype\tdefault\tdescription" {
		return nil, fmt.Errorf("config: liquid-options.tsv: unexpected header")
	}
	opts := make(map[string]Option, len(lines))
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			return nil, fmt.Errorf("config: liquid-options.tsv line %d: %d columns, want 5", i+2, len(f))
		}
		t := Type(f[2])
		switch t {
		case String, Number, Boolean, StringArray:
		case "nummber": // a typo in Liquid's options.json
			t = Number
		default:
			return nil, fmt.Errorf("config: liquid-options.tsv line %d: unknown type %q", i+2, f[2])
		}
		if f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("config: liquid-options.tsv line %d: empty name or env", i+2)
		}
		if _, dup := opts[f[0]]; dup {
			return nil, fmt.Errorf("config: liquid-options.tsv line %d: duplicate option %q", i+2, f[0])
		}
		opts[f[0]] = Option{Name: f[0], Env: f[1], Type: t, Default: f[3], Description: f[4]}
	}
	return opts, nil
}

// newOptions are usergraph's own settings, which Liquid does not have.
var newOptions = map[string]Option{
	"usergraph.addr": {Env: "ADDR", Type: String,
		Description: "Address to listen on (host:port). Empty: \":\" followed by system.app-port."},
	"usergraph.database-url": {Env: "DATABASE_URL", Type: String, Default: "file:usergraph.db",
		Description: "Database: a SQLite file URL, or postgres:// / postgresql:// for PostgreSQL."},
	"usergraph.token-signing-key": {Env: "TOKEN_SIGNING_KEY", Type: String,
		Description: "HMAC key (at least 32 bytes) for access tokens. Empty: a random key per start, so tokens do not survive a restart."},
	"usergraph.smtp-url": {Env: "SMTP_URL", Type: String,
		Description: "Outgoing mail server, smtp://user:pass@host:port or smtps://... Empty: built from NODEMAILER_* when NODEMAILER_HOST is set, otherwise mail goes to the log."},
	"usergraph.graphql-introspection": {Env: "GRAPHQL_INTROSPECTION", Type: Boolean, Default: "true",
		Description: "Answer GraphQL introspection queries (the playground needs them). Switch off to hide the schema in production."},
	"usergraph.graphql-max-depth": {Env: "GRAPHQL_MAX_DEPTH", Type: Number, Default: "12",
		Description: "Deepest selection nesting a GraphQL operation may have (QUERY_TOO_DEEP). Fragments count where they are spread; introspection does not count."},
	"usergraph.graphql-max-complexity": {Env: "GRAPHQL_MAX_COMPLEXITY", Type: Number, Default: "20000",
		Description: "Highest cost a GraphQL operation may have (QUERY_TOO_COMPLEX): each field costs 1, and a list's selections are multiplied by its page size (first, last, limit; the default page size when absent) or by the length of its list argument (nodes(ids:))."},
	"usergraph.graphql-max-page-size": {Env: "GRAPHQL_MAX_PAGE_SIZE", Type: Number, Default: "100",
		Description: "Largest first, last or limit a GraphQL list may ask for (PAGE_SIZE_TOO_LARGE). PAGINATION_MAX_LIMIT still applies below it."},
	"usergraph.graphql-max-list-length": {Env: "GRAPHQL_MAX_LIST_LENGTH", Type: Number, Default: "100",
		Description: "Most items a list argument or input list of a GraphQL operation may hold, e.g. nodes(ids:) or adminCreateUsers(input:) (TOO_MANY_ITEMS)."},
	"usergraph.graphql-max-input-depth": {Env: "GRAPHQL_MAX_INPUT_DEPTH", Type: Number, Default: "16",
		Description: "Deepest nesting of objects in one GraphQL argument, such as a users where filter or a searchUsers query (INPUT_TOO_DEEP)."},
	"usergraph.graphql-max-tokens": {Env: "GRAPHQL_MAX_TOKENS", Type: Number, Default: "2000",
		Description: "Most lexical tokens (names, punctuation, values) a GraphQL document may have; longer documents are refused before validation (QUERY_TOO_LARGE)."},
	"usergraph.graphql-max-duplicate-fields": {Env: "GRAPHQL_MAX_DUPLICATE_FIELDS", Type: Number, Default: "50",
		Description: "Most fields with the same response name one GraphQL selection set may repeat, inline fragments included (QUERY_TOO_COMPLEX). Checking that repeated fields agree takes time quadratic in their number."},
	"usergraph.graphql-max-body-bytes": {Env: "GRAPHQL_MAX_BODY_BYTES", Type: Number, Default: "1048576",
		Description: "Largest /graphql request body, or GET query string, in bytes (HTTP 413, REQUEST_TOO_LARGE)."},
	"usergraph.graphql-timeout": {Env: "GRAPHQL_TIMEOUT", Type: Number, Default: "15",
		Description: "Seconds one GraphQL request may run; then its database work is cancelled and unfinished fields fail with TIMEOUT."},
	"usergraph.database-max-open-conns": {Env: "DATABASE_MAX_OPEN_CONNS", Type: Number, Default: "20",
		Description: "Most database connections open at once."},
	"usergraph.database-max-idle-conns": {Env: "DATABASE_MAX_IDLE_CONNS", Type: Number,
		Description: "Most idle database connections kept. Empty: as many as DATABASE_MAX_OPEN_CONNS (fewer costs throughput under load: each new connection is a handshake)."},
	"usergraph.database-conn-max-lifetime": {Env: "DATABASE_CONN_MAX_LIFETIME", Type: Number, Default: "0",
		Description: "Seconds after which a database connection is closed and replaced, e.g. to follow a failover behind a proxy. 0: connections are kept until they fail."},
	"usergraph.password-hash-concurrency": {Env: "PASSWORD_HASH_CONCURRENCY", Type: Number,
		Description: "Most password hashes (bcrypt, for logins, sign-ups and password changes) run at once; each takes a core for tens of milliseconds. Empty: the number of cores less one (at least 1), so hashing never takes every core from other requests."},
	"usergraph.password-hash-queue": {Env: "PASSWORD_HASH_QUEUE", Type: Number, Default: "64",
		Description: "Most password hashes waiting for a free slot; past that a request is refused at once with 503 ServiceUnavailable and Retry-After: 1. 0: none wait."},
	"usergraph.metrics-token": {Env: "METRICS_TOKEN", Type: String,
		Description: "Bearer token that GET /metrics on the main address requires (at least 16 bytes). Empty: /metrics is not served on the main address."},
	"usergraph.metrics-addr": {Env: "METRICS_ADDR", Type: String,
		Description: "Second listen address (host:port, e.g. 127.0.0.1:9464) serving /metrics, /livez and /readyz without authentication, for a private network. Empty: none."},
	"usergraph.trusted-proxy-hops": {Env: "TRUSTED_PROXY_HOPS", Type: Number,
		Description: "How many reverse proxies stand in front of the server, each appending one X-Forwarded-For entry: the client is that many entries from the right, and entries further left (which the client can forge) are ignored. Empty: 1 when SYSTEM_REVERSE_PROXY_MODE is true, otherwise 0 (X-Forwarded-For is ignored)."},
	"usergraph.trusted-proxy-networks": {Env: "TRUSTED_PROXY_NETWORKS", Type: StringArray,
		Description: "Networks of the trusted reverse proxies (comma-separated CIDRs or addresses, e.g. 10.0.0.0/8,192.168.1.5). When set it wins over TRUSTED_PROXY_HOPS: X-Forwarded-For counts only on connections from these networks, and the client is its rightmost entry outside them."},
	"usergraph.account-rate-limit.max-attempts": {Env: "ACCOUNT_RATE_LIMIT_MAX_ATTEMPTS", Type: Number, Default: "20",
		Description: "Login, 2FA, verification and reset attempts one account takes per ACCOUNT_RATE_LIMIT_WINDOW_SIZE from all addresses together (counted per username or email as typed, or per user id for codes). Past it, addresses the account has not signed in from get 429 RateLimitError, while the owner's known addresses still get through. 0: no per-account limit."},
	"usergraph.account-rate-limit.window-size": {Env: "ACCOUNT_RATE_LIMIT_WINDOW_SIZE", Type: Number, Default: "900",
		Description: "Window (in seconds) of ACCOUNT_RATE_LIMIT_MAX_ATTEMPTS."},
	"usergraph.field-privacy.follower-visible-fields": {Env: "USER_FIELD_PRIVACY_FOLLOWER_VISIBLE_FIELDS", Type: StringArray,
		Description: "Private user fields (email, sanitizedEmail, phone, phoneCountryCode, secondaryEmail, secondaryPhone, secondaryPhoneCountryCode, credits, customData) an approved follower may see. Empty: only the account itself and admins/clients see them."},
	"usergraph.redis-url": {Env: "REDIS_URL", Type: String,
		Description: "Redis, redis://user:pass@host:port/db or rediss://... When set it wins over REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD and REDIS_DB."},
}

// overrides replace Liquid's default (and the description that states it) where usergraph
// deliberately differs.
var overrides = map[string]Option{
	"system.app-name": {Default: "usergraph",
		Description: "Name of the application, used in mails."},
	"system.default-client.is-public": {Default: "false",
		Description: "Specifies if the bootstrapped default client is a public client (SPAs, mobile apps). Liquid defaults to true; usergraph to false."},
	// Believing the leftmost X-Forwarded-For entry, which the client writes, defeats per-address limits.
	"system.reverse-proxy-mode": {Default: "false",
		Description: "Specifies if Liquid is sitting behind a reverse proxy like nginx. In usergraph it means one trusted proxy (TRUSTED_PROXY_HOPS defaults to 1): the client address is the rightmost X-Forwarded-For entry, never the leftmost, which the client writes itself."},
	// Liquid's own description of this option is a copy of the password's.
	"redis.db": {Default: "0", Description: "Redis database number."},
	// Liquid ships a fixed all-zero UUID, which anyone can use to forge cookies.
	"cookie.session-secret": {Default: "",
		Description: "Secret for session cookies. Liquid's default is a fixed all-zero UUID; usergraph's is empty, meaning the server picks a random one at start."},
}

// supportedNames lists, grouped like Config, every option Load reads. Supported derives
// the documentation from it, and the tests check Load reads exactly these.
var supportedNames = []string{
	// server
	"usergraph.addr", "system.app-port", "system.app-host", "system.reverse-proxy-mode",
	"usergraph.trusted-proxy-hops", "usergraph.trusted-proxy-networks",
	"system.log-level", "system.service.app-config-file-path",
	"usergraph.database-url", "usergraph.token-signing-key",
	"usergraph.graphql-introspection", "usergraph.graphql-max-depth", "usergraph.graphql-max-complexity",
	"usergraph.graphql-max-page-size", "usergraph.graphql-max-list-length", "usergraph.graphql-max-input-depth",
	"usergraph.graphql-max-tokens", "usergraph.graphql-max-duplicate-fields", "usergraph.graphql-max-body-bytes",
	"usergraph.graphql-timeout",
	"usergraph.database-max-open-conns", "usergraph.database-max-idle-conns", "usergraph.database-conn-max-lifetime",
	"usergraph.metrics-token", "usergraph.metrics-addr",
	"usergraph.password-hash-concurrency", "usergraph.password-hash-queue",
	// mail
	"usergraph.smtp-url", "nodemailer.host", "nodemailer.port", "nodemailer.secure",
	"nodemailer.username", "nodemailer.password", "email.outbound-address", "system.app-name",
	// bootstrap
	"system.super-admin.username", "system.super-admin.password", "system.super-admin.first-name",
	"system.super-admin.last-name", "system.super-admin.email",
	"system.default-client.id", "system.default-client.secret", "system.default-client.display-name",
	"system.default-client.redirect-uris", "system.default-client.is-public",
	// cookie
	"cookie.session-secret", "cookie.domain", "cookie.max-age", "cookie.secure",
	// oauth
	"oauth.authorization-code-lifetime", "oauth.access-token-lifetime", "oauth.refresh-token-lifetime",
	"oauth.authorization.enable-redirect", "oauth.authorization.require-pkce",
	// privilege
	"privilege.can-create-account", "privilege.can-use-follow-apis", "privilege.can-use-phone-number",
	"privilege.can-use-delegated-user-search-api", "privilege.can-use-admin-user-search-api",
	"privilege.can-use-profile-picture-apis", "privilege.can-use-cache",
	"privilege.can-use-credit-transaction-history", "privilege.can-reset-password",
	// account creation
	"user.account-creation.require-email-verification", "user.account-creation.enable-invite-only",
	"user.account-creation.force-generate-invite-codes", "user.account-creation.invites-per-person",
	"user.account-creation.invite-code-availability-window",
	"user.account-creation.allow-only-whitelisted-email-domains",
	"user.account-creation.whitelisted-email-domains", "user.account-creation.sanitize-gmail-addresses",
	"user.account-creation.enable-ip-based-throttle", "user.account-creation.ip-based-throttle.window-size",
	"user.account-creation.initial-credit-count", "user.account-creation.default-scope",
	"user.account-creation.custom-data.default-value", "user.account-creation.preserve-unverified-user-id",
	"user.account-creation.verificaton-code-lifetime",
	"invite-only.code-generation.max-limit-per-request",
	// profile
	"user.profile.username-validation-regex", "user.profile.name-validation-regex",
	"user.profile.password-validation-regex", "user.profile.editable-fields",
	"admin-api.user.profile.editable-fields", "client-api.user.profile.editable-fields",
	"user.profile.update.require-current-password", "user.profile.update.protected-fields",
	"user.profile.custom-data.hydrate-in-delegated-mode", "user.profile.custom-data.hydrate-in-self-retrieval",
	"user.field-privacy.non-follower.hidden-fields", "usergraph.field-privacy.follower-visible-fields", "admin-api.user.profile.can-edit-peer-data",
	"user.profile-picture.max-file-size", "user.profile-picture.signed-url.expiry",
	// login and 2FA
	"user.login.require-user-agent", "user.login.record-successful-attempts",
	"user.login.record-failed-attempts", "user.login.history-record-expires-in",
	"2fa.email.enabled", "2fa.email.enforce",
	// search
	"user.search.search-fields", "user.search.strict-match-fields",
	"privilege.user.search.can-use-id", "privilege.user.search.can-use-fullname",
	"user.search-results.limit", "user.search-results.cache-lifetime",
	"admin-api.user.search.search-fields", "admin-api.user.search.strict-match-fields",
	"admin-api.privilege.user.search.can-use-id", "admin-api.privilege.user.search.can-use-fullname",
	"admin-api.user.search-results.limit", "admin-api.user.search-results.cache-lifetime",
	"client-api.user.search.search-fields", "client-api.user.search.strict-match-fields",
	"client-api.privilege.user.search.can-use-id", "client-api.privilege.user.search.can-use-fullname",
	"client-api.user.search-results.limit", "client-api.user.search-results.cache-lifetime",
	// limits, roles, subscriptions
	"pagination.default-limit", "pagination.max-limit", "get-user-max-items",
	"user.subscription.tier-list", "user.subscription.base-tier",
	"system.role.default", "client.id-validation-regex", "system.roles.scan-interval",
	"system.scope-extension-file-path",
	"system.rate-limit.window-size", "system.rate-limit.light-api-max-limit",
	"system.rate-limit.medium-api-max-limit", "system.rate-limit.heavy-api-max-limit",
	"system.rate-limit.extreme-api-max-limit", "system.rate-limit.count-by-route",
	"usergraph.account-rate-limit.max-attempts", "usergraph.account-rate-limit.window-size",
	// redis, cors
	"usergraph.redis-url", "redis.host", "redis.port", "redis.username", "redis.password",
	"redis.db", "redis.key-prefix",
	"cors.allowed-origins",
}

// supportedByName resolves supportedNames. A name found neither among Liquid's options nor
// usergraph's is kept with an empty Env, which the tests report and Load refuses.
var supported, supportedByName = resolveSupported()

func resolveSupported() ([]Option, map[string]Option) {
	list := make([]Option, 0, len(supportedNames))
	byName := make(map[string]Option, len(supportedNames))
	for _, name := range supportedNames {
		o, ok := liquidOptions[name]
		if n, isNew := newOptions[name]; isNew {
			o, ok = n, true
			o.New = true
		}
		o.Name = name
		if ov, has := overrides[name]; ok && has {
			o.Default, o.Description = ov.Default, ov.Description
		}
		list = append(list, o)
		byName[name] = o
	}
	return list, byName
}

// Supported returns the options usergraph reads, in a stable order grouped by topic, with
// usergraph's defaults; the README's settings table is generated from it.
func Supported() []Option {
	return append([]Option(nil), supported...)
}
