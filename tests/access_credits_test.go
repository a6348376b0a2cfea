package tests

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"usergraph/internal/apitest"
)

func credits(t *testing.T, s *apitest.Server, id string) int {
	t.Helper()
	u, err := s.App.DB.User.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Credits
}

// Credits: increment, decrement and set (by "type", or "operation" as Liquid's docs say); the
// balance never goes negative.
func TestCredits(t *testing.T) {
	s := apitest.New(t)
	admin := s.NewAdmin(t, "credit_admin", "admin", "admin:profile:credits:write")
	u := s.NewUser(t, "credit_user")
	post := func(body map[string]any) *apitest.Response {
		body["target"] = u.ID
		return s.Post(t, "/user/admin-api/credits", admin.Token, body)
	}
	post(map[string]any{"type": "increment", "value": 50}).Expect(t, http.StatusOK, "")
	post(map[string]any{"operation": "decrement", "value": 20}).Expect(t, http.StatusOK, "")
	if got := credits(t, s, u.ID); got != 30 {
		t.Fatalf("balance %d, want 30", got)
	}
	post(map[string]any{"type": "decrement", "value": 31}).Expect(t, http.StatusBadRequest, "InsufficientCredits")
	post(map[string]any{"type": "set", "value": 7}).Expect(t, http.StatusOK, "")
	// Setting the same value again, or adding 0, is not an error (Liquid answered 400).
	post(map[string]any{"type": "set", "value": 7}).Expect(t, http.StatusOK, "")
	post(map[string]any{"type": "increment", "value": 0}).Expect(t, http.StatusOK, "")
	if got := credits(t, s, u.ID); got != 7 {
		t.Fatalf("balance %d, want 7", got)
	}
	expectField(t, post(map[string]any{"type": "increment", "value": -5}), "value")
	expectField(t, post(map[string]any{"type": "increment", "value": 1.5}), "value")
	expectField(t, post(map[string]any{"type": "increment", "value": "5"}), "value")
	expectField(t, post(map[string]any{"type": "double", "value": 5}), "type")
	expectField(t, post(map[string]any{"value": 5}), "type")
	s.Post(t, "/user/admin-api/credits", admin.Token, map[string]any{"target": unknownID, "type": "set", "value": 1}).Expect(t, http.StatusNotFound, "NotFound")
	s.Post(t, "/user/admin-api/credits", u.Token, map[string]any{"target": u.ID, "type": "set", "value": 1000}).Expect(t, http.StatusUnauthorized, "InsufficientPrivileges")
	s.Post(t, "/user/admin-api/credits", "", map[string]any{"target": u.ID, "type": "set", "value": 1000}).Expect(t, http.StatusUnauthorized, "Unauthorized")
	s.Post(t, "/user/client-api/credits", admin.Token, map[string]any{"target": u.ID, "type": "set", "value": 1}).Expect(t, http.StatusUnauthorized, "Unauthorized")
}

// Concurrent decrements never overdraw: with 20 credits, 30 simultaneous decrements of 1 give
// exactly 20 successes, 10 InsufficientCredits and a balance of 0. Runs on SQLite and, with
// DATABASE_URL, on PostgreSQL.
func TestConcurrentDecrementsNeverOverdraw(t *testing.T) {
	s := apitest.New(t)
	c := s.NewClient(t, "shop-service", "external_client", "client:profile:credits:write")
	u := s.NewUser(t, "shopper")
	s.Post(t, "/user/client-api/credits", c.Token, map[string]any{"target": u.ID, "type": "set", "value": 20}).Expect(t, http.StatusOK, "")

	const n = 30
	body, _ := json.Marshal(map[string]any{"target": u.ID, "type": "decrement", "value": 1})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		start    = make(chan struct{})
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/user/client-api/credits", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.Token)
			status := -1
			if resp, err := http.DefaultClient.Do(req); err == nil {
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				status = resp.StatusCode
				if status == http.StatusBadRequest && out["error"] != "InsufficientCredits" {
					status = -2
				}
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusOK] != 20 || statuses[http.StatusBadRequest] != 10 {
		t.Fatalf("want 20 successes and 10 InsufficientCredits, got %v", statuses)
	}
	if got := credits(t, s, u.ID); got != 0 {
		t.Fatalf("final balance %d, want 0", got)
	}
}
