package accounts

import (
	"context"
	"net/http"
	"regexp"

	"usergraph/ent"
	"usergraph/ent/role"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/validate"
)

// Roles (liquid-behaviour.md §2.5, §4.13). Role scopes change only through access
// provisioning; create and update never touch them. A caller can neither create nor edit a role
// that outranks it, nor edit or delete one it does not outrank.

var roleIDRe = regexp.MustCompile(`^[a-zA-Z0-9_]+$`)

// validRoleID reports whether id may name a role: letters, digits and underscores, at most 128.
func validRoleID(id string) bool { return len(id) <= 128 && roleIDRe.MatchString(id) }

// Roles lists every role, most powerful first (GET /roles/list). It is checked as Liquid does,
// with the shared check of the literal delegated:roles:read.
func (s *Service) Roles(ctx context.Context) ([]*ent.Role, error) {
	if _, err := s.access.Require(ctx, access.Shared("delegated:roles:read")); err != nil {
		return nil, err
	}
	return s.db.Role.Query().Order(ent.Asc(role.FieldRanking), ent.Asc(role.FieldID)).All(ctx)
}

// CreateRole adds a user role (POST /roles/…/create): {id, displayName, ranking,
// description}. Its scope starts empty and its type is "user".
func (s *Service) CreateRole(ctx context.Context, via access.Via, f Fields) (*ent.Role, error) {
	c, err := s.access.Through(ctx, via, access.Shared("roles:write"))
	if err != nil {
		return nil, err
	}
	ch := validate.New(f.Location)
	if ch.StringLen("id", f.get("id"), true, 1, 128) && !validRoleID(f.str("id")) {
		ch.Add("id", f.get("id"))
	}
	ch.StringLen("displayName", f.get("displayName"), true, 1, 128)
	ch.Int("ranking", f.get("ranking"), true, 1)
	ch.StringLen("description", f.get("description"), false, 1, 512)
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	ranking := intOf(f.get("ranking"))
	if !s.access.Outranks(c, ranking) {
		return nil, access.ErrRank()
	}
	exists, err := s.db.Role.Query().Where(role.ID(f.str("id"))).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, apperr.New(apperr.DuplicateResource, nil)
	}
	create := s.db.Role.Create().SetID(f.str("id")).SetDisplayName(f.str("displayName")).
		SetRanking(ranking).SetScope([]string{}).SetType("user")
	if d := f.str("description"); d != "" {
		create.SetDescription(d)
	}
	r, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.New(apperr.DuplicateResource, nil)
	}
	return r, err
}

// roleTarget starts the validation of a role operation's body with its target.
func roleTarget(f Fields) *validate.Checker {
	ch := validate.New(f.Location)
	ch.StringLen("target", f.get("target"), true, 1, 128)
	return ch
}

// findRole validates ch (roleTarget and any other fields) and loads the targeted role, nil when
// there is none.
func (s *Service) findRole(ctx context.Context, ch *validate.Checker, f Fields) (*ent.Role, error) {
	if err := inputErr(ch); err != nil {
		return nil, err
	}
	return s.access.Role(ctx, f.str("target"))
}

// UpdateRole changes a role's displayName, ranking or description (PATCH /roles/…/update).
// An unknown role is 400 NotFound and a default role 400 SystemRoleUpdate, as in Liquid.
func (s *Service) UpdateRole(ctx context.Context, via access.Via, f Fields) (*ent.Role, error) {
	c, err := s.access.Through(ctx, via, access.Shared("roles:write"))
	if err != nil {
		return nil, err
	}
	ch := roleTarget(f)
	ch.StringLen("displayName", f.get("displayName"), false, 1, 128)
	ch.Int("ranking", f.get("ranking"), false, 1)
	ch.StringLen("description", f.get("description"), false, 1, 512)
	r, err := s.findRole(ctx, ch, f)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, &apperr.Error{Code: apperr.NotFound, Status: http.StatusBadRequest}
	}
	if r.System {
		return nil, apperr.New(apperr.SystemRoleUpdate, nil)
	}
	if !s.access.Outranks(c, r.Ranking) {
		return nil, access.ErrRank()
	}
	up := s.db.Role.UpdateOne(r)
	if f.get("displayName") != nil {
		up.SetDisplayName(f.str("displayName"))
	}
	if f.get("ranking") != nil {
		ranking := intOf(f.get("ranking"))
		if !s.access.Outranks(c, ranking) {
			return nil, access.ErrRank()
		}
		up.SetRanking(ranking)
	}
	if f.get("description") != nil {
		up.SetDescription(f.str("description"))
	}
	return up.Save(ctx)
}

// DeleteRole deletes a role and moves its users to system.role.default, in one transaction
// (DELETE /roles/…/delete). Deleting a role that does not exist succeeds, as in Liquid.
func (s *Service) DeleteRole(ctx context.Context, via access.Via, f Fields) error {
	c, err := s.access.Through(ctx, via, access.Shared("roles:delete"))
	if err != nil {
		return err
	}
	r, err := s.findRole(ctx, roleTarget(f), f)
	if err != nil || r == nil {
		return err
	}
	if r.System {
		return apperr.New(apperr.SystemRoleDelete, nil)
	}
	if r.ID == s.cfg.DefaultRole {
		// Its users would have nowhere to go.
		return apperr.Field(f.Location, "target")
	}
	if !s.access.Outranks(c, r.Ranking) {
		return access.ErrRank()
	}
	return withTx(ctx, s.db, func(tx *ent.Tx) error {
		if err := tx.User.Update().Where(user.Role(r.ID)).SetRole(s.cfg.DefaultRole).Exec(ctx); err != nil {
			return err
		}
		return tx.Role.DeleteOneID(r.ID).Exec(ctx)
	})
}
