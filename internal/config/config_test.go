package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// env turns a map into a lookup function, so tests never touch the process environment.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func mustLoad(t *testing.T, m map[string]string) *Config {
	t.Helper()
	c, err := Load(env(m))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaults(t *testing.T) {
	c := mustLoad(t, nil)
	tests := []struct {
		name      string
		got, want any
	}{
		{"Addr", c.Addr, ":2000"},
		{"File", c.File, ""},
		{"DatabaseURL", c.DatabaseURL, "file:usergraph.db"},
		{"PostgreSQL", c.PostgreSQL(), false},
		{"TokenSecret", c.TokenSecret, ""},
		{"LogLevel", c.LogLevel, slog.LevelDebug},
		{"AppHost", c.AppHost, "http://localhost:2000"},
		{"ReverseProxy", c.ReverseProxy, false},
		{"Mail", c.Mail, Mail{SMTPURL: "", From: "liquid@example.com", AppName: "usergraph"}},
		{"SuperAdmin", c.SuperAdmin, SuperAdmin{}},
		{"DefaultClient", c.DefaultClient, DefaultClient{
			RedirectURIs: []string{"http://localhost:2000", "http://localhost:2001"}, IsPublic: false}},
		{"Cookie", c.Cookie, Cookie{SessionSecret: "", Domain: "", MaxAge: 0, Secure: true}},
		{"OAuth", c.OAuth, OAuth{AuthorizationCodeLifetime: 300 * time.Second, AccessTokenLifetime: time.Hour,
			RefreshTokenLifetime: 14 * 24 * time.Hour, EnableRedirect: true, RequirePKCE: false}},
		{"Privilege", c.Privilege, Privilege{CanCreateAccount: true, CanUseFollowAPIs: true,
			CanUseDelegatedSearch: true, CanUseAdminSearch: true, CanUseCache: true, CanResetPassword: true}},
		{"Account.RequireEmailVerification", c.Account.RequireEmailVerification, true},
		{"Account.EnableInviteOnly", c.Account.EnableInviteOnly, false},
		{"Account.InvitesPerPerson", c.Account.InvitesPerPerson, 5},
		{"Account.InviteCodeAvailabilityWindow", c.Account.InviteCodeAvailabilityWindow, 10 * time.Second},
		{"Account.WhitelistedDomains[0]", c.Account.WhitelistedDomains[0], "gmail.com"},
		{"Account.WhitelistedDomains len", len(c.Account.WhitelistedDomains), 36},
		{"Account.SanitizeGmail", c.Account.SanitizeGmail, true},
		{"Account.IPThrottleWindow", c.Account.IPThrottleWindow, 24 * time.Hour},
		{"Account.InitialCredits", c.Account.InitialCredits, 0},
		{"Account.DefaultScope", c.Account.DefaultScope, []string{"delegated:all"}},
		{"Account.CustomDataDefault", c.Account.CustomDataDefault, "{}"},
		{"Account.PreserveUnverifiedUserID", c.Account.PreserveUnverifiedUserID, true},
		{"Account.CodeLifetime", c.Account.CodeLifetime, time.Hour},
		{"InviteCodeMaxPerRequest", c.InviteCodeMaxPerRequest, 15},
		{"Profile.UsernameRegex", c.Profile.UsernameRegex.String(), `(?i)^[a-z_][a-z0-9._]*$`},
		{"Profile.NameRegex", c.Profile.NameRegex.String(), `^[\p{L}\p{M}'-]+$`},
		{"Profile.PasswordRegex nil", c.Profile.PasswordRegex == nil, true},
		{"Profile.EditableFields", c.Profile.EditableFields, []string{"firstName", "lastName", "middleName",
			"password", "bio", "pronouns", "customLink", "organization", "gender", "preferredLanguage"}},
		{"Profile.AdminEditableFields len", len(c.Profile.AdminEditableFields), 16},
		{"Profile.ClientEditableFields len", len(c.Profile.ClientEditableFields), 16},
		{"Profile.RequireCurrentPassword", c.Profile.RequireCurrentPassword, true},
		{"Profile.ProtectedFields", c.Profile.ProtectedFields, []string{"password"}},
		{"Profile.HydrateCustomDataDelegated", c.Profile.HydrateCustomDataDelegated, false},
		{"Profile.HydrateCustomDataSelf", c.Profile.HydrateCustomDataSelf, true},
		{"Profile.NonFollowerHiddenFields", c.Profile.NonFollowerHiddenFields, []string{"email", "phone",
			"secondaryEmail", "secondaryPhone", "isBanned", "credits", "scope", "restricted", "customData"}},
		{"Profile.CanEditPeerData", c.Profile.CanEditPeerData, true},
		{"ProfilePicture", c.ProfilePicture, ProfilePicture{MaxFileSize: 500000, SignedURLExpiry: 4 * time.Hour}},
		{"Login", c.Login, Login{RequireUserAgent: true, RecordSuccessful: true, RecordFailed: true, HistoryTTL: 24 * time.Hour}},
		{"TwoFactor", c.TwoFactor, TwoFactor{}},
		{"Search.Delegated", c.Search.Delegated, SearchMode{Fields: []string{"username", "firstName", "lastName", "email", "role"},
			StrictFields: []string{}, CanUseID: true, CanUseFullName: true, Limit: 10, CacheLifetime: 30 * time.Second}},
		{"Search.Admin", c.Search.Admin, SearchMode{Fields: []string{"username", "firstName", "lastName", "email"},
			StrictFields: []string{"role"}, CanUseID: true, CanUseFullName: true, Limit: 10, CacheLifetime: 30 * time.Second}},
		{"Search.Client", c.Search.Client, SearchMode{Fields: []string{"username", "firstName", "lastName", "email"},
			StrictFields: []string{"role"}, CanUseID: true, CanUseFullName: true, Limit: 10, CacheLifetime: 30 * time.Second}},
		{"Pagination", c.Pagination, Pagination{DefaultLimit: 10, MaxLimit: 1000}},
		{"GetUserMaxItems", c.GetUserMaxItems, 650},
		{"Subscription", c.Subscription, Subscription{Tiers: []string{"basic", "premium"}, BaseTier: "basic"}},
		{"DefaultRole", c.DefaultRole, "user"},
		{"ClientIDRegex", c.ClientIDRegex.String(), `(?i)^[a-z_][a-z0-9._]*$`},
		{"RolesScanInterval", c.RolesScanInterval, 5 * time.Minute},
		{"RateLimit", c.RateLimit, RateLimit{Window: time.Minute, Light: 75, Medium: 30, Heavy: 10, Extreme: 5, CountByRoute: true,
			AccountMax: 20, AccountWindow: 15 * time.Minute}},
		{"Redis", c.Redis, Redis{URL: "redis://127.0.0.1:6379/0", Host: "127.0.0.1", Port: 6379, KeyPrefix: "liquid:"}},
		{"CORSAllowedOrigins", c.CORSAllowedOrigins, []string{"http://localhost:3000"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
	if !c.Profile.UsernameRegex.MatchString("John_Doe.1") || c.Profile.UsernameRegex.MatchString("1john") {
		t.Error("username regex should be Liquid's, case-insensitive")
	}
	if !c.Profile.NameRegex.MatchString("Zoë-O'Brien") || c.Profile.NameRegex.MatchString("Bob1") {
		t.Error("name regex should accept letters, marks, apostrophes and hyphens only")
	}
}

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		get  func(*Config) any
		want any
	}{
		{"string", map[string]string{"SYSTEM_APP_HOST": "https://id.example.com"},
			func(c *Config) any { return c.AppHost }, "https://id.example.com"},
		{"app name", map[string]string{"SYSTEM_APP_NAME": "Acme"},
			func(c *Config) any { return c.Mail.AppName }, "Acme"},
		{"empty env is unset", map[string]string{"SYSTEM_DEFAULT_ROLE": ""},
			func(c *Config) any { return c.DefaultRole }, "user"},
		{"boolean true", map[string]string{"SYSTEM_REVERSE_PROXY_MODE": "true"},
			func(c *Config) any { return c.ReverseProxy }, true},
		{"reverse-proxy mode trusts one hop", map[string]string{"SYSTEM_REVERSE_PROXY_MODE": "true"},
			func(c *Config) any { return c.Proxy.Hops }, 1},
		{"no proxy trusts none", map[string]string{},
			func(c *Config) any { return c.Proxy.Hops }, 0},
		{"proxy hops set", map[string]string{"SYSTEM_REVERSE_PROXY_MODE": "true", "TRUSTED_PROXY_HOPS": "2"},
			func(c *Config) any { return c.Proxy.Hops }, 2},
		{"proxy networks", map[string]string{"TRUSTED_PROXY_NETWORKS": "10.0.0.0/8, 192.168.1.5"},
			func(c *Config) any { return strings.Join(c.Proxy.Networks, " ") }, "10.0.0.0/8 192.168.1.5"},
		{"boolean TRUE", map[string]string{"CAN_USE_PHONE_NUMBER": "TRUE"},
			func(c *Config) any { return c.Privilege.CanUsePhoneNumber }, true},
		{"boolean 0", map[string]string{"COOKIE_SECURE": "0"},
			func(c *Config) any { return c.Cookie.Secure }, false},
		{"boolean False", map[string]string{"USER_LOGIN_REQUIRE_USER_AGENT": "False"},
			func(c *Config) any { return c.Login.RequireUserAgent }, false},
		{"boolean with digit-led env", map[string]string{"2FA_EMAIL_ENABLED": "true", "2FA_EMAIL_ENFORCE": "1"},
			func(c *Config) any { return c.TwoFactor }, TwoFactor{EmailEnabled: true, EmailEnforce: true}},
		{"default client public only when true", map[string]string{"SYSTEM_DEFAULT_CLIENT_IS_PUBLIC": "true"},
			func(c *Config) any { return c.DefaultClient.IsPublic }, true},
		{"default client explicitly private", map[string]string{"SYSTEM_DEFAULT_CLIENT_IS_PUBLIC": "false"},
			func(c *Config) any { return c.DefaultClient.IsPublic }, false},
		{"number with spaces", map[string]string{"PAGINATION_MAX_LIMIT": " 500 "},
			func(c *Config) any { return c.Pagination.MaxLimit }, 500},
		{"seconds", map[string]string{"OAUTH_ACCESS_TOKEN_LIFETIME": "900"},
			func(c *Config) any { return c.OAuth.AccessTokenLifetime }, 15 * time.Minute},
		{"code lifetime", map[string]string{"USER_ACCOUNT_CREATION_VERIFICATION_CODE_LIFETIME": "600"},
			func(c *Config) any { return c.Account.CodeLifetime }, 10 * time.Minute},
		{"cookie max age", map[string]string{"COOKIE_MAX_AGE": "86400"},
			func(c *Config) any { return c.Cookie.MaxAge }, 86400},
		{"string array trimmed, empties dropped", map[string]string{"USER_ACCOUNT_CREATION_DEFAULT_SCOPE": " delegated:all , user:profile:read,, "},
			func(c *Config) any { return c.Account.DefaultScope }, []string{"delegated:all", "user:profile:read"}},
		{"string array of commas is empty", map[string]string{"CORS_ALLOWED_ORIGINS": ","},
			func(c *Config) any { return c.CORSAllowedOrigins }, []string{}},
		{"password regex", map[string]string{"USER_PROFILE_PASSWORD_VALIDATION_REGEX": `^.{12,}$`},
			func(c *Config) any { return c.Profile.PasswordRegex.String() }, `^.{12,}$`},
		{"username regex gets (?i)", map[string]string{"USER_PROFILE_USERNAME_VALIDATION_REGEX": `^[a-z]+$`},
			func(c *Config) any { return c.Profile.UsernameRegex.MatchString("ABC") }, true},
		{"name regex stays case-sensitive", map[string]string{"USER_PROFILE_NAME_VALIDATION_REGEX": `^[a-z]+$`},
			func(c *Config) any { return c.Profile.NameRegex.MatchString("ABC") }, false},
		{"log level", map[string]string{"SYSTEM_LOG_LEVEL": "WARN"},
			func(c *Config) any { return c.LogLevel }, slog.LevelWarn},
		{"port", map[string]string{"SYSTEM_APP_PORT": "8080"},
			func(c *Config) any { return c.Addr }, ":8080"},
		{"database postgres", map[string]string{"DATABASE_URL": "postgres://u:p@db/usergraph?sslmode=disable"},
			func(c *Config) any { return c.PostgreSQL() }, true},
		{"database postgresql", map[string]string{"DATABASE_URL": "postgresql://db/usergraph"},
			func(c *Config) any { return c.PostgreSQL() }, true},
		{"token key", map[string]string{"TOKEN_SIGNING_KEY": strings.Repeat("k", 32)},
			func(c *Config) any { return c.TokenSecret }, strings.Repeat("k", 32)},
		{"search mode", map[string]string{"ADMIN_API_USER_SEARCH_RESULTS_LIMIT": "50", "CLIENT_API_USER_SEARCH_CAN_USE_ID": "false",
			"USER_SEARCH_STRICT_MATCH_FIELDS": "email"},
			func(c *Config) any {
				return []any{c.Search.Admin.Limit, c.Search.Client.CanUseID, c.Search.Delegated.StrictFields}
			}, []any{50, false, []string{"email"}}},
		{"redis parts", map[string]string{"REDIS_HOST": "cache", "REDIS_PORT": "6380", "REDIS_PASSWORD": "p@ss", "REDIS_DB": "2"},
			func(c *Config) any { return c.Redis }, Redis{URL: "redis://:p%40ss@cache:6380/2", Host: "cache", Port: 6380,
				Password: "p@ss", DB: 2, KeyPrefix: "liquid:", Configured: true}},
		{"redis url wins over parts", map[string]string{"REDIS_URL": "rediss://bob:secret@redis.example.com:7000/3", "REDIS_HOST": "cache"},
			func(c *Config) any { return c.Redis }, Redis{URL: "rediss://bob:secret@redis.example.com:7000/3", Host: "redis.example.com",
				Port: 7000, Username: "bob", Password: "secret", DB: 3, TLS: true, KeyPrefix: "liquid:", Configured: true}},
		{"redis url defaults", map[string]string{"REDIS_URL": "redis://localhost"},
			func(c *Config) any { return []any{c.Redis.Host, c.Redis.Port, c.Redis.DB} }, []any{"localhost", 6379, 0}},
		{"smtp url", map[string]string{"SMTP_URL": "smtps://a:b@mail.example.com:465"},
			func(c *Config) any { return c.Mail.SMTPURL }, "smtps://a:b@mail.example.com:465"},
		{"pool defaults: idle = open", nil,
			func(c *Config) any { return c.Pool }, Pool{MaxOpen: 20, MaxIdle: 20}},
		{"pool idle follows open", map[string]string{"DATABASE_MAX_OPEN_CONNS": "50"},
			func(c *Config) any { return c.Pool }, Pool{MaxOpen: 50, MaxIdle: 50}},
		{"pool set", map[string]string{"DATABASE_MAX_OPEN_CONNS": "50", "DATABASE_MAX_IDLE_CONNS": "0", "DATABASE_CONN_MAX_LIFETIME": "1800"},
			func(c *Config) any { return c.Pool }, Pool{MaxOpen: 50, MaxIdle: 0, MaxLifetime: 30 * time.Minute}},
		{"metrics off by default", nil,
			func(c *Config) any { return c.Metrics }, Metrics{}},
		{"metrics", map[string]string{"METRICS_TOKEN": strings.Repeat("m", 16), "METRICS_ADDR": "127.0.0.1:9464"},
			func(c *Config) any { return c.Metrics }, Metrics{Token: strings.Repeat("m", 16), Addr: "127.0.0.1:9464"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.env)
			if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestAddrOverridesPort(t *testing.T) {
	c := mustLoad(t, map[string]string{"ADDR": "127.0.0.1:9000", "SYSTEM_APP_PORT": "8080"})
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("Addr = %q, want 127.0.0.1:9000", c.Addr)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"boolean", map[string]string{"COOKIE_SECURE": "yes"}, []string{"COOKIE_SECURE", `"yes" is not a boolean`}},
		{"boolean with digit-led env", map[string]string{"2FA_EMAIL_ENABLED": "on"}, []string{"2FA_EMAIL_ENABLED"}},
		{"number word", map[string]string{"OAUTH_ACCESS_TOKEN_LIFETIME": "abc"},
			[]string{`config: OAUTH_ACCESS_TOKEN_LIFETIME: "abc" is not a whole number`}},
		{"number suffix", map[string]string{"PAGINATION_MAX_LIMIT": "1.5x"}, []string{"PAGINATION_MAX_LIMIT", "not a whole number"}},
		{"number fraction", map[string]string{"PAGINATION_MAX_LIMIT": "1.5"}, []string{"PAGINATION_MAX_LIMIT"}},
		{"negative lifetime", map[string]string{"OAUTH_REFRESH_TOKEN_LIFETIME": "-1"}, []string{"OAUTH_REFRESH_TOKEN_LIFETIME"}},
		{"zero pagination", map[string]string{"PAGINATION_DEFAULT_LIMIT": "0"}, []string{"PAGINATION_DEFAULT_LIMIT"}},
		{"default above max", map[string]string{"PAGINATION_DEFAULT_LIMIT": "50", "PAGINATION_MAX_LIMIT": "20"},
			[]string{"PAGINATION_DEFAULT_LIMIT", "PAGINATION_MAX_LIMIT"}},
		{"huge seconds", map[string]string{"OAUTH_ACCESS_TOKEN_LIFETIME": "99999999999999999"}, []string{"OAUTH_ACCESS_TOKEN_LIFETIME", "too long"}},
		{"username regex", map[string]string{"USER_PROFILE_USERNAME_VALIDATION_REGEX": "^[a-z"},
			[]string{"USER_PROFILE_USERNAME_VALIDATION_REGEX", "not a valid regular expression"}},
		{"password regex with lookahead", map[string]string{"USER_PROFILE_PASSWORD_VALIDATION_REGEX": "^(?=.*[A-Z]).{8,}$"},
			[]string{"USER_PROFILE_PASSWORD_VALIDATION_REGEX"}},
		{"client id regex", map[string]string{"CLIENT_ID_VALIDATION_REGEX": "("}, []string{"CLIENT_ID_VALIDATION_REGEX"}},
		{"token key too short", map[string]string{"TOKEN_SIGNING_KEY": "short"}, []string{"TOKEN_SIGNING_KEY", "at least 32"}},
		{"log level", map[string]string{"SYSTEM_LOG_LEVEL": "verbose"}, []string{"SYSTEM_LOG_LEVEL"}},
		{"addr", map[string]string{"ADDR": "localhost"}, []string{"ADDR"}},
		{"app port", map[string]string{"SYSTEM_APP_PORT": "70000"}, []string{"SYSTEM_APP_PORT"}},
		{"smtp url", map[string]string{"SMTP_URL": "mail.example.com"}, []string{"SMTP_URL"}},
		{"pool of none", map[string]string{"DATABASE_MAX_OPEN_CONNS": "0"}, []string{"DATABASE_MAX_OPEN_CONNS"}},
		{"bad proxy network", map[string]string{"TRUSTED_PROXY_NETWORKS": "10.0.0.0/8,nginx"},
			[]string{"TRUSTED_PROXY_NETWORKS", "nginx"}},
		{"negative proxy hops", map[string]string{"TRUSTED_PROXY_HOPS": "-1"},
			[]string{"TRUSTED_PROXY_HOPS"}},
		{"more idle than open", map[string]string{"DATABASE_MAX_OPEN_CONNS": "5", "DATABASE_MAX_IDLE_CONNS": "6"},
			[]string{"DATABASE_MAX_IDLE_CONNS", "DATABASE_MAX_OPEN_CONNS"}},
		{"negative connection lifetime", map[string]string{"DATABASE_CONN_MAX_LIFETIME": "-5"}, []string{"DATABASE_CONN_MAX_LIFETIME"}},
		{"metrics token too short", map[string]string{"METRICS_TOKEN": "secret"}, []string{"METRICS_TOKEN", "at least 16"}},
		{"metrics addr", map[string]string{"METRICS_ADDR": "9464"}, []string{"METRICS_ADDR"}},
		{"nodemailer port", map[string]string{"NODEMAILER_HOST": "mail", "NODEMAILER_PORT": "smtp"}, []string{"NODEMAILER_PORT"}},
		{"redis url", map[string]string{"REDIS_URL": "http://cache"}, []string{"REDIS_URL"}},
		{"redis url db", map[string]string{"REDIS_URL": "redis://cache/x"}, []string{"REDIS_URL"}},
		{"outbound address", map[string]string{"EMAIL_OUTBOUND_ADDRESS": "not an address"}, []string{"EMAIL_OUTBOUND_ADDRESS"}},
		{"custom data default", map[string]string{"USER_ACCOUNT_CREATION_CUSTOM_DATA_DEFAULT_VALUE": "[1]"},
			[]string{"USER_ACCOUNT_CREATION_CUSTOM_DATA_DEFAULT_VALUE"}},
		{"every error reported", map[string]string{"COOKIE_SECURE": "maybe", "REDIS_DB": "x"}, []string{"COOKIE_SECURE", "REDIS_DB"}},
		{"missing config file", map[string]string{"SYSTEM_SERVICE_APP_CONFIG_FILE_PATH": "/nonexistent/usergraph.json"},
			[]string{"SYSTEM_SERVICE_APP_CONFIG_FILE_PATH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want an error", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Secrets must not be echoed in errors, which end up in logs.
func TestMalformedURLHidesPassword(t *testing.T) {
	_, err := Load(env(map[string]string{"SMTP_URL": "ftp://u:hunter2@mail", "REDIS_URL": "http://u:hunter3@cache"}))
	if err == nil || strings.Contains(err.Error(), "hunter") {
		t.Errorf("error %v should exist and not show the password", err)
	}
}

func TestConfigFile(t *testing.T) {
	path := writeFile(t, `{
		"oauth.access-token-lifetime": 600,
		"oauth.refresh-token-lifetime": "7200",
		"cookie.secure": false,
		"system.reverse-proxy-mode": "true",
		"user.account-creation.default-scope": ["delegated:all", " user:follow "],
		"cors.allowed-origins": "https://a.example, https://b.example",
		"system.default-client.is-public": true,
		"system.app-name": "Acme",
		"system.role.default": null,
		"mongo-db.use-transactions": true,
		"usergraph.addr": ":7000"
	}`)
	c := mustLoad(t, map[string]string{
		"SYSTEM_SERVICE_APP_CONFIG_FILE_PATH": path,
		"OAUTH_ACCESS_TOKEN_LIFETIME":         "60",    // the file wins
		"SYSTEM_DEFAULT_ROLE":                 "guest", // null in the file: the env applies
		"PAGINATION_MAX_LIMIT":                "200",   // absent from the file: the env applies
	})
	tests := []struct {
		name      string
		got, want any
	}{
		{"File", c.File, path},
		{"number", c.OAuth.AccessTokenLifetime, 10 * time.Minute},
		{"number as string", c.OAuth.RefreshTokenLifetime, 2 * time.Hour},
		{"boolean", c.Cookie.Secure, false},
		{"boolean as string", c.ReverseProxy, true},
		{"array", c.Account.DefaultScope, []string{"delegated:all", "user:follow"}},
		{"comma string", c.CORSAllowedOrigins, []string{"https://a.example", "https://b.example"}},
		{"is-public", c.DefaultClient.IsPublic, true},
		{"string", c.Mail.AppName, "Acme"},
		{"null falls through", c.DefaultRole, "guest"},
		{"absent falls through", c.Pagination.MaxLimit, 200},
		{"usergraph option", c.Addr, ":7000"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"bad number", `{"oauth.access-token-lifetime": "abc"}`, []string{"oauth.access-token-lifetime", `"abc" is not a whole number`}},
		{"fraction", `{"pagination.max-limit": 1.5}`, []string{"pagination.max-limit"}},
		{"bad boolean", `{"cookie.secure": "yes"}`, []string{"cookie.secure"}},
		{"object for string", `{"system.app-name": {"a": 1}}`, []string{"system.app-name"}},
		{"array for boolean", `{"cookie.secure": [true]}`, []string{"cookie.secure"}},
		{"array of numbers", `{"cors.allowed-origins": [1, 2]}`, []string{"cors.allowed-origins", "not a list of strings"}},
		{"bad regex", `{"client.id-validation-regex": "["}`, []string{"client.id-validation-regex"}},
		{"unknown option", `{"oauth.acess-token-lifetime": 60}`, []string{`unknown option "oauth.acess-token-lifetime"`}},
		{"not an object", `[1, 2]`, []string{"not a JSON object"}},
		{"broken JSON", `{"a":`, []string{"not a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			_, err := Load(env(map[string]string{"SYSTEM_SERVICE_APP_CONFIG_FILE_PATH": path}))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNodemailer(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no host: no mail server", map[string]string{"NODEMAILER_PORT": "25"}, ""},
		{"full", map[string]string{"NODEMAILER_HOST": "mail.example.com", "NODEMAILER_PORT": "2525",
			"NODEMAILER_USERNAME": "bob@example.com", "NODEMAILER_PASSWORD": "p@ss:word/1"},
			"smtp://bob%40example.com:p%40ss%3Aword%2F1@mail.example.com:2525"},
		{"secure", map[string]string{"NODEMAILER_HOST": "mail.example.com", "NODEMAILER_PORT": "465", "NODEMAILER_SECURE": "true",
			"NODEMAILER_USERNAME": "bob", "NODEMAILER_PASSWORD": "pw"}, "smtps://bob:pw@mail.example.com:465"},
		{"default port", map[string]string{"NODEMAILER_HOST": "mail"}, "smtp://mail:587"},
		{"default secure port", map[string]string{"NODEMAILER_HOST": "mail", "NODEMAILER_SECURE": "true"}, "smtps://mail:465"},
		{"SMTP_URL wins", map[string]string{"SMTP_URL": "smtp://relay:25", "NODEMAILER_HOST": "mail"}, "smtp://relay:25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustLoad(t, tt.env).Mail.SMTPURL; got != tt.want {
				t.Errorf("SMTPURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEditableFieldsSanitised(t *testing.T) {
	list := "firstName,credits,scope, isBanned ,bio,customData,verified,2faEnabled,createdAt"
	c := mustLoad(t, map[string]string{
		"USER_PROFILE_EDITABLE_FIELDS":            list,
		"ADMIN_API_USER_PROFILE_EDITABLE_FIELDS":  list + ",role",
		"CLIENT_API_USER_PROFILE_EDITABLE_FIELDS": "subscriptionTier,profilePicturePath,email",
	})
	tests := []struct {
		name      string
		got, want []string
	}{
		{"user", c.Profile.EditableFields, []string{"firstName", "bio"}},
		{"admin", c.Profile.AdminEditableFields, []string{"firstName", "bio", "role"}},
		{"client", c.Profile.ClientEditableFields, []string{"email"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s editable fields = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// Every field-backed option must be a real Liquid option with the type the loader reads it
// as; this catches typos in option names.
func TestSupportedOptionsExist(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range Supported() {
		if seen[o.Name] {
			t.Errorf("%q listed twice", o.Name)
		}
		seen[o.Name] = true
		if o.Env == "" || o.Description == "" {
			t.Errorf("%q: unknown option (not in liquid-options.tsv nor usergraph's own)", o.Name)
			continue
		}
		lo, inTSV := liquidOptions[o.Name]
		switch {
		case o.New && inTSV:
			t.Errorf("%q is marked usergraph-only but is a Liquid option", o.Name)
		case o.New && !strings.HasPrefix(o.Name, "usergraph."):
			t.Errorf("%q: usergraph-only options are named usergraph.*", o.Name)
		case !o.New && (!inTSV || lo.Env != o.Env || lo.Type != o.Type):
			t.Errorf("%q does not match liquid-options.tsv", o.Name)
		}
	}
	for name := range overrides {
		if !seen[name] {
			t.Errorf("override for %q, which is not supported", name)
		}
	}
}

// Load must read exactly the options Supported documents, with matching types.
func TestLoadReadsExactlySupported(t *testing.T) {
	_, l := load(env(nil))
	if err := l.err(); err != nil {
		t.Fatal(err)
	}
	for _, o := range Supported() {
		if !l.read[o.Name] {
			t.Errorf("%q is listed as supported but Load never reads it", o.Name)
		}
	}
	if len(l.read) != len(Supported()) {
		t.Errorf("Load read %d options, Supported lists %d", len(l.read), len(Supported()))
	}
}

func TestSupportedDefaults(t *testing.T) {
	want := map[string]string{
		"system.default-client.is-public":                 "false",
		"system.app-name":                                 "usergraph",
		"cookie.session-secret":                           "",
		"usergraph.database-url":                          "file:usergraph.db",
		"user.account-creation.verificaton-code-lifetime": "3600",
	}
	for _, o := range Supported() {
		if w, ok := want[o.Name]; ok && o.Default != w {
			t.Errorf("%s default = %q, want %q", o.Name, o.Default, w)
		}
	}
	// Supported returns a copy: callers cannot change what Load uses.
	Supported()[0].Default = "changed"
	if Supported()[0].Default == "changed" {
		t.Error("Supported returned its internal slice")
	}
}

func TestParseRegistry(t *testing.T) {
	if n := len(liquidOptions); n != 169 {
		t.Errorf("embedded registry has %d options, want 169", n)
	}
	if o := liquidOptions["user.login.sso.token-lifetime"]; o.Type != Number {
		t.Errorf(`"nummber" row parsed as %q, want number`, o.Type)
	}
	header := "name\tenv\ttype\tdefault\tdescription\n"
	for _, bad := range []string{
		"",
		header + "a\tA\tstring\tx\n",
		header + "a\tA\tfloat\tx\td\n",
		header + "a\tA\tstring\tx\td\na\tB\tstring\tx\td\n",
		header + "\tA\tstring\tx\td\n",
	} {
		if _, err := parseRegistry(bad); err == nil {
			t.Errorf("parseRegistry(%q) succeeded, want an error", bad)
		}
	}
}
