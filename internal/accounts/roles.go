package accounts

import (
	"context"
	"net/http"

	"usergraph/ent"
	"usergraph/ent/role"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/patch"
	"usergraph/internal/rules"
)

// Roles (liquid-behaviour.md §2.5, §4.13). Role scopes change only through access
// provisioning; create and update never touch them. A caller can neither create nor edit a role
// that outranks it, nor edit or delete one it does not outrank.

// Roles lists every role, most powerful first (GET /roles/list). It is checked as Liquid does,
// with the shared check of the literal delegated:roles:read.
func (s *Service) Roles(ctx context.Context) ([]*ent.Role, error) {
	if _, err := s.access.Require(ctx, access.Shared("delegated:roles:read")); err != nil {
		return nil, err
	}
	return s.db.Role.Query().Order(ent.Asc(role.FieldRanking), ent.Asc(role.FieldID)).All(ctx)
}

// CreateRoleInput is a new user role.
type CreateRoleInput struct {
	ID, DisplayName string
	// Ranking is at least 1; a lower number outranks a higher one.
	Ranking     int
	Description *string
}

func (in CreateRoleInput) check() error {
	var c rules.Check
	c.String("id", in.ID, rules.RoleID)
	c.String("displayName", in.DisplayName, rules.RoleDisplayName)
	c.Int("ranking", in.Ranking, rules.Ranking)
	c.Optional("description", in.Description, rules.RoleDescription)
	return c.Err()
}

// CreateRole adds a user role (POST /roles/…/create, createRole). Its scope starts empty and
// its type is "user".
func (s *Service) CreateRole(ctx context.Context, via access.Via, in CreateRoleInput) (*ent.Role, error) {
	c, err := s.access.Through(ctx, via, access.Shared("roles:write"))
	if err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if !s.access.Outranks(c, in.Ranking) {
		return nil, access.ErrRank()
	}
	exists, err := s.db.Role.Query().Where(role.ID(in.ID)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, apperr.New(apperr.DuplicateResource, nil)
	}
	create := s.db.Role.Create().SetID(in.ID).SetDisplayName(in.DisplayName).
		SetRanking(in.Ranking).SetScope([]string{}).SetType("user").SetNillableDescription(in.Description)
	r, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.New(apperr.DuplicateResource, nil)
	}
	return r, err
}

// UpdateRoleInput changes a role: absent fields are left as they are, and only the
// description may be cleared.
type UpdateRoleInput struct {
	DisplayName patch.Field[string]
	Ranking     patch.Field[int]
	Description patch.Field[string]
}

func (in UpdateRoleInput) check(c *rules.Check) {
	if v, ok := in.DisplayName.Value(); ok {
		c.String("displayName", v, rules.RoleDisplayName)
	} else if in.DisplayName.IsClear() {
		c.Fail("displayName", "required", "cannot be cleared")
	}
	if v, ok := in.Ranking.Value(); ok {
		c.Int("ranking", v, rules.Ranking)
	} else if in.Ranking.IsClear() {
		c.Fail("ranking", "required", "cannot be cleared")
	}
	if v, ok := in.Description.Value(); ok {
		c.String("description", v, rules.RoleDescription)
	}
}

// findRole checks the role id names and the rest of the input (more), then loads the role:
// nil when there is none.
func (s *Service) findRole(ctx context.Context, id string, more func(c *rules.Check)) (*ent.Role, error) {
	var c rules.Check
	c.String("id", id, rules.RoleName)
	if more != nil {
		more(&c)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return s.access.Role(ctx, id)
}

// UpdateRole changes a role's displayName, ranking or description (PATCH /roles/…/update,
// updateRole). An unknown role is 400 NotFound and a default role 400 SystemRoleUpdate, as in
// Liquid.
func (s *Service) UpdateRole(ctx context.Context, via access.Via, id string, in UpdateRoleInput) (*ent.Role, error) {
	c, err := s.access.Through(ctx, via, access.Shared("roles:write"))
	if err != nil {
		return nil, err
	}
	r, err := s.findRole(ctx, id, in.check)
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
	if v, ok := in.DisplayName.Value(); ok {
		up.SetDisplayName(v)
	}
	if ranking, ok := in.Ranking.Value(); ok {
		if !s.access.Outranks(c, ranking) {
			return nil, access.ErrRank()
		}
		up.SetRanking(ranking)
	}
	if v, ok := in.Description.Value(); ok {
		up.SetDescription(v)
	} else if in.Description.IsClear() {
		up.ClearDescription()
	}
	return up.Save(ctx)
}

// DeleteRole deletes a role and moves its users to system.role.default, in one transaction
// (DELETE /roles/…/delete, deleteRole). Deleting a role that does not exist succeeds, as in
// Liquid.
func (s *Service) DeleteRole(ctx context.Context, via access.Via, id string) error {
	c, err := s.access.Through(ctx, via, access.Shared("roles:delete"))
	if err != nil {
		return err
	}
	r, err := s.findRole(ctx, id, nil)
	if err != nil || r == nil {
		return err
	}
	if r.System {
		return apperr.New(apperr.SystemRoleDelete, nil)
	}
	if r.ID == s.cfg.DefaultRole {
		// Its users would have nowhere to go.
		return apperr.Invalid(apperr.Violation{Field: "id", Rule: rules.Rejected, Message: "is the default role, whose holders would have nowhere to go"})
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
