package access

import (
	"context"

	"usergraph/ent"
	"usergraph/ent/role"
	"usergraph/internal/apperr"
)

// DefaultRole is one of the roles every server has (Liquid's default-roles.json).
type DefaultRole struct {
	ID, DisplayName, Type string
	Ranking               int
	Scope                 []string
	Description           string
}

// Defaults are created at start when absent; they cannot be updated or deleted, though their
// scopes can be changed through access provisioning.
var Defaults = []DefaultRole{
	{ID: SuperAdmin, DisplayName: "Super Admin", Type: "user", Ranking: 1, Scope: []string{"*"},
		Description: "The system super admin. Has all permissions and cannot be restricted."},
	{ID: "admin", DisplayName: "Admin", Type: "user", Ranking: 2, Scope: []string{},
		Description: "Ranks a little lower than Super Admin and has no permissions assigned by default."},
	{ID: "user", DisplayName: "User", Type: "user", Ranking: 100, Scope: []string{},
		Description: "Ranked the lowest. Has no permissions assigned by default."},
	{ID: "internal_client", DisplayName: "Internal Client", Type: "client", Ranking: 2, Scope: []string{"client:all"},
		Description: "First party and trusted applications."},
	{ID: "external_client", DisplayName: "External Client", Type: "client", Ranking: 100, Scope: []string{},
		Description: "Third party applications. Ranked the same as users due to lower trust."},
}

// Seed creates the default roles that do not exist yet. Existing rows are left alone, so
// scopes given to a default role survive restarts; only a missing description is filled in
// (rows seeded before default roles had descriptions; no one can update a system role).
func (s *Service) Seed(ctx context.Context) error {
	for _, d := range Defaults {
		exists, err := s.db.Role.Query().Where(role.ID(d.ID)).Exist(ctx)
		if err != nil {
			return err
		}
		if exists {
			err := s.db.Role.Update().Where(role.ID(d.ID), role.DescriptionIsNil()).SetDescription(d.Description).Exec(ctx)
			if err != nil {
				return err
			}
			continue
		}
		err = s.db.Role.Create().SetID(d.ID).SetDisplayName(d.DisplayName).SetRanking(d.Ranking).
			SetScope(d.Scope).SetType(d.Type).SetDescription(d.Description).SetSystem(true).Exec(ctx)
		// Another instance starting at the same time may have created it.
		if err != nil && !ent.IsConstraintError(err) {
			return err
		}
	}
	return nil
}

// Role returns the role called id, or nil when there is none.
func (s *Service) Role(ctx context.Context, id string) (*ent.Role, error) {
	return RoleIn(ctx, s.db, id)
}

// RoleIn is Role on db (which may be a transaction's client).
func RoleIn(ctx context.Context, db *ent.Client, id string) (*ent.Role, error) {
	if id == "" {
		return nil, nil
	}
	r, err := db.Role.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return r, err
}

// Outranks reports whether the caller may act on holders of a role ranked ranking: a lower
// ranking number always, an equal one when peers may edit peers
// (admin-api.user.profile.can-edit-peer-data). A super_admin user may act on anyone.
func (s *Service) Outranks(c *Caller, ranking int) bool {
	if c.IsSuperAdmin() {
		return true
	}
	cr := c.Rank()
	return cr < ranking || cr == ranking && s.cfg.Profile.CanEditPeerData
}

// ErrRank is the answer when the caller does not outrank its target.
func ErrRank() error {
	return apperr.New(apperr.InsufficientPrivileges, map[string]any{"message": "Insufficient role rank to perform this operation"})
}

// CheckRoles fails with ErrRank unless the caller outranks every named role. A role that does
// not exist counts as the most powerful (ranking 0), so only a super_admin acts on its holders.
func (s *Service) CheckRoles(ctx context.Context, c *Caller, roleIDs ...string) error {
	seen := map[string]bool{}
	for _, id := range roleIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := s.Role(ctx, id)
		if err != nil {
			return err
		}
		ranking := 0
		if r != nil {
			ranking = r.Ranking
		}
		if !s.Outranks(c, ranking) {
			return ErrRank()
		}
	}
	return nil
}
