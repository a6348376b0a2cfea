// Package config reads every setting of the server: Liquid's options, under Liquid's
// environment variable names and defaults (liquid-options.tsv), plus usergraph's own
// (ADDR, DATABASE_URL, SMTP_URL, TOKEN_SIGNING_KEY, REDIS_URL).
//
// As in Liquid, an option comes from the JSON file named by SYSTEM_SERVICE_APP_CONFIG_FILE_PATH
// when that file has it, otherwise from its environment variable, otherwise from its default.
package config

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"usergraph/internal/clientip"
)

// Config holds every setting, parsed and checked.
type Config struct {
	// File is the JSON config file that was read, "" if none.
	File string

	// Addr is the listen address: ADDR, or ":" + system.app-port (":2000").
	Addr string
	// DatabaseURL is DATABASE_URL: a SQLite URL (default "file:usergraph.db"), or
	// postgres:// / postgresql:// for PostgreSQL (see PostgreSQL).
	DatabaseURL string
	// TokenSecret is TOKEN_SIGNING_KEY, the HMAC key for access tokens: "" (the server then
	// generates a random key at start) or at least 32 bytes.
	TokenSecret string
	// LogLevel is system.log-level (debug, info, warn or error).
	LogLevel slog.Level
	// AppHost is the public base URL of the server (system.app-host).
	AppHost string
	// ReverseProxy trusts X-Forwarded-* headers (system.reverse-proxy-mode).
	ReverseProxy bool
	// Proxy says which X-Forwarded-For entries name the client (see internal/clientip).
	Proxy Proxy

	// Pool sizes the database connection pool.
	Pool Pool
	// Metrics says where /metrics is served.
	Metrics Metrics
	// PasswordHash bounds concurrent password hashing (internal/hashing).
	PasswordHash PasswordHash

	GraphQL       GraphQL
	Mail          Mail
	SuperAdmin    SuperAdmin
	DefaultClient DefaultClient
	Cookie        Cookie
	OAuth         OAuth
	Privilege     Privilege
	Account       Account
	// InviteCodeMaxPerRequest caps the invite codes an admin or client API call may generate
	// (invite-only.code-generation.max-limit-per-request).
	InviteCodeMaxPerRequest int
	Profile                 Profile
	ProfilePicture          ProfilePicture
	Login                   Login
	TwoFactor               TwoFactor
	Search                  Search
	Pagination              Pagination
	// GetUserMaxItems caps the users one retrieve-user-info call may ask for (get-user-max-items).
	GetUserMaxItems int
	Subscription    Subscription
	// DefaultRole is given at sign-up and after a role is deleted (system.role.default).
	DefaultRole string
	// ClientIDRegex validates OAuth client ids; case-insensitive, as in Liquid (client.id-validation-regex).
	ClientIDRegex *regexp.Regexp
	RateLimit     RateLimit
	Redis         Redis
	// RolesScanInterval is how often roles are reloaded (system.roles.scan-interval).
	RolesScanInterval time.Duration
	// ScopeExtensionFile is a JSON file of extra scopes; a missing file adds none
	// (system.scope-extension-file-path).
	ScopeExtensionFile string
	// CORSAllowedOrigins are the origins allowed cross-origin requests (cors.allowed-origins).
	CORSAllowedOrigins []string
}

// PostgreSQL reports whether DatabaseURL names a PostgreSQL database rather than SQLite.
func (c *Config) PostgreSQL() bool {
	u := strings.ToLower(c.DatabaseURL)
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Proxy is the reverse proxies trusted to append to X-Forwarded-For.
type Proxy struct {
	// Hops is TRUSTED_PROXY_HOPS: how many proxies stand in front of the server. Unset: 1 in
	// reverse-proxy mode, otherwise 0 (X-Forwarded-For ignored).
	Hops int
	// Networks is TRUSTED_PROXY_NETWORKS: the proxies' networks (CIDRs or addresses). When set
	// it wins over Hops.
	Networks []string
}

// PasswordHash bounds password hashing: Concurrency hashes at once (0: the number of cores
// less one), Queue more waiting; past that, 503 with Retry-After.
type PasswordHash struct {
	Concurrency, Queue int
}

// Pool sizes the database connection pool (database/sql).
type Pool struct {
	// MaxOpen is DATABASE_MAX_OPEN_CONNS, the most connections open at once.
	MaxOpen int
	// MaxIdle is DATABASE_MAX_IDLE_CONNS, the most idle connections kept: MaxOpen unless set.
	MaxIdle int
	// MaxLifetime is DATABASE_CONN_MAX_LIFETIME; 0 keeps connections until they fail.
	MaxLifetime time.Duration
}

// Metrics says where the Prometheus metrics are served. Both empty: nowhere (they are still
// counted, so turning them on needs only a restart).
type Metrics struct {
	// Token is METRICS_TOKEN: GET /metrics on the main address requires it as a bearer token.
	Token string
	// Addr is METRICS_ADDR: a second listener serving /metrics, /livez and /readyz openly.
	Addr string
}

// GraphQL limits what one GraphQL request may ask for (see graph/cost and graph.NewHandler).
type GraphQL struct {
	Introspection bool
	// MaxDepth bounds selection nesting.
	MaxDepth int
	// MaxComplexity bounds the cost: fields, multiplied by page sizes and list lengths.
	MaxComplexity int
	// MaxPageSize bounds first, last and limit.
	MaxPageSize int
	// MaxListLength bounds every list in arguments (nodes(ids:), input lists).
	MaxListLength int
	// MaxInputDepth bounds the object nesting of one argument (where filters, search queries).
	MaxInputDepth int
	// MaxTokens bounds the document's size in lexical tokens, checked while parsing.
	MaxTokens int
	// MaxDuplicateFields bounds how often one response name repeats in a selection set.
	MaxDuplicateFields int
	// MaxBodyBytes bounds the POST body and the GET query string.
	MaxBodyBytes int
	// Timeout bounds one request's run time.
	Timeout time.Duration
}

// Mail configures outgoing mail.
type Mail struct {
	// SMTPURL is SMTP_URL (smtp://user:pass@host:port or smtps://...), or the same built from
	// NODEMAILER_* when NODEMAILER_HOST is set. "" means no mail server: mail goes to the log.
	SMTPURL string
	// From is the sender address (email.outbound-address).
	From string
	// AppName names the service in mails (system.app-name; "usergraph" unless set).
	AppName string
}

// SuperAdmin is the account created at start when its username and email are free
// (system.super-admin.*; Liquid: only when the database has no users).
type SuperAdmin struct {
	Username, Password, FirstName, LastName, Email string
}

// DefaultClient is the OAuth client created when there are no clients (system.default-client.*).
type DefaultClient struct {
	ID, Secret, DisplayName string
	RedirectURIs            []string
	// IsPublic defaults to false in usergraph (true in Liquid): public only when set to true.
	IsPublic bool
}

// Cookie configures the session cookie (cookie.*).
type Cookie struct {
	// SessionSecret is "" unless set; the server then picks a random secret at start.
	SessionSecret string
	Domain        string
	// MaxAge in seconds; 0 makes a session cookie.
	MaxAge int
	Secure bool
}

// OAuth configures the OAuth 2 server (oauth.*).
type OAuth struct {
	AuthorizationCodeLifetime time.Duration
	AccessTokenLifetime       time.Duration
	RefreshTokenLifetime      time.Duration
	// EnableRedirect false makes /oauth/authorize answer JSON {code,state} instead of redirecting.
	EnableRedirect bool
	// RequirePKCE requires PKCE for every client (it is always required for public clients).
	RequirePKCE bool
}

// Privilege switches features on and off (privilege.*).
type Privilege struct {
	CanCreateAccount               bool // privilege.can-create-account: mounts sign-up
	CanUseFollowAPIs               bool // privilege.can-use-follow-apis
	CanUsePhoneNumber              bool // privilege.can-use-phone-number
	CanUseDelegatedSearch          bool // privilege.can-use-delegated-user-search-api
	CanUseAdminSearch              bool // privilege.can-use-admin-user-search-api
	CanUseProfilePictureAPIs       bool // privilege.can-use-profile-picture-apis
	CanUseCache                    bool // privilege.can-use-cache
	CanUseCreditTransactionHistory bool // privilege.can-use-credit-transaction-history
	CanResetPassword               bool // privilege.can-reset-password
}

// Account configures sign-up (user.account-creation.*).
type Account struct {
	RequireEmailVerification     bool
	EnableInviteOnly             bool
	ForceGenerateInviteCodes     bool
	InvitesPerPerson             int
	InviteCodeAvailabilityWindow time.Duration // after sign-up, before a user gets invite codes
	AllowOnlyWhitelistedDomains  bool
	WhitelistedDomains           []string
	SanitizeGmail                bool
	EnableIPThrottle             bool
	IPThrottleWindow             time.Duration
	InitialCredits               int
	DefaultScope                 []string
	CustomDataDefault            string // a JSON object
	PreserveUnverifiedUserID     bool
	// CodeLifetime is the lifetime of verification, 2FA and reset codes
	// (user.account-creation.verificaton-code-lifetime, sic).
	CodeLifetime time.Duration
}

// Profile configures profile validation and editing.
type Profile struct {
	UsernameRegex *regexp.Regexp // case-insensitive, as in Liquid
	NameRegex     *regexp.Regexp
	PasswordRegex *regexp.Regexp // nil when not set
	// EditableFields, AdminEditableFields and ClientEditableFields are the fields PATCH may
	// change, without the ones only dedicated operations may change (see noEditFields).
	EditableFields             []string
	AdminEditableFields        []string
	ClientEditableFields       []string
	RequireCurrentPassword     bool
	ProtectedFields            []string // need currentPassword when RequireCurrentPassword
	HydrateCustomDataDelegated bool
	HydrateCustomDataSelf      bool
	NonFollowerHiddenFields    []string
	FollowerVisibleFields      []string // private fields an approved follower may see
	// CanEditPeerData lets a role edit users of equal rank (admin-api.user.profile.can-edit-peer-data).
	CanEditPeerData bool
}

// ProfilePicture configures profile pictures (user.profile-picture.*).
type ProfilePicture struct {
	MaxFileSize     int // bytes
	SignedURLExpiry time.Duration
}

// Login configures login (user.login.*).
type Login struct {
	RequireUserAgent bool
	RecordSuccessful bool
	RecordFailed     bool
	HistoryTTL       time.Duration
}

// TwoFactor configures email 2FA (2fa.email.*).
type TwoFactor struct {
	EmailEnabled bool
	EmailEnforce bool
}

// Search holds the settings of the three user searches.
type Search struct {
	Delegated SearchMode // user.*
	Admin     SearchMode // admin-api.user.*
	Client    SearchMode // client-api.user.*
}

// SearchMode configures one user search.
type SearchMode struct {
	Fields         []string // fields the query is matched against
	StrictFields   []string // fields matched only exactly
	CanUseID       bool
	CanUseFullName bool
	Limit          int
	CacheLifetime  time.Duration
}

// Pagination bounds list sizes.
type Pagination struct {
	DefaultLimit int
	MaxLimit     int
}

// Subscription lists the subscription tiers (user.subscription.*).
type Subscription struct {
	Tiers    []string
	BaseTier string
}

// RateLimit configures per-window request limits (system.rate-limit.*).
type RateLimit struct {
	Window                        time.Duration
	Light, Medium, Heavy, Extreme int
	CountByRoute                  bool // count per IP and route rather than per IP
	// AccountMax is how many login or code attempts one account takes per AccountWindow from
	// all addresses together; past it, only addresses the account has signed in from get
	// through (0: no per-account limit).
	AccountMax    int
	AccountWindow time.Duration
}

// Redis locates the Redis server.
type Redis struct {
	// URL is REDIS_URL when set, otherwise built from the parts below; the parts are
	// always filled in, from REDIS_URL when it is set.
	URL       string
	Host      string
	Port      int
	Username  string
	Password  string
	DB        int
	TLS       bool // rediss://
	KeyPrefix string
	// Configured is true when REDIS_URL or REDIS_HOST was given, so a server without Redis
	// need not try the default 127.0.0.1:6379.
	Configured bool
}

// noEditFields may only be changed by their own operations (ban, verify, credits, ...);
// Liquid strips them from the editable-field lists at start.
var noEditFields = []string{
	"2faEnabled", "2faMedium", "isSubscribed", "subscriptionExpiry", "subscriptionTier",
	"isBanned", "bannedDate", "bannedBy", "bannedReason",
	"isRestricted", "restrictedDate", "restrictedReason", "restrictedBy",
	"verified", "verifiedDate", "verifiedBy", "profilePictureUrl", "profilePicturePath",
	"scope", "credits", "customData", "createdAt", "updatedAt",
}

func editable(fields []string) []string {
	return slices.DeleteFunc(fields, func(f string) bool { return slices.Contains(noEditFields, f) })
}

// Load reads the configuration; lookup is normally os.LookupEnv. The error lists every bad
// setting, each naming its environment variable (or the file and option name).
func Load(lookup func(key string) (string, bool)) (*Config, error) {
	c, l := load(lookup)
	if err := l.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func load(lookup func(string) (string, bool)) (*Config, *loader) {
	l := newLoader(lookup)
	// The file path itself comes from the environment only: it cannot name itself.
	if path := l.str("system.service.app-config-file-path"); path != "" {
		l.readFile(path)
	}
	c := &Config{File: l.filePath}

	port := l.number("system.app-port", 0)
	c.Addr = l.str("usergraph.addr")
	if c.Addr == "" {
		c.Addr = ":" + strconv.Itoa(port)
	} else if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		l.fail("%s: %q is not host:port: %v", l.where("usergraph.addr"), c.Addr, err)
	}
	if port > 65535 {
		l.fail("%s: %d is not a port number", l.where("system.app-port"), port)
	}
	c.DatabaseURL = l.str("usergraph.database-url")
	if c.DatabaseURL == "" {
		l.fail("%s: must not be empty", l.where("usergraph.database-url"))
	}
	c.TokenSecret = l.str("usergraph.token-signing-key")
	c.GraphQL = GraphQL{
		Introspection:      l.boolean("usergraph.graphql-introspection"),
		MaxDepth:           l.number("usergraph.graphql-max-depth", 1),
		MaxComplexity:      l.number("usergraph.graphql-max-complexity", 1),
		MaxPageSize:        l.number("usergraph.graphql-max-page-size", 1),
		MaxListLength:      l.number("usergraph.graphql-max-list-length", 1),
		MaxInputDepth:      l.number("usergraph.graphql-max-input-depth", 1),
		MaxTokens:          l.number("usergraph.graphql-max-tokens", 1),
		MaxDuplicateFields: l.number("usergraph.graphql-max-duplicate-fields", 1),
		MaxBodyBytes:       l.number("usergraph.graphql-max-body-bytes", 1),
		Timeout:            l.seconds("usergraph.graphql-timeout", 1),
	}
	c.Pool = Pool{
		MaxOpen:     l.number("usergraph.database-max-open-conns", 1),
		MaxIdle:     l.number("usergraph.database-max-idle-conns", 0),
		MaxLifetime: l.seconds("usergraph.database-conn-max-lifetime", 0),
	}
	if !l.isSet("usergraph.database-max-idle-conns") {
		c.Pool.MaxIdle = c.Pool.MaxOpen
	} else if c.Pool.MaxIdle > c.Pool.MaxOpen {
		l.fail("%s: %d is more than %s (%d)", l.where("usergraph.database-max-idle-conns"), c.Pool.MaxIdle,
			l.where("usergraph.database-max-open-conns"), c.Pool.MaxOpen)
	}
	c.PasswordHash = PasswordHash{
		Concurrency: l.number("usergraph.password-hash-concurrency", 1),
		Queue:       l.number("usergraph.password-hash-queue", 0),
	}
	c.Metrics = Metrics{Token: l.str("usergraph.metrics-token"), Addr: l.str("usergraph.metrics-addr")}
	if n := len(c.Metrics.Token); n > 0 && n < 16 {
		l.fail("%s: %d bytes is too short to guard /metrics, use at least 16", l.where("usergraph.metrics-token"), n)
	}
	if c.Metrics.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Addr); err != nil {
			l.fail("%s: %q is not host:port: %v", l.where("usergraph.metrics-addr"), c.Metrics.Addr, err)
		}
	}
	if n := len(c.TokenSecret); n > 0 && n < 32 {
		l.fail("%s: %d bytes is too short for an HMAC key, use at least 32", l.where("usergraph.token-signing-key"), n)
	}
	switch lv := strings.ToLower(strings.TrimSpace(l.str("system.log-level"))); lv {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		l.fail("%s: %q is not one of debug, info, warn, error", l.where("system.log-level"), lv)
	}
	c.AppHost = l.str("system.app-host")
	c.ReverseProxy = l.boolean("system.reverse-proxy-mode")
	c.Proxy = loadProxy(l, c.ReverseProxy)

	c.Mail = loadMail(l)
	c.SuperAdmin = SuperAdmin{
		Username:  l.str("system.super-admin.username"),
		Password:  l.str("system.super-admin.password"),
		FirstName: l.str("system.super-admin.first-name"),
		LastName:  l.str("system.super-admin.last-name"),
		Email:     l.str("system.super-admin.email"),
	}
	c.DefaultClient = DefaultClient{
		ID:           l.str("system.default-client.id"),
		Secret:       l.str("system.default-client.secret"),
		DisplayName:  l.str("system.default-client.display-name"),
		RedirectURIs: l.list("system.default-client.redirect-uris"),
		IsPublic:     l.boolean("system.default-client.is-public"),
	}
	c.Cookie = Cookie{
		SessionSecret: l.str("cookie.session-secret"),
		Domain:        l.str("cookie.domain"),
		MaxAge:        l.number("cookie.max-age", 0),
		Secure:        l.boolean("cookie.secure"),
	}
	c.OAuth = OAuth{
		AuthorizationCodeLifetime: l.seconds("oauth.authorization-code-lifetime", 1),
		AccessTokenLifetime:       l.seconds("oauth.access-token-lifetime", 1),
		RefreshTokenLifetime:      l.seconds("oauth.refresh-token-lifetime", 1),
		EnableRedirect:            l.boolean("oauth.authorization.enable-redirect"),
		RequirePKCE:               l.boolean("oauth.authorization.require-pkce"),
	}
	c.Privilege = Privilege{
		CanCreateAccount:               l.boolean("privilege.can-create-account"),
		CanUseFollowAPIs:               l.boolean("privilege.can-use-follow-apis"),
		CanUsePhoneNumber:              l.boolean("privilege.can-use-phone-number"),
		CanUseDelegatedSearch:          l.boolean("privilege.can-use-delegated-user-search-api"),
		CanUseAdminSearch:              l.boolean("privilege.can-use-admin-user-search-api"),
		CanUseProfilePictureAPIs:       l.boolean("privilege.can-use-profile-picture-apis"),
		CanUseCache:                    l.boolean("privilege.can-use-cache"),
		CanUseCreditTransactionHistory: l.boolean("privilege.can-use-credit-transaction-history"),
		CanResetPassword:               l.boolean("privilege.can-reset-password"),
	}
	c.Account = loadAccount(l)
	c.InviteCodeMaxPerRequest = l.number("invite-only.code-generation.max-limit-per-request", 1)
	c.Profile = Profile{
		UsernameRegex:              l.regex("user.profile.username-validation-regex", true, true),
		NameRegex:                  l.regex("user.profile.name-validation-regex", false, true),
		PasswordRegex:              l.regex("user.profile.password-validation-regex", false, false),
		EditableFields:             editable(l.list("user.profile.editable-fields")),
		AdminEditableFields:        editable(l.list("admin-api.user.profile.editable-fields")),
		ClientEditableFields:       editable(l.list("client-api.user.profile.editable-fields")),
		RequireCurrentPassword:     l.boolean("user.profile.update.require-current-password"),
		ProtectedFields:            l.list("user.profile.update.protected-fields"),
		HydrateCustomDataDelegated: l.boolean("user.profile.custom-data.hydrate-in-delegated-mode"),
		HydrateCustomDataSelf:      l.boolean("user.profile.custom-data.hydrate-in-self-retrieval"),
		NonFollowerHiddenFields:    l.list("user.field-privacy.non-follower.hidden-fields"),
		FollowerVisibleFields:      l.list("usergraph.field-privacy.follower-visible-fields"),
		CanEditPeerData:            l.boolean("admin-api.user.profile.can-edit-peer-data"),
	}
	c.ProfilePicture = ProfilePicture{
		MaxFileSize:     l.number("user.profile-picture.max-file-size", 1),
		SignedURLExpiry: l.seconds("user.profile-picture.signed-url.expiry", 1),
	}
	c.Login = Login{
		RequireUserAgent: l.boolean("user.login.require-user-agent"),
		RecordSuccessful: l.boolean("user.login.record-successful-attempts"),
		RecordFailed:     l.boolean("user.login.record-failed-attempts"),
		HistoryTTL:       l.seconds("user.login.history-record-expires-in", 1),
	}
	c.TwoFactor = TwoFactor{
		EmailEnabled: l.boolean("2fa.email.enabled"),
		EmailEnforce: l.boolean("2fa.email.enforce"),
	}
	c.Search = Search{
		Delegated: loadSearch(l, "user.", "privilege.user."),
		Admin:     loadSearch(l, "admin-api.user.", "admin-api.privilege.user."),
		Client:    loadSearch(l, "client-api.user.", "client-api.privilege.user."),
	}
	c.Pagination = Pagination{
		DefaultLimit: l.number("pagination.default-limit", 1),
		MaxLimit:     l.number("pagination.max-limit", 1),
	}
	if c.Pagination.DefaultLimit > c.Pagination.MaxLimit && c.Pagination.MaxLimit > 0 {
		l.fail("%s (%d) is more than %s (%d)", l.where("pagination.default-limit"), c.Pagination.DefaultLimit,
			l.where("pagination.max-limit"), c.Pagination.MaxLimit)
	}
	c.GetUserMaxItems = l.number("get-user-max-items", 1)
	c.Subscription = Subscription{
		Tiers:    l.list("user.subscription.tier-list"),
		BaseTier: l.str("user.subscription.base-tier"),
	}
	c.DefaultRole = l.str("system.role.default")
	if c.DefaultRole == "" {
		l.fail("%s: must not be empty", l.where("system.role.default"))
	}
	c.ClientIDRegex = l.regex("client.id-validation-regex", true, true)
	c.RolesScanInterval = l.seconds("system.roles.scan-interval", 1)
	c.ScopeExtensionFile = l.str("system.scope-extension-file-path")
	c.RateLimit = RateLimit{
		Window:        l.seconds("system.rate-limit.window-size", 1),
		Light:         l.number("system.rate-limit.light-api-max-limit", 1),
		Medium:        l.number("system.rate-limit.medium-api-max-limit", 1),
		Heavy:         l.number("system.rate-limit.heavy-api-max-limit", 1),
		Extreme:       l.number("system.rate-limit.extreme-api-max-limit", 1),
		CountByRoute:  l.boolean("system.rate-limit.count-by-route"),
		AccountMax:    l.number("usergraph.account-rate-limit.max-attempts", 0),
		AccountWindow: l.seconds("usergraph.account-rate-limit.window-size", 1),
	}
	c.Redis = loadRedis(l)
	c.CORSAllowedOrigins = l.list("cors.allowed-origins")
	return c, l
}

func loadMail(l *loader) Mail {
	m := Mail{
		SMTPURL: l.str("usergraph.smtp-url"),
		From:    l.str("email.outbound-address"),
		AppName: l.str("system.app-name"),
	}
	// Liquid's nodemailer settings are read whether or not they are used, so a bad value is
	// reported the same way every time.
	host := l.str("nodemailer.host")
	port := l.str("nodemailer.port")
	secure := l.boolean("nodemailer.secure")
	user := l.str("nodemailer.username")
	pass := l.str("nodemailer.password")

	if m.SMTPURL != "" {
		u, err := url.Parse(m.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			// The URL may hold a password: name the variable, not the value.
			l.fail("%s: not an smtp://user:pass@host:port or smtps:// URL", l.where("usergraph.smtp-url"))
		}
	} else if host != "" {
		scheme, defPort := "smtp", "587" // nodemailer's default ports
		if secure {
			scheme, defPort = "smtps", "465"
		}
		if port = strings.TrimSpace(port); port == "" {
			port = defPort
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			l.fail("%s: %q is not a port number", l.where("nodemailer.port"), port)
		}
		u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
		if user != "" {
			u.User = url.UserPassword(user, pass)
		}
		m.SMTPURL = u.String()
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		l.fail("%s: %q is not an email address", l.where("email.outbound-address"), m.From)
	}
	return m
}

func loadAccount(l *loader) Account {
	a := Account{
		RequireEmailVerification:     l.boolean("user.account-creation.require-email-verification"),
		EnableInviteOnly:             l.boolean("user.account-creation.enable-invite-only"),
		ForceGenerateInviteCodes:     l.boolean("user.account-creation.force-generate-invite-codes"),
		InvitesPerPerson:             l.number("user.account-creation.invites-per-person", 0),
		InviteCodeAvailabilityWindow: l.seconds("user.account-creation.invite-code-availability-window", 0),
		AllowOnlyWhitelistedDomains:  l.boolean("user.account-creation.allow-only-whitelisted-email-domains"),
		WhitelistedDomains:           l.list("user.account-creation.whitelisted-email-domains"),
		SanitizeGmail:                l.boolean("user.account-creation.sanitize-gmail-addresses"),
		EnableIPThrottle:             l.boolean("user.account-creation.enable-ip-based-throttle"),
		IPThrottleWindow:             l.seconds("user.account-creation.ip-based-throttle.window-size", 0),
		InitialCredits:               l.number("user.account-creation.initial-credit-count", 0),
		DefaultScope:                 l.list("user.account-creation.default-scope"),
		CustomDataDefault:            l.str("user.account-creation.custom-data.default-value"),
		PreserveUnverifiedUserID:     l.boolean("user.account-creation.preserve-unverified-user-id"),
		CodeLifetime:                 l.seconds("user.account-creation.verificaton-code-lifetime", 1),
	}
	// Checked here so a typo fails at start rather than at every sign-up.
	var obj map[string]any
	if err := json.Unmarshal([]byte(a.CustomDataDefault), &obj); err != nil || obj == nil {
		l.fail("%s: %q is not a JSON object", l.where("user.account-creation.custom-data.default-value"), a.CustomDataDefault)
	}
	return a
}

// loadSearch reads one search mode; Liquid names its options <prefix>search.* and
// <privilegePrefix>search.can-use-*.
func loadSearch(l *loader, prefix, privilegePrefix string) SearchMode {
	return SearchMode{
		Fields:         l.list(prefix + "search.search-fields"),
		StrictFields:   l.list(prefix + "search.strict-match-fields"),
		CanUseID:       l.boolean(privilegePrefix + "search.can-use-id"),
		CanUseFullName: l.boolean(privilegePrefix + "search.can-use-fullname"),
		Limit:          l.number(prefix+"search-results.limit", 1),
		CacheLifetime:  l.seconds(prefix+"search-results.cache-lifetime", 0),
	}
}

func loadRedis(l *loader) Redis {
	r := Redis{
		URL:       l.str("usergraph.redis-url"),
		Host:      l.str("redis.host"),
		Port:      l.number("redis.port", 1),
		Username:  l.str("redis.username"),
		Password:  l.str("redis.password"),
		DB:        l.number("redis.db", 0),
		KeyPrefix: l.str("redis.key-prefix"),
	}
	r.Configured = l.isSet("usergraph.redis-url") || l.isSet("redis.host")
	if r.Port > 65535 {
		l.fail("%s: %d is not a port number", l.where("redis.port"), r.Port)
	}
	if r.URL == "" {
		u := url.URL{Scheme: "redis", Host: net.JoinHostPort(r.Host, strconv.Itoa(r.Port)), Path: "/" + strconv.Itoa(r.DB)}
		if r.Username != "" || r.Password != "" {
			u.User = url.UserPassword(r.Username, r.Password)
		}
		r.URL = u.String()
		return r
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Hostname() == "" {
		// The URL may hold a password: name the variable, not the value.
		l.fail("%s: not a redis://user:pass@host:port/db or rediss:// URL", l.where("usergraph.redis-url"))
		return r
	}
	r.Host, r.TLS, r.Port, r.DB = u.Hostname(), u.Scheme == "rediss", 6379, 0
	r.Username, r.Password = u.User.Username(), ""
	if p, ok := u.User.Password(); ok {
		r.Password = p
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil && n > 0 && n <= 65535 {
			r.Port = n
		} else {
			l.fail("%s: %q is not a port number", l.where("usergraph.redis-url"), p)
		}
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err == nil && n >= 0 {
			r.DB = n
		} else {
			l.fail("%s: database %q is not a whole number", l.where("usergraph.redis-url"), db)
		}
	}
	return r
}

func loadProxy(l *loader, reverseProxy bool) Proxy {
	p := Proxy{Hops: l.number("usergraph.trusted-proxy-hops", 0), Networks: l.list("usergraph.trusted-proxy-networks")}
	if !l.isSet("usergraph.trusted-proxy-hops") && reverseProxy {
		p.Hops = 1
	}
	for _, n := range p.Networks {
		if _, err := clientip.ParseNetwork(n); err != nil {
			l.fail("%s: %v", l.where("usergraph.trusted-proxy-networks"), err)
		}
	}
	return p
}
