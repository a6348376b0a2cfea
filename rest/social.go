package rest

import (
	"net/http"
	"usergraph/internal/access"

	"usergraph/ent"
	"usergraph/internal/accounts"
	"usergraph/internal/social"
	"usergraph/internal/validate"
)

// registerSocial adds the social-graph routes (liquid-behaviour.md §2.2). More specific
// patterns win in ServeMux, so /user/followers and the like are not taken for /user/:userId.
func (a *API) socialRoutes() []Route {
	need := access.Session
	return []Route{
		{"POST /user/follow", a.follow, need(social.ScopeFollowRequest)},
		{"POST /user/unfollow", a.unfollow, need(social.ScopeFollowUnfollow)},
		{"GET /user/follow-status", a.followStatus, need(social.ScopeFollowRead)},
		{"GET /user/follow-status/{userId}", a.followStatus, need(social.ScopeFollowRead)},
		{"GET /user/followers", a.followers, need(social.ScopeFollowRead)},
		{"GET /user/following", a.following, need(social.ScopeFollowRead)},
		{"GET /user/{userId}/{list}", a.userList, need(social.ScopeFollowRead)},
		{"GET /user/follow-requests", a.followRequests, need(social.ScopeFollowRead)},
		{"PATCH /user/follow-request", a.approveRequest, need(social.ScopeFollowAccept)},
		{"DELETE /user/follow-entry", a.deleteEntry, need(social.ScopeFollowRemove)},
		{"POST /user/block", a.block, need(social.ScopeBlockWrite)},
		{"POST /user/unblock", a.unblock, need(social.ScopeBlockWrite)},
		{"GET /user/blocked-users", a.blockedUsers, need(social.ScopeBlockRead)},
		{"POST /user/search", a.search, need(social.ScopeSearch)},
		{"GET /user/invite-codes", a.inviteCodes, need(social.ScopeInviteCodeRead)},
	}
}

// other renders another user as the caller may see them.
func (a *API) other(u *ent.User, hide []string) map[string]any {
	if u == nil {
		return nil
	}
	return renderUser(u, viewPublic, a.Config.Profile.HydrateCustomDataDelegated, hide, a.Config.Subscription.BaseTier)
}

func (a *API) follow(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status, _, err := a.Social.Follow(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, map[string]any{"status": status})
}

func (a *API) unfollow(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Social.Unfollow(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) followStatus(w http.ResponseWriter, r *http.Request) {
	f := query(r)
	if id := r.PathValue("userId"); id != "" {
		f = accounts.Fields{Location: validate.Params, Values: map[string]any{"userId": id}}
	}
	st, err := a.Social.FollowStatus(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	data := map[string]any{"following": st.Following}
	if st.Requested {
		data["requested"] = true
	}
	ok(w, http.StatusOK, data)
}

func (a *API) followers(w http.ResponseWriter, r *http.Request) {
	entries, err := a.Social.Followers(r.Context(), "", query(r))
	a.writeFollows(w, r, entries, err, "source", false)
}

func (a *API) following(w http.ResponseWriter, r *http.Request) {
	entries, err := a.Social.Following(r.Context(), "", query(r))
	a.writeFollows(w, r, entries, err, "target", false)
}

// userList serves GET /user/:userId/followers and GET /user/:userId/following.
func (a *API) userList(w http.ResponseWriter, r *http.Request) {
	var (
		entries []social.Entry
		err     error
		side    string
	)
	switch r.PathValue("list") {
	case "followers":
		entries, err = a.Social.Followers(r.Context(), r.PathValue("userId"), query(r))
		side = "source"
	case "following":
		entries, err = a.Social.Following(r.Context(), r.PathValue("userId"), query(r))
		side = "target"
	default:
		notFound(w, r)
		return
	}
	a.writeFollows(w, r, entries, err, side, false)
}

func (a *API) followRequests(w http.ResponseWriter, r *http.Request) {
	entries, err := a.Social.FollowRequests(r.Context(), query(r))
	a.writeFollows(w, r, entries, err, "source", true)
}

// writeFollows answers {records:[{_id, approved, createdAt, source|target}]}; follow requests
// also carry updatedAt, as in Liquid.
func (a *API) writeFollows(w http.ResponseWriter, r *http.Request, entries []social.Entry, err error, side string, withUpdated bool) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	records := make([]map[string]any, len(entries))
	for i, e := range entries {
		rec := map[string]any{
			"_id":       e.Follow.ID,
			"approved":  e.Follow.Approved,
			"createdAt": jsTime(e.Follow.CreatedAt),
			side:        a.other(e.User, e.Hide),
		}
		if withUpdated {
			rec["updatedAt"] = jsTime(e.Follow.UpdatedAt)
		}
		records[i] = rec
	}
	ok(w, http.StatusOK, map[string]any{"records": records})
}

func (a *API) approveRequest(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		_, err = a.Social.ApproveRequest(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) deleteEntry(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Social.DeleteEntry(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

func (a *API) block(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Social.Block(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, map[string]any{"status": "blocked"})
}

func (a *API) unblock(w http.ResponseWriter, r *http.Request) {
	f, err := fields(r)
	if err == nil {
		err = a.Social.Unblock(r.Context(), f)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ok(w, http.StatusOK, nil)
}

// blockedUsers answers {records:[{_id, createdAt, target}]}, newest first.
func (a *API) blockedUsers(w http.ResponseWriter, r *http.Request) {
	entries, err := a.Social.BlockedUsers(r.Context(), query(r))
	if err != nil {
		a.fail(w, r, err)
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
	found, err := a.Social.Search(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
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
	if err != nil {
		a.fail(w, r, err)
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
