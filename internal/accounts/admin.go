package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"usergraph/ent"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/rules"
	"usergraph/internal/validate"
)

// The admin and client APIs (/user/admin-api/*, /user/client-api/*, and the matching GraphQL
// fields) act on any user. Each operation takes the API it is reached through (access.Via):
// the client API refuses user tokens, and the entity decides which editable-field list applies.
// Every operation that changes a user applies the rank rule (the caller must outrank the
// user's role), which Liquid forgets on most of them.

// MaxCustomData is the largest custom data value accepted, in bytes of JSON.
const MaxCustomData = 16 << 10

// actOn loads the target of an admin operation and applies the rank rule: 404 NotFound for an
// unknown id, 401 InsufficientPrivileges when the caller does not outrank the target's role.
func (s *Service) actOn(ctx context.Context, c *access.Caller, id string) (*ent.User, error) {
	u, err := s.db.User.Get(ctx, strings.ToLower(id))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	if err != nil {
		return nil, err
	}
	if err := s.access.CheckRoles(ctx, c, u.Role); err != nil {
		return nil, err
	}
	return u, nil
}

// targetAndState validates the common {target, state} body.
func targetAndState(f Fields, reasonField bool) *validate.Checker {
	c := validate.New(f.Location)
	c.ObjectID("target", f.get("target"), true, 64)
	c.Bool("state", f.get("state"), true)
	if reasonField {
		c.StringLen("reason", f.get("reason"), false, 8, 128)
	}
	return c
}

// flag starts an operation that sets a flag on a user ({target, state}, with reason when
// reasonField): the check r, the body, and the target with the rank rule.
func (s *Service) flag(ctx context.Context, via access.Via, r access.Requirement, f Fields, reasonField bool) (c *access.Caller, t *ent.User, state bool, err error) {
	if c, err = s.access.Through(ctx, via, r); err != nil {
		return nil, nil, false, err
	}
	if err = inputErr(targetAndState(f, reasonField)); err != nil {
		return nil, nil, false, err
	}
	if t, err = s.actOn(ctx, c, f.str("target")); err != nil {
		return nil, nil, false, err
	}
	state, _ = f.get("state").(bool)
	return c, t, state, nil
}

// Ban bans or un-bans a user (POST …/ban). Banning ends every session of the user in the same
// transaction, so their tokens stop working at once.
func (s *Service) Ban(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, t, state, err := s.flag(ctx, via, access.Shared("profile:ban:write"), f, true)
	if err != nil {
		return nil, err
	}
	var updated *ent.User
	err = withTx(ctx, s.db, func(tx *ent.Tx) error {
		up := tx.User.UpdateOneID(t.ID).SetIsBanned(state).SetBannedDate(s.now()).SetBannedBy(c.ID())
		if r := f.str("reason"); r != "" {
			up.SetBannedReason(r)
		} else {
			up.ClearBannedReason()
		}
		var err error
		if updated, err = up.Save(ctx); err != nil {
			return err
		}
		if state {
			return auth.RevokeAllForUser(ctx, tx.Client(), t.ID, "")
		}
		return nil
	})
	return updated, err
}

// Restrict marks or unmarks a user as restricted (POST …/restrict): a flag for the
// applications, with no effect inside usergraph.
func (s *Service) Restrict(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, t, state, err := s.flag(ctx, via, access.Shared("profile:restrict:write"), f, true)
	if err != nil {
		return nil, err
	}
	up := s.db.User.UpdateOneID(t.ID).SetIsRestricted(state).SetRestrictedDate(s.now()).SetRestrictedBy(c.ID())
	if r := f.str("reason"); r != "" {
		up.SetRestrictedReason(r)
	} else {
		up.ClearRestrictedReason()
	}
	return up.Save(ctx)
}

// ScopeVerify is the scope of Verify, a session check without the super_admin bypass.
const ScopeVerify = "admin:profile:verifications:write"

// Verify gives or takes a user's blue check (POST /user/admin-api/verify; no client route).
func (s *Service) Verify(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, t, state, err := s.flag(ctx, via, access.Session(ScopeVerify), f, false)
	if err != nil {
		return nil, err
	}
	return s.db.User.UpdateOneID(t.ID).SetVerified(state).SetVerifiedDate(s.now()).SetVerifiedBy(c.ID()).Save(ctx)
}

// Credits changes a user's balance (POST …/credits): {target, type|operation, value}. A
// decrement is one conditional UPDATE (credits >= value), so concurrent decrements never take
// the balance below zero; one that would gives 400 InsufficientCredits. Unlike Liquid, a change
// that leaves the balance as it was (increment 0, set to the same value) is not an error.
func (s *Service) Credits(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:credits:write"))
	if err != nil {
		return nil, err
	}
	// Liquid's code reads "type", its docs "operation": accept both.
	opField := "type"
	if f.get("type") == nil && f.get("operation") != nil {
		opField = "operation"
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", f.get("target"), true, 128)
	ch.OneOf(opField, f.get(opField), true, "increment", "decrement", "set")
	ch.Int("value", f.get("value"), true, 0)
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	t, err := s.actOn(ctx, c, f.str("target"))
	if err != nil {
		return nil, err
	}
	value := intOf(f.get("value"))
	q := s.db.User.Update().Where(user.ID(t.ID))
	switch f.str(opField) {
	case "increment":
		q.AddCredits(value)
	case "decrement":
		q.Where(user.CreditsGTE(value)).AddCredits(-value)
	default:
		q.SetCredits(value)
	}
	n, err := q.Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperr.New(apperr.InsufficientCredits, nil)
	}
	return s.db.User.Get(ctx, t.ID)
}

// SetCustomData replaces a user's custom data whole (PUT …/custom-data): an object, an
// array, null, true or false, at most MaxCustomData bytes of JSON.
func (s *Service) SetCustomData(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:custom-data:write"))
	if err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", f.get("target"), true, 128)
	var data []byte
	if ch.CustomData("customData", f.get("customData"), true) {
		if data, err = json.Marshal(f.get("customData")); err != nil || len(data) > MaxCustomData {
			ch.Add("customData", nil)
		}
	}
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	t, err := s.actOn(ctx, c, f.str("target"))
	if err != nil {
		return nil, err
	}
	return s.db.User.UpdateOneID(t.ID).SetCustomData(string(data)).Save(ctx)
}

// SetSubscription sets a user's subscription (POST …/subscription): state, expiry (required
// when subscribing), tier (one of user.subscription.tier-list) and subscriptionIdentifier.
func (s *Service) SetSubscription(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:subscriptions:write"))
	if err != nil {
		return nil, err
	}
	ch := targetAndState(f, false)
	state, _ := f.get("state").(bool)
	expiry, hasExpiry := isoTime(ch, "expiry", f.get("expiry"), state)
	ch.OneOf("tier", f.get("tier"), false, s.cfg.Subscription.Tiers...)
	ident := ""
	switch v := f.get("subscriptionIdentifier").(type) {
	case nil:
	case string:
		ident = v
	case float64:
		ident = numberText(v)
	default:
		ch.Add("subscriptionIdentifier", v)
	}
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	t, err := s.actOn(ctx, c, f.str("target"))
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !hasExpiry {
		expiry = now
	}
	up := s.db.User.UpdateOneID(t.ID).SetIsSubscribed(state).SetSubscriptionActivatedAt(now).SetSubscriptionExpiry(expiry)
	if tier := f.str("tier"); tier != "" {
		up.SetSubscriptionTier(tier)
	} else {
		up.ClearSubscriptionTier()
	}
	if f.get("subscriptionIdentifier") != nil {
		up.SetSubscriptionIdentifier(ident)
	}
	if state {
		// A new subscription is not a cancelled one.
		up.SetSubscriptionCancelled(false).ClearSubscriptionCancelledAt()
	}
	return up.Save(ctx)
}

func numberText(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CancelSubscription marks a subscription as cancelled or not (POST …/subscription-cancel).
func (s *Service) CancelSubscription(ctx context.Context, via access.Via, f Fields) (*ent.User, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:subscriptions:write"))
	if err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	ch.ObjectID("target", f.get("target"), true, 64)
	ch.Bool("cancelled", f.get("cancelled"), true)
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	t, err := s.actOn(ctx, c, f.str("target"))
	if err != nil {
		return nil, err
	}
	cancelled, _ := f.get("cancelled").(bool)
	up := s.db.User.UpdateOneID(t.ID).SetSubscriptionCancelled(cancelled)
	if cancelled {
		up.SetSubscriptionCancelledAt(s.now())
	} else {
		up.ClearSubscriptionCancelledAt()
	}
	return up.Save(ctx)
}

// SubscriptionActive reports whether u's subscription counts: subscribed, on a tier other than
// the base tier, and not expired. Anything else is presented as the base tier, unsubscribed
// (liquid-behaviour.md §4.18), in REST and GraphQL alike.
func SubscriptionActive(u *ent.User, baseTier string) bool {
	return u.IsSubscribed && u.SubscriptionTier != nil && *u.SubscriptionTier != baseTier &&
		u.SubscriptionExpiry != nil && !time.Now().After(*u.SubscriptionExpiry)
}

// PresentedSubscription is what a reader is shown of u's subscription.
func (s *Service) PresentedSubscription(u *ent.User) (subscribed bool, tier *string) {
	if SubscriptionActive(u, s.cfg.Subscription.BaseTier) {
		return true, u.SubscriptionTier
	}
	base := s.cfg.Subscription.BaseTier
	return false, &base
}

// SubscriptionTier is one configured tier.
type SubscriptionTier struct {
	Name       string `json:"name"`
	IsBaseTier bool   `json:"isBaseTier"`
}

// SubscriptionTiers lists user.subscription.tier-list (GET /user/admin-api/subscription-tiers).
func (s *Service) SubscriptionTiers(ctx context.Context, via access.Via) ([]SubscriptionTier, error) {
	if _, err := s.access.Through(ctx, via, access.Shared("configuration:read")); err != nil {
		return nil, err
	}
	out := make([]SubscriptionTier, 0, len(s.cfg.Subscription.Tiers))
	for _, t := range s.cfg.Subscription.Tiers {
		out = append(out, SubscriptionTier{Name: t, IsBaseTier: t == s.cfg.Subscription.BaseTier})
	}
	return out, nil
}

// editableFor is the editable-field list of the caller's entity.
func (s *Service) editableFor(via access.Via, c *access.Caller) []string {
	if via.Entity(c) == "client" {
		return s.cfg.Profile.ClientEditableFields
	}
	return s.cfg.Profile.AdminEditableFields
}

// sensitiveScope is the shared scope (after the entity) a field's write level needs.
func sensitiveScope(field string) string {
	return "profile:sensitive:" + WriteLevel(field) + ":write"
}

// AdminEditableFields lists the fields the caller may change with AdminUpdate: the configured
// list, filtered by the caller's sensitivity scopes (GET …/editable-fields).
func (s *Service) AdminEditableFields(ctx context.Context, via access.Via) ([]string, error) {
	c, err := s.access.Through(ctx, via, access.Shared("configuration:read"))
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, k := range s.editableFor(via, c) {
		if c.AllowsShared(sensitiveScope(k)) {
			out = append(out, k)
		}
	}
	return out, nil
}

// AdminMayUpdate checks the caller may name these fields in an admin/client update: each in
// the entity's editable list (else 401 InsufficientPrivileges listing the refused fields) and
// covered by the caller's sensitivity scope for it (else 401 with the field). The Liquid API
// asks it before validating values, as Liquid does; AdminUpdate asks it again.
func (s *Service) AdminMayUpdate(ctx context.Context, via access.Via, names []string) (*access.Caller, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:write"))
	if err != nil {
		return nil, err
	}
	editable := s.editableFor(via, c)
	var refused []apperr.Violation
	for _, k := range names {
		if _, known := s.Editable(k, false); !known || !slices.Contains(editable, k) {
			refused = append(refused, apperr.Violation{Field: k, Rule: "editable", Message: "is not editable by this caller"})
		}
	}
	if len(refused) > 0 {
		return nil, &apperr.Error{Code: apperr.InsufficientPrivileges, Violations: refused}
	}
	for _, k := range names {
		if !c.AllowsShared(sensitiveScope(k)) {
			return nil, apperr.New(apperr.InsufficientPrivileges, map[string]any{"field": k})
		}
	}
	return c, nil
}

// AdminUpdate changes another user's profile (PATCH …/update, adminUpdateUser) and returns the
// updated user. Beyond AdminMayUpdate, the values must pass the table's rules (else 400) and the
// caller must outrank the user's role and any new role (else 401).
func (s *Service) AdminUpdate(ctx context.Context, via access.Via, targetID string, p ProfileUpdate) (*ent.User, error) {
	names := p.names()
	c, err := s.AdminMayUpdate(ctx, via, names)
	if err != nil {
		return nil, err
	}
	var ch rules.Check
	ch.String("id", targetID, rules.ID)
	s.checkUpdate(&ch, p)
	if (slices.Contains(names, "phone") || slices.Contains(names, "phoneCountryCode")) && !s.cfg.Privilege.CanUsePhoneNumber {
		ch.Fail("phone", "disabled", "phone numbers are not used on this server")
	}
	if err := ch.Err(); err != nil {
		return nil, err
	}
	t, err := s.actOn(ctx, c, strings.ToLower(targetID))
	if err != nil {
		return nil, err
	}
	if role, set := p.Text["role"].Value(); set {
		r, err := s.access.Role(ctx, role)
		if err != nil {
			return nil, err
		}
		if r == nil || r.Type != "user" {
			return nil, apperr.Invalid(apperr.Violation{Field: "role", Rule: "role", Message: "must be the id of a user role"})
		}
		if err := s.access.CheckRoles(ctx, c, r.ID); err != nil {
			return nil, err
		}
	}
	keep := ""
	if c.User != nil && c.User.ID == t.ID {
		keep = c.Session.ID
	}
	return s.applyProfile(ctx, t, keep, p)
}

// retrieveFields are the fields retrieve-user-info may look users up by.
var retrieveFields = []string{"_id", "email", "sanitizedEmail", "secondaryEmail"}

// RetrieveUsers returns the users named by targets (POST …/retrieve-user-info, and GET
// …/user-info with comma-separated ids), looked up by field (_id by default). Unlike Liquid,
// the input is validated: at most get-user-max-items targets, ids must be ids.
func (s *Service) RetrieveUsers(ctx context.Context, via access.Via, f Fields) ([]*ent.User, error) {
	if _, err := s.access.Through(ctx, via, access.Shared("profile:read")); err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	ch.StringArray("targets", f.get("targets"), true)
	ch.OneOf("field", f.get("field"), false, retrieveFields...)
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	raw, _ := f.get("targets").([]any)
	if len(raw) > s.cfg.GetUserMaxItems {
		return nil, apperr.Field(f.Location, "targets")
	}
	field := f.str("field")
	targets := make([]string, 0, len(raw))
	for _, v := range raw {
		t := strings.TrimSpace(v.(string))
		switch field {
		case "", "_id":
			if !validate.IsObjectID(t) {
				ch.Add("targets", v)
			}
			t = strings.ToLower(t)
		case "email", "sanitizedEmail":
			t = validate.SanitizeEmail(t, s.cfg.Account.SanitizeGmail)
		}
		targets = append(targets, t)
	}
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	q := s.db.User.Query().Order(ent.Asc(user.FieldID))
	switch field {
	case "", "_id":
		q.Where(user.IDIn(targets...))
	case "email", "sanitizedEmail":
		q.Where(user.SanitizedEmailIn(targets...))
	case "secondaryEmail":
		q.Where(user.SecondaryEmailIn(targets...))
	}
	return q.All(ctx)
}

// ListUsers pages through every user in _id order (GET …/list?limit&offset): offset is the
// _id of the last user of the previous page. It also returns the total number of users.
func (s *Service) ListUsers(ctx context.Context, via access.Via, f Fields) ([]*ent.User, int, error) {
	if _, err := s.access.Through(ctx, via, access.Shared("profile:read")); err != nil {
		return nil, 0, err
	}
	ch := validate.New(f.Location)
	limit := Limit(ch, f, s.cfg.Pagination)
	ch.ObjectID("offset", f.get("offset"), false, 64)
	if err := inputErr(ch); err != nil {
		return nil, 0, err
	}
	q := s.db.User.Query().Order(ent.Asc(user.FieldID)).Limit(limit)
	if off := f.str("offset"); off != "" {
		q.Where(user.IDGT(strings.ToLower(off)))
	}
	users, err := q.All(ctx)
	if err != nil {
		return nil, 0, err
	}
	total, err := s.db.User.Query().Count(ctx)
	return users, total, err
}

// ScopeAdminRead reports whether the caller may read every field of any user (the admin and
// client projections): the shared profile:read check.
func (s *Service) ScopeAdminRead(ctx context.Context) bool {
	c, err := s.access.Caller(ctx)
	return err == nil && c.AllowsShared("profile:read")
}

// errExisting is the answer to a bulk create naming taken usernames or emails.
func errExisting(users []*ent.User) error {
	docs := make([]map[string]any, len(users))
	for i, u := range users {
		docs[i] = map[string]any{"_id": u.ID, "username": u.Username, "email": u.Email}
	}
	return apperr.New(apperr.ClientInputError, map[string]any{"existingUsers": docs})
}

// CreateUsers creates accounts in bulk (POST …/create, whose body is an array; it arrives
// here as f.Values["users"]). All or nothing, in one transaction. The accounts are verified,
// since an administrator or a service vouches for them. Each record's role (default
// system.role.default) must exist and be outranked by the caller.
func (s *Service) CreateUsers(ctx context.Context, via access.Via, f Fields, meta Meta) (int, error) {
	c, err := s.access.Through(ctx, via, access.Shared("profile:create:write"))
	if err != nil {
		return 0, err
	}
	cfg := s.cfg
	ch := validate.New(f.Location)
	items, ok := f.get("users").([]any)
	if !ok || len(items) == 0 || len(items) > cfg.GetUserMaxItems {
		ch.Add("", nil)
		return 0, inputErr(ch)
	}
	recs := make([]map[string]any, len(items))
	for i, it := range items {
		if recs[i], ok = it.(map[string]any); !ok {
			ch.Add(fmt.Sprintf("[%d]", i), it)
			recs[i] = map[string]any{}
		}
	}
	// Rule by rule over every record, as express-validator runs `*.field` chains.
	each := func(rule func(name string, v any)) func(key string) {
		return func(key string) {
			for i, r := range recs {
				rule(fmt.Sprintf("[%d].%s", i, key), validate.Field(r, key))
			}
		}
	}
	each(func(n string, v any) { ch.Username(n, v, true, cfg.Profile.UsernameRegex) })("username")
	each(func(n string, v any) { ch.Password(n, v, true, cfg.Profile.PasswordRegex) })("password")
	each(func(n string, v any) { ch.Email(n, v, true) })("email")
	each(func(n string, v any) { ch.Name(n, v, true, cfg.Profile.NameRegex) })("firstName")
	each(func(n string, v any) { ch.Name(n, v, true, cfg.Profile.NameRegex) })("lastName")
	each(func(n string, v any) { ch.PhoneCountryCode(n, v, false) })("phoneCountryCode")
	each(func(n string, v any) { ch.Phone(n, v, false) })("phone")
	each(func(n string, v any) { ch.StringLen(n, v, false, 3, 32) })("role")
	if err := inputErr(ch); err != nil {
		return 0, err
	}
	usernames, emails, roles := make([]string, len(recs)), make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		usernames[i] = strings.ToLower(r["username"].(string))
		emails[i] = validate.SanitizeEmail(strings.TrimSpace(r["email"].(string)), cfg.Account.SanitizeGmail)
		roles[i], _ = r["role"].(string)
		if roles[i] == "" {
			roles[i] = cfg.DefaultRole
		}
		if slices.Contains(usernames[:i], usernames[i]) {
			ch.Add(fmt.Sprintf("[%d].username", i), r["username"])
		}
		if slices.Contains(emails[:i], emails[i]) {
			ch.Add(fmt.Sprintf("[%d].email", i), r["email"])
		}
		if r["phone"] != nil && r["phoneCountryCode"] == nil {
			ch.Add(fmt.Sprintf("[%d].phoneCountryCode", i), nil)
		}
		role, err := s.access.Role(ctx, roles[i])
		if err != nil {
			return 0, err
		}
		if role == nil || role.Type != "user" {
			ch.Add(fmt.Sprintf("[%d].role", i), r["role"])
		}
	}
	if err := inputErr(ch); err != nil {
		return 0, err
	}
	if err := s.access.CheckRoles(ctx, c, roles...); err != nil {
		return 0, err
	}
	hashes := make([]string, len(recs))
	for i, r := range recs {
		if hashes[i], err = s.hashPassword(ctx, r["password"].(string)); err != nil {
			return 0, err
		}
	}
	err = withTx(ctx, s.db, func(tx *ent.Tx) error {
		existing, err := tx.User.Query().Where(user.Or(user.UsernameIn(usernames...), user.SanitizedEmailIn(emails...))).All(ctx)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return errExisting(existing)
		}
		builders := make([]*ent.UserCreate, len(recs))
		for i, r := range recs {
			b := tx.User.Create().
				SetUsername(usernames[i]).
				SetPasswordHash(hashes[i]).
				SetEmail(strings.TrimSpace(r["email"].(string))).
				SetSanitizedEmail(emails[i]).
				SetFirstName(r["firstName"].(string)).
				SetLastName(r["lastName"].(string)).
				SetRole(roles[i]).
				SetCredits(cfg.Account.InitialCredits).
				SetScope(cfg.Account.DefaultScope).
				SetCustomData(cfg.Account.CustomDataDefault).
				SetCreationIP(meta.IP).
				SetEmailVerified(true)
			if cfg.Privilege.CanUsePhoneNumber && r["phone"] != nil {
				b.SetPhone(r["phone"].(string)).SetPhoneCountryCode(r["phoneCountryCode"].(string))
			}
			builders[i] = b
		}
		err = tx.User.CreateBulk(builders...).Exec(ctx)
		if ent.IsConstraintError(err) {
			// A concurrent sign-up took a name between the check and the insert.
			return apperr.New(apperr.ResourceConflict, map[string]any{"duplicateFields": []string{"username", "email"}})
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(recs), nil
}

// Users pages through every user with Relay cursors (GraphQL users): the shared profile:read
// check, as GET …/list. Pages hold pagination.default-limit users unless first or last says
// otherwise, and never more than pagination.max-limit.
func (s *Service) Users(ctx context.Context, after *ent.Cursor, first *int, before *ent.Cursor, last *int,
	orderBy *ent.UserOrder, where *ent.UserWhereInput) (*ent.UserConnection, error) {
	if _, err := s.access.Require(ctx, access.Shared("profile:read")); err != nil {
		return nil, err
	}
	p := s.cfg.Pagination
	for _, n := range []*int{first, last} {
		if n != nil && *n > p.MaxLimit {
			*n = p.MaxLimit
		}
	}
	if first == nil && last == nil {
		first = &p.DefaultLimit
	}
	return s.db.User.Query().Paginate(ctx, after, first, before, last, ent.WithUserOrder(orderBy), ent.WithUserFilter(where.Filter))
}
