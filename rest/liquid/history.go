package liquid

import (
	"net/http"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/validate"
)

// Login history: the caller's own (GET /user/login-history) and any user's through the admin
// and client APIs (GET /user/{admin,client}-api/login-history?target=).

func (a *API) loginHistory(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !a.authorize(w, r, via, access.Shared("profile:login-history:read")) {
			return
		}
		f := query(r)
		c := validate.New(f.Location)
		c.ObjectID("target", f.Get("target"), true, 64)
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		recs, err := a.Accounts.LoginHistory(r.Context(), via, f.Str("target"), historyPage(f))
		a.records(w, r, recs, err, from{f, targetNames})
	}
}

func (a *API) myLoginHistory(w http.ResponseWriter, r *http.Request) {
	f := query(r)
	recs, err := a.Accounts.MyLoginHistory(r.Context(), historyPage(f))
	a.records(w, r, recs, err, from{Fields: f})
}

// historyPage reads Liquid's paging parameters; the domain checks them.
func historyPage(f accounts.Fields) accounts.HistoryPage {
	return accounts.HistoryPage{Limit: pageLimit(f), Offset: optString(f, "offset")}
}

func (a *API) records(w http.ResponseWriter, r *http.Request, recs []*ent.LoginHistory, err error, src from) {
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	out := make([]map[string]any, len(recs))
	for i, h := range recs {
		m := map[string]any{"_id": h.ID, "userAgent": h.UserAgent, "ipAddress": h.IPAddress, "success": h.Success,
			"source": h.Source, "targetId": h.UserID, "createdAt": jsTime(h.CreatedAt), "updatedAt": jsTime(h.UpdatedAt), "__v": 0}
		if h.Reason != nil {
			m["reason"] = *h.Reason
		}
		out[i] = m
	}
	ok(w, http.StatusOK, map[string]any{"records": out})
}
