package tests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"

	"usergraph/internal/apitest"
	"usergraph/internal/config"
	"usergraph/internal/secret"
)

// scrape reads url's Prometheus text into "name{label="value",...}" -> value, labels sorted.
func scrape(t *testing.T, url, token string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			case m.Untyped != nil:
				out[key] = m.GetUntyped().GetValue()
			}
		}
	}
	return out
}

// /metrics is not public by default: on the main address it needs METRICS_TOKEN, and the
// separate METRICS_ADDR listener (App.Ops) serves it openly for a private network.
func TestMetricsEndpointIsGuarded(t *testing.T) {
	plain := apitest.New(t)
	plain.Get(t, "/metrics", "").Expect(t, http.StatusNotFound, "NotFound")

	token := secret.Token(24)
	s := apitest.New(t, func(c *config.Config) { c.Metrics.Token = token })
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", secret.Token(24), http.StatusUnauthorized},
		{"a user's token is not the metrics token", s.NewUser(t, "metrics_user").Token, http.StatusUnauthorized},
		{"metrics token", token, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.Get(t, "/metrics", tt.token)
			if r.Status != tt.status {
				t.Fatalf("GET /metrics: %d %s, want %d", r.Status, r.Raw, tt.status)
			}
			if tt.status == http.StatusOK && !strings.Contains(string(r.Raw), "usergraph_http_requests_total") {
				t.Fatalf("metrics lack usergraph_http_requests_total:\n%.500s", r.Raw)
			}
		})
	}

	ops := httptest.NewServer(s.App.Ops)
	defer ops.Close()
	for _, path := range []string{"/metrics", "/livez", "/readyz"} {
		resp, err := http.Get(ops.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("ops listener GET %s: %d, want 200", path, resp.StatusCode)
		}
	}
}

// Requests are counted by route pattern or GraphQL operation, and so are logins, sign-ups, mail
// and the database pool. Operation names chosen by clients never become label values.
func TestMetricsCountWhatHappens(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.Pool.MaxOpen, c.Pool.MaxIdle = 7, 7 })
	ops := httptest.NewServer(s.App.Ops)
	defer ops.Close()

	u := s.NewUser(t, "counted_user") // a sign-up, a verification mail, a login
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/me", u.Token).Expect(t, http.StatusOK, "")
	s.Get(t, "/user/"+u.ID, "").Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Post(t, "/user/login", "", map[string]any{"username": u.Username, "password": "wrong-password", "userAgent": "test"}).
		Expect(t, http.StatusUnauthorized, "Unauthorized")
	const names = 40
	for i := range names {
		s.Do(t, apitest.Req{Method: http.MethodPost, Path: "/graphql", Token: u.Token,
			JSON: map[string]any{"query": fmt.Sprintf("query Client%d { me { id } }", i)}})
	}
	s.App.Accounts.Wait() // the mail is sent in the background

	m := scrape(t, ops.URL+"/metrics", "")
	want := map[string]float64{
		`usergraph_http_requests_total{operation="",route="GET /user/me",status="200"}`:           2,
		`usergraph_http_request_duration_seconds{operation="",route="GET /user/me",status="200"}`: 2,
		`usergraph_http_requests_total{operation="",route="GET /user/{userId}",status="401"}`:     1,
		`usergraph_http_requests_total{operation="query me",route="/graphql",status="200"}`:       names,
		`usergraph_http_requests_total{operation="mutation login",route="/graphql",status="200"}`: 1,
		`usergraph_http_requests_total{operation="",route="POST /user/create",status="201"}`:      1,
		`usergraph_logins_total{outcome="success",step="password"}`:                               1,
		`usergraph_logins_total{outcome="rejected",step="password"}`:                              1,
		`usergraph_signups_total{}`:                        1,
		`usergraph_mails_total{result="sent"}`:             1,
		`usergraph_mails_total{result="failed"}`:           0,
		`go_sql_max_open_connections{db_name="usergraph"}`: 7,
	}
	for k, v := range want {
		got, ok := m[k]
		if !ok {
			t.Errorf("no series %s", k)
		} else if got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	for k := range m {
		if strings.Contains(k, "Client") || strings.Contains(k, u.ID) {
			t.Errorf("client input became a label: %s", k)
		}
	}
}

// Refusals by a rate limit are counted by tier and action, whether the domain refused (login)
// or the per-route limit did.
func TestMetricsCountRateLimits(t *testing.T) {
	s := apitest.New(t, func(c *config.Config) { c.RateLimit.Heavy, c.RateLimit.Medium = 2, 3; c.RateLimit.CountByRoute = true })
	ops := httptest.NewServer(s.App.Ops)
	defer ops.Close()
	body := map[string]any{"username": "nobody_here", "password": "wrong-password", "userAgent": "test"}
	s.Post(t, "/user/login", "", body).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Post(t, "/user/login", "", body).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Post(t, "/user/login", "", body).Expect(t, http.StatusTooManyRequests, "RateLimitError") // the domain's login limit
	for range 3 {
		s.Get(t, "/user/scopes", "").Expect(t, http.StatusOK, "")
	}
	s.Get(t, "/user/scopes", "").Expect(t, http.StatusTooManyRequests, "RateLimitError") // 4th on the route

	m := scrape(t, ops.URL+"/metrics", "")
	want := map[string]float64{
		`usergraph_rate_limited_total{action="login",tier="heavy"}`:      1,
		`usergraph_rate_limited_total{action="route",tier="medium"}`:     1,
		`usergraph_logins_total{outcome="rate_limited",step="password"}`: 1,
		`usergraph_logins_total{outcome="rejected",step="password"}`:     2,
		// refused before routing: no route is known
		`usergraph_http_requests_total{operation="",route="unrouted",status="429"}`: 1,
	}
	for k, v := range want {
		if got := m[k]; got != v {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
}
