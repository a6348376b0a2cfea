package liquid

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"usergraph/ent"
	"usergraph/internal/access"
	"usergraph/internal/accounts"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
	"usergraph/internal/social"
	"usergraph/internal/userfilter"
	"usergraph/internal/validate"
)

// socialRoutes are the social-graph routes (liquid-behaviour.md §2.2). More specific
// patterns win in ServeMux, so /user/followers and the like are not taken for /user/:userId.
func (a *API) socialRoutes() []Route {
	need := access.Session
	return []Route{
		{"POST /user/follow", a.follow, need(social.ScopeFollowRequest)},
		{"POST /user/unfollow", a.pairRoute(a.followsOn, social.ScopeFollowUnfollow, a.Social.Unfollow, nil), need(social.ScopeFollowUnfollow)},
		{"GET /user/follow-status", a.followStatus, need(social.ScopeFollowRead)},
		{"GET /user/follow-status/{userId}", a.followStatus, need(social.ScopeFollowRead)},
		{"GET /user/followers", a.followers, need(social.ScopeFollowRead)},
		{"GET /user/following", a.following, need(social.ScopeFollowRead)},
		{"GET /user/{userId}/{list}", a.userList, need(social.ScopeFollowRead)},
		{"GET /user/follow-requests", a.followRequests, need(social.ScopeFollowRead)},
		{"PATCH /user/follow-request", a.approveRequest, need(social.ScopeFollowAccept)},
		{"DELETE /user/follow-entry", a.deleteEntry, need(social.ScopeFollowRemove)},
		{"POST /user/block", a.pairRoute(always, social.ScopeBlockWrite, a.Social.Block, map[string]any{"status": "blocked"}), need(social.ScopeBlockWrite)},
		{"POST /user/unblock", a.pairRoute(always, social.ScopeBlockWrite, a.Social.Unblock, nil), need(social.ScopeBlockWrite)},
		{"GET /user/blocked-users", a.blockedUsers, need(social.ScopeBlockRead)},
		{"POST /user/search", a.search, need(social.ScopeSearch)},
		{"GET /user/invite-codes", a.inviteCodes, need(social.ScopeInviteCodeRead)},
	}
}

// always is the switch of routes Liquid always mounts.
func always() bool { return true }

// other renders another user as the caller may see them.
func (a *API) other(u *ent.User, hide []string) map[string]any {
	if u == nil {
		return nil
	}
	return a.renderHidden(u, hide)
}

// followsOn reports whether the follow routes exist (privilege.can-use-follow-apis).
func (a *API) followsOn() bool { return a.Config.Privilege.CanUseFollowAPIs }

// userGate makes, before a delegated social route validates its request, the checks Liquid
// makes before its validators run: the route exists (on; Liquid does not mount it otherwise:
// 404) and a user calls with scope. The domain operation makes them again.
func (a *API) userGate(w http.ResponseWriter, r *http.Request, on bool, scope string) bool {
	var err error
	if on {
		_, err = a.Accounts.Access().RequireUser(r.Context(), access.Session(scope))
	} else {
		err = apperr.New(apperr.NotFound, nil)
	}
	if err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

// idRequest decodes a request naming one account or entry by id: Liquid's field name (in the
// body, or the query of a GET) is checked as Liquid's validator checks it (a string of at most
// 64 characters that is an ObjectId), after the route's gate. domain is the operation's name
// for the field. On failure it has answered and returns false.
func (a *API) idRequest(w http.ResponseWriter, r *http.Request, on bool, scope, name, domain string) (from, string, bool) {
	f, err := fields(r)
	if err != nil {
		a.fail(w, r, err)
		return from{}, "", false
	}
	return a.checkID(w, r, f, on, scope, name, domain)
}

// checkID is idRequest for decoded fields.
func (a *API) checkID(w http.ResponseWriter, r *http.Request, f accounts.Fields, on bool, scope, name, domain string) (from, string, bool) {
	if !a.userGate(w, r, on, scope) {
		return from{}, "", false
	}
	c := validate.New(f.Location)
	v := validate.Field(f.Values, name)
	if !c.ObjectID(name, v, true, 64) {
		a.fail(w, r, apperr.Input(c.Errors()))
		return from{}, "", false
	}
	return from{f, map[string]string{domain: name}}, v.(string), true
}

func (a *API) follow(w http.ResponseWriter, r *http.Request) {
	src, id, valid := a.idRequest(w, r, a.followsOn(), social.ScopeFollowRequest, "target", "userId")
	if !valid {
		return
	}
	status, _, err := a.Social.Follow(r.Context(), id)
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	ok(w, http.StatusOK, map[string]any{"status": status})
}

// pairRoute serves the routes that change the caller's relation to {target} and answer
// data: unfollow, block and unblock.
func (a *API) pairRoute(on func() bool, scope string, op func(context.Context, string) error, data any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		src, id, valid := a.idRequest(w, r, on(), scope, "target", "userId")
		if !valid {
			return
		}
		if err := op(r.Context(), id); err != nil {
			a.failFrom(w, r, err, src)
			return
		}
		ok(w, http.StatusOK, data)
	}
}

// followStatus serves GET /user/follow-status?target= and GET /user/follow-status/:userId.
func (a *API) followStatus(w http.ResponseWriter, r *http.Request) {
	f, name := query(r), "target"
	if id := r.PathValue("userId"); id != "" {
		f, name = accounts.Fields{Location: validate.Params, Values: map[string]any{"userId": id}}, "userId"
	}
	src, id, valid := a.checkID(w, r, f, a.followsOn(), social.ScopeFollowRead, name, "userId")
	if !valid {
		return
	}
	st, err := a.Social.FollowStatus(r.Context(), id)
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	data := map[string]any{"following": st.Following}
	if st.Requested {
		data["requested"] = true
	}
	ok(w, http.StatusOK, data)
}

func (a *API) followers(w http.ResponseWriter, r *http.Request) {
	a.followList(w, r, "", a.Social.Followers, "source")
}

func (a *API) following(w http.ResponseWriter, r *http.Request) {
	a.followList(w, r, "", a.Social.Following, "target")
}

// userList serves GET /user/:userId/followers and GET /user/:userId/following.
func (a *API) userList(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("list") {
	case "followers":
		a.followList(w, r, r.PathValue("userId"), a.Social.Followers, "source")
	case "following":
		a.followList(w, r, r.PathValue("userId"), a.Social.Following, "target")
	default:
		notFound(w, r)
	}
}

// followList serves a followers or following list of userID ("" for the caller's own): the
// route's gate, then the page, then a userID from the path, checked as GET /user/:userId
// checks it.
func (a *API) followList(w http.ResponseWriter, r *http.Request, userID string, op func(context.Context, string, social.Page) ([]social.Entry, error), side string) {
	f := query(r)
	if !a.userGate(w, r, a.followsOn(), social.ScopeFollowRead) {
		return
	}
	p, err := listPage(f)
	if err == nil && userID != "" && !validate.IsObjectID(userID) {
		err = apperr.New(apperr.ClientInputError, map[string]any{"msg": validate.Msg, "param": "userId", "location": "params"})
	}
	var entries []social.Entry
	if err == nil {
		entries, err = op(r.Context(), userID, p)
	}
	a.writeFollows(w, r, entries, err, from{Fields: f}, side, false)
}

func (a *API) followRequests(w http.ResponseWriter, r *http.Request) {
	f := query(r)
	if !a.userGate(w, r, a.followsOn(), social.ScopeFollowRead) {
		return
	}
	p, err := listPage(f)
	var entries []social.Entry
	if err == nil {
		entries, err = a.Social.FollowRequests(r.Context(), p)
	}
	a.writeFollows(w, r, entries, err, from{Fields: f}, "source", true)
}

// listPage decodes a list's limit and offset from its query string. limit is read as
// JavaScript's parseInt reads it ("25.7" is 25); one that is not a number at all has no typed
// form and is refused here (Liquid answers 500 or uses the default). The domain's page rules
// are applied too, so that one answer names every bad parameter.
func listPage(f accounts.Fields) (social.Page, error) {
	var (
		p social.Page
		c rules.Check
	)
	if v := validate.Field(f.Values, "limit"); v != nil {
		if n, ok := jsParseInt(v); ok {
			p.Limit = &n
		} else {
			c.Fail("limit", rules.PageLimit.ID, rules.PageLimit.Message)
		}
	}
	p.Offset, _ = f.Values["offset"].(string)
	p.Check(&c)
	return p, c.Err()
}

// jsParseInt reads v as parseInt(String(v)) does: optional sign, then the leading digits.
func jsParseInt(v any) (int, bool) {
	var str string
	switch x := v.(type) {
	case string:
		str = x
	case float64:
		str = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return 0, false
	}
	str = strings.TrimLeftFunc(str, unicode.IsSpace)
	neg := false
	if str != "" && (str[0] == '-' || str[0] == '+') {
		neg = str[0] == '-'
		str = str[1:]
	}
	n, digits := 0, 0
	for _, r := range str {
		if r < '0' || r > '9' {
			break
		}
		digits++
		if n < 1<<30 {
			n = n*10 + int(r-'0')
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// writeFollows answers {records:[{_id, approved, createdAt, source|target}]}; follow requests
// also carry updatedAt, as in Liquid.
func (a *API) writeFollows(w http.ResponseWriter, r *http.Request, entries []social.Entry, err error, src from, side string, withUpdated bool) {
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	ok(w, http.StatusOK, map[string]any{"records": followRecords(entries, side, withUpdated, func(e social.Entry) map[string]any {
		return a.other(e.User, e.Hide)
	})})
}

// followRecords renders follow entries as Liquid's records, each listed user by render.
func followRecords(entries []social.Entry, side string, withUpdated bool, render func(social.Entry) map[string]any) []map[string]any {
	records := make([]map[string]any, len(entries))
	for i, e := range entries {
		rec := map[string]any{
			"_id":       e.Follow.ID,
			"approved":  e.Follow.Approved,
			"createdAt": jsTime(e.Follow.CreatedAt),
			side:        render(e),
		}
		if withUpdated {
			rec["updatedAt"] = jsTime(e.Follow.UpdatedAt)
		}
		records[i] = rec
	}
	return records
}

func (a *API) approveRequest(w http.ResponseWriter, r *http.Request) {
	src, id, valid := a.idRequest(w, r, a.followsOn(), social.ScopeFollowAccept, "request", "requestId")
	if !valid {
		return
	}
	if _, err := a.Social.ApproveRequest(r.Context(), id); err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) deleteEntry(w http.ResponseWriter, r *http.Request) {
	src, id, valid := a.idRequest(w, r, a.followsOn(), social.ScopeFollowRemove, "entry", "entryId")
	if !valid {
		return
	}
	if err := a.Social.DeleteEntry(r.Context(), id); err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	ok(w, http.StatusOK, nil)
}

// blockedUsers answers {records:[{_id, createdAt, target}]}, newest first.
func (a *API) blockedUsers(w http.ResponseWriter, r *http.Request) {
	f := query(r)
	if !a.userGate(w, r, true, social.ScopeBlockRead) {
		return
	}
	p, err := listPage(f)
	var entries []social.BlockEntry
	if err == nil {
		entries, err = a.Social.BlockedUsers(r.Context(), p)
	}
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	records := make([]map[string]any, len(entries))
	for i, e := range entries {
		records[i] = map[string]any{"_id": e.Block.ID, "createdAt": jsTime(e.Block.CreatedAt), "target": a.other(e.User, e.Hide)}
	}
	ok(w, http.StatusOK, map[string]any{"records": records})
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	f, err := body(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !a.userGate(w, r, a.Config.Privilege.CanUseDelegatedSearch, social.ScopeSearch) {
		return
	}
	q, err := userfilter.Parse(validate.Field(f.Values, "query"))
	var found []social.UserView
	if err == nil {
		found, err = a.Social.Search(r.Context(), q)
	}
	if err != nil {
		a.failFrom(w, r, err, from{Fields: f})
		return
	}
	results := make([]map[string]any, len(found))
	for i, v := range found {
		results[i] = a.other(v.User, v.Hide)
	}
	ok(w, http.StatusOK, map[string]any{"results": results})
}

func (a *API) inviteCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := a.Social.InviteCodes(r.Context())
	a.writeInviteCodes(w, r, codes, err, from{})
}

// writeInviteCodes answers {inviteCodes:[{code, targetId?, createdAt, updatedAt}]}.
func (a *API) writeInviteCodes(w http.ResponseWriter, r *http.Request, codes []*ent.InviteCode, err error, src from) {
	if err != nil {
		a.failFrom(w, r, err, src)
		return
	}
	out := make([]map[string]any, len(codes))
	for i, c := range codes {
		m := map[string]any{"code": c.Code, "createdAt": jsTime(c.CreatedAt), "updatedAt": jsTime(c.UpdatedAt)}
		if c.TargetID != nil {
			m["targetId"] = *c.TargetID
		}
		out[i] = m
	}
	ok(w, http.StatusOK, map[string]any{"inviteCodes": out})
}

// serviceSocialRoutes are the social operations of the admin and client APIs
// (liquid-behaviour.md §2.3, §2.4): block and follow status and the follow lists of any user
// (client API only; followers and following are also served under Liquid's documented names),
// invite codes and search (both APIs).
func (a *API) serviceSocialRoutes() []Route {
	client := access.ViaClient
	rs := []Route{
		{"GET /user/client-api/block-status", a.serviceStatus(always, social.ScopeClientBlockRead, a.Social.AdminBlockStatus, "blocked"), access.Session(social.ScopeClientBlockRead)},
		{"GET /user/client-api/follow-status", a.serviceStatus(a.followsOn, social.ScopeClientFollowRead, a.Social.AdminFollowStatus, "following"), access.Session(social.ScopeClientFollowRead)},
		{"GET /user/client-api/user-followers", a.serviceList(client, a.Social.AdminFollowers, "source"), access.Session(social.ScopeClientFollowRead)},
		{"GET /user/client-api/followers", a.serviceList(client, a.Social.AdminFollowers, "source"), access.Session(social.ScopeClientFollowRead)},
		{"GET /user/client-api/user-following", a.serviceList(client, a.Social.AdminFollowing, "target"), access.Session(social.ScopeClientFollowRead)},
		{"GET /user/client-api/following", a.serviceList(client, a.Social.AdminFollowing, "target"), access.Session(social.ScopeClientFollowRead)},
		{"POST /user/admin-api/search", a.serviceSearch(access.ViaAdmin), access.Session(social.ScopeAdminSearch)},
		{"POST /user/client-api/search", a.serviceSearch(client), access.Session(social.ScopeClientSearch)},
	}
	for _, api := range []struct {
		prefix string
		via    access.Via
	}{{"admin-api", access.ViaAdmin}, {"client-api", access.ViaClient}} {
		rs = append(rs,
			Route{"GET /user/" + api.prefix + "/invite-codes", a.serviceInviteCodes(api.via), access.Shared(social.SharedInviteCodeRead)},
			Route{"POST /user/" + api.prefix + "/invite-codes", a.generateInviteCodes(api.via), access.Shared(social.SharedInviteCodeWrite)},
		)
	}
	return rs
}

// serviceGate makes, before a route of the admin or client API validates its request, the
// checks Liquid makes before its validators run: the route exists (on, else 404) and the
// caller meets req. The domain operation makes them again.
func (a *API) serviceGate(w http.ResponseWriter, r *http.Request, on bool, via access.Via, req access.Requirement) bool {
	if !on {
		a.fail(w, r, apperr.New(apperr.NotFound, nil))
		return false
	}
	return a.authorize(w, r, via, req)
}

// statusNames: Liquid's names of the pair a status route asks about.
var statusNames = map[string]string{"sourceId": "source", "targetId": "target"}

// serviceStatus serves block-status and follow-status ?source&target: {<name>: bool}.
func (a *API) serviceStatus(on func() bool, scope string, op func(context.Context, access.Via, string, string) (bool, error), name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := query(r)
		if !a.serviceGate(w, r, on(), access.ViaClient, access.Session(scope)) {
			return
		}
		c := validate.New(f.Location)
		c.ObjectID("source", f.Get("source"), true, 64)
		c.ObjectID("target", f.Get("target"), true, 64)
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		yes, err := op(r.Context(), access.ViaClient, f.Str("source"), f.Str("target"))
		if err != nil {
			a.failFrom(w, r, err, from{f, statusNames})
			return
		}
		ok(w, http.StatusOK, map[string]any{name: yes})
	}
}

// serviceTarget decodes the target a route of the admin or client API is about (the query's
// target, checked as Liquid's validator checks it) after the route's gate.
func (a *API) serviceTarget(w http.ResponseWriter, r *http.Request, f accounts.Fields) (string, bool) {
	c := validate.New(f.Location)
	c.ObjectID("target", f.Get("target"), true, 64)
	if err := edgeErr(c); err != nil {
		a.fail(w, r, err)
		return "", false
	}
	return f.Str("target"), true
}

// serviceList serves user-followers and user-following ?target&limit&offset: {records:[{_id,
// approved, createdAt, source|target}]}, the users in the admin/client projection.
func (a *API) serviceList(via access.Via, op func(context.Context, access.Via, string, social.Page) ([]social.Entry, error), side string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := query(r)
		if !a.serviceGate(w, r, a.followsOn(), via, access.Session(social.ScopeClientFollowRead)) {
			return
		}
		p, err := listPage(f)
		if err != nil {
			a.failFrom(w, r, err, from{Fields: f})
			return
		}
		target, valid := a.serviceTarget(w, r, f)
		if !valid {
			return
		}
		entries, err := op(r.Context(), via, target, p)
		if err != nil {
			a.failFrom(w, r, err, from{f, targetNames})
			return
		}
		ok(w, http.StatusOK, map[string]any{"records": followRecords(entries, side, false, func(e social.Entry) map[string]any {
			return a.admin(e.User)
		})})
	}
}

func (a *API) serviceInviteCodes(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := query(r)
		if !a.serviceGate(w, r, a.Social.InviteCodesOn(), via, access.Shared(social.SharedInviteCodeRead)) {
			return
		}
		target, valid := a.serviceTarget(w, r, f)
		if !valid {
			return
		}
		codes, err := a.Social.AdminInviteCodes(r.Context(), via, target)
		a.writeInviteCodes(w, r, codes, err, from{f, targetNames})
	}
}

// generateInviteCodes serves POST invite-codes {target, count}: {"ok":1}, as in Liquid.
func (a *API) generateInviteCodes(via access.Via) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !a.serviceGate(w, r, a.Social.InviteCodesOn(), via, access.Shared(social.SharedInviteCodeWrite)) {
			return
		}
		c := validate.New(f.Location)
		c.ObjectID("target", validate.Field(f.Values, "target"), true, 64)
		count := inviteCount(c, validate.Field(f.Values, "count"))
		if err := edgeErr(c); err != nil {
			a.fail(w, r, err)
			return
		}
		in := social.GenerateInviteCodesInput{UserID: f.Str("target"), Count: count}
		if _, err := a.Social.GenerateInviteCodes(r.Context(), via, in); err != nil {
			a.failFrom(w, r, err, from{f, targetNames})
			return
		}
		ok(w, http.StatusOK, nil)
	}
}

var intText = regexp.MustCompile(`^\s*[+-]?\d+\s*$`)

// inviteCount reads the count of POST invite-codes: an integer, as a JSON number or as digits
// in a string (form bodies send strings); nil when absent or null (the default). Liquid reads
// parseInt(count) || default; a negative or fractional count, or anything else, is refused
// here, naming count.
func inviteCount(c *validate.Checker, v any) *int {
	var (
		n  float64
		ok bool
	)
	switch x := v.(type) {
	case nil, validate.NullValue:
		return nil
	case string:
		if intText.MatchString(x) {
			n, ok = parseFloat(strings.TrimSpace(x))
		}
	case float64:
		n, ok = x, x == math.Trunc(x)
	case json.Number:
		n, ok = parseFloat(string(x))
		ok = ok && n == math.Trunc(n)
	}
	if !ok || n < 0 || math.IsInf(n, 0) {
		c.Add("count", v)
		return nil
	}
	// More than any max-limit-per-request: the domain refuses it as too many.
	count := int(min(n, 1<<20))
	return &count
}

func parseFloat(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// serviceSearch serves the admin and client searches: {results:[user]}, the users in the
// admin/client projection. The admin API's search is switched off by
// privilege.can-use-admin-user-search-api (404, as Liquid does not mount it).
func (a *API) serviceSearch(via access.Via) http.HandlerFunc {
	scope := social.ScopeAdminSearch
	if via == access.ViaClient {
		scope = social.ScopeClientSearch
	}
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := body(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		on := via != access.ViaAdmin || a.Config.Privilege.CanUseAdminSearch
		if !a.serviceGate(w, r, on, via, access.Session(scope)) {
			return
		}
		q, err := userfilter.Parse(validate.Field(f.Values, "query"))
		var users []*ent.User
		if err == nil {
			users, err = a.Social.AdminSearch(r.Context(), via, q)
		}
		if err != nil {
			a.failFrom(w, r, err, from{Fields: f})
			return
		}
		ok(w, http.StatusOK, map[string]any{"results": a.admins(users)})
	}
}
