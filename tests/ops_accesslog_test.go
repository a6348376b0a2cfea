package tests

import (
	"net/http"
	"strconv"
	"testing"

	"usergraph/internal/apitest"
	"usergraph/internal/httplog"
)

// One access-log line per request names the route pattern (never the raw path with its ids) or
// the GraphQL operation, the status, size and duration, the request id and the caller.
func TestAccessLogLine(t *testing.T) {
	s := apitest.New(t)
	u := s.NewUser(t, "log_alice")
	other := s.NewUser(t, "log_bob")
	client := s.NewClient(t, "log-client", "", "client:all")
	clientToken := s.GrantClientToken(t, client, "client:all")

	tests := []struct {
		name string
		req  apitest.Req
		want map[string]string // attributes the line must have
		none []string          // attributes it must not have
	}{
		{"REST route with an id", apitest.Req{Method: http.MethodGet, Path: "/user/" + other.ID, Token: u.Token},
			map[string]string{"method": "GET", "route": "GET /user/{userId}", "status": "200", "user": u.ID}, []string{"operation", "client"}},
		{"REST refusal without a token", apitest.Req{Method: http.MethodGet, Path: "/user/me"},
			map[string]string{"route": "GET /user/me", "status": "401"}, []string{"user"}},
		{"unknown path", apitest.Req{Method: http.MethodGet, Path: "/no/such/" + other.ID},
			map[string]string{"route": "/", "status": "404"}, nil},
		{"GraphQL with a name", apitest.Req{Method: http.MethodPost, Path: "/graphql", Token: u.Token,
			JSON: map[string]any{"query": "query MyProfile { __typename me { id } }", "operationName": "MyProfile"}},
			map[string]string{"route": "/graphql", "operation": "query me", "operation_name": "MyProfile", "status": "200", "user": u.ID}, nil},
		{"GraphQL that does not parse", apitest.Req{Method: http.MethodPost, Path: "/graphql", JSON: map[string]any{"query": "query Broken {"}},
			map[string]string{"route": "/graphql", "operation": "invalid"}, nil},
		{"client token", apitest.Req{Method: http.MethodPost, Path: "/graphql", Token: clientToken,
			JSON: map[string]any{"query": "{ __typename }"}},
			map[string]string{"route": "/graphql", "operation": "query", "client": client.ClientID}, []string{"user"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "test-" + strconv.Itoa(i)
			tt.req.Header = map[string]string{httplog.Header: id}
			resp := s.Do(t, tt.req)
			lines := s.Logs.Find("request", map[string]string{"request_id": id})
			if len(lines) != 1 {
				t.Fatalf("%d access-log lines for request %s, want 1", len(lines), id)
			}
			got := lines[0].Attrs
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (line %v)", k, got[k], v, got)
				}
			}
			for _, k := range tt.none {
				if _, ok := got[k]; ok {
					t.Errorf("line has %s=%q, want none", k, got[k])
				}
			}
			if got["bytes"] != strconv.Itoa(len(resp.Raw)) {
				t.Errorf("bytes = %s, body was %d bytes", got["bytes"], len(resp.Raw))
			}
			if got["status"] != strconv.Itoa(resp.Status) {
				t.Errorf("status = %s, answer was %d", got["status"], resp.Status)
			}
			if got["duration"] == "" {
				t.Errorf("no duration in %v", got)
			}
		})
	}
}
