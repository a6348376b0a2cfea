package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"

	"usergraph/ent"
	"usergraph/ent/oauthclient"
	"usergraph/ent/role"
	"usergraph/ent/user"
	"usergraph/internal/access"
	"usergraph/internal/apperr"
	"usergraph/internal/rules"
)

// ProvisionInput changes the scopes of some users, OAuth clients or roles.
type ProvisionInput struct {
	// Targets are user or client ids, or role ids, as TargetType says.
	Targets []string
	// TargetType is "user", "client" or "role".
	TargetType string
	Scope      []string
	// Operation is "add", "del" or "set".
	Operation string
}

// Provision adds, removes or sets scopes on users, OAuth clients or roles (POST …/access,
// setAccess; liquid-behaviour.md §4.12). Every scope must exist and be allowed for the caller
// (else 400 naming scope[i]); the caller must outrank each user's role, each client's role and
// each role it changes (else 401); an unknown target is 404 and changes nothing. Removing a
// scope takes effect at once: every check compares the token with the subject's current scopes.
func (s *Service) Provision(ctx context.Context, via access.Via, in ProvisionInput) error {
	c, err := s.access.Through(ctx, via, access.Shared("profile:access:write"))
	if err != nil {
		return err
	}
	var ch rules.Check
	ch.String("targetType", in.TargetType, rules.AccessTargetType)
	ch.String("operation", in.Operation, rules.ScopeOperation)
	kind := in.TargetType
	var targets []string
	for i, t := range in.Targets {
		field := fmt.Sprintf("targets[%d]", i)
		if kind == "role" {
			ch.String(field, t, rules.RoleID)
		} else {
			ch.String(field, t, rules.ID)
			t = strings.ToLower(t)
		}
		if !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
	}
	if len(in.Targets) == 0 {
		ch.Broken("targets", rules.NotEmpty)
	}
	var scope []string
	for i, sc := range in.Scope {
		if !s.scopes.Known(sc) || !c.Allows(sc) {
			ch.Broken(fmt.Sprintf("scope[%d]", i), rules.Grantable)
		}
		if !slices.Contains(scope, sc) {
			scope = append(scope, sc)
		}
	}
	if err := ch.Err(); err != nil {
		return err
	}
	op := in.Operation
	return withTx(ctx, s.db, func(tx *ent.Tx) error {
		for _, id := range targets {
			var err error
			switch kind {
			case "user":
				err = s.provisionUser(ctx, tx, c, id, op, scope)
			case "client":
				err = s.provisionClient(ctx, tx, c, id, op, scope)
			default:
				err = s.provisionRole(ctx, tx, c, id, op, scope)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func applyScopeOp(current []string, op string, scope []string) []string {
	switch op {
	case "set":
		return slices.Clone(scope)
	case "add":
		out := slices.Clone(current)
		for _, sc := range scope {
			if !slices.Contains(out, sc) {
				out = append(out, sc)
			}
		}
		return out
	}
	return slices.DeleteFunc(slices.Clone(current), func(sc string) bool { return slices.Contains(scope, sc) })
}

// The provision helpers read the row FOR UPDATE on PostgreSQL, so concurrent changes to one
// row's scopes do not overwrite each other; SQLite transactions already hold the write lock
// from their start (BEGIN IMMEDIATE) and have no FOR UPDATE.

// lockable is an ent query of one row that can lock it.
type lockable[Q, T any] interface {
	ForUpdate(...sql.LockOption) Q
	Only(context.Context) (T, error)
}

// lockTarget reads the row of a provisioning target: locked on PostgreSQL, 404 NotFound naming
// id when there is none.
func lockTarget[T any, Q lockable[Q, T]](ctx context.Context, s *Service, q Q, id string) (T, error) {
	if s.cfg.PostgreSQL() {
		q = q.ForUpdate()
	}
	row, err := q.Only(ctx)
	if ent.IsNotFound(err) {
		err = apperr.New(apperr.NotFound, map[string]any{"target": id})
	}
	return row, err
}

func (s *Service) provisionUser(ctx context.Context, tx *ent.Tx, c *access.Caller, id, op string, scope []string) error {
	u, err := lockTarget(ctx, s, tx.User.Query().Where(user.ID(id)), id)
	if err != nil {
		return err
	}
	if err := s.access.CheckRoles(ctx, c, u.Role); err != nil {
		return err
	}
	return tx.User.UpdateOne(u).SetScope(applyScopeOp(u.Scope, op, scope)).Exec(ctx)
}

func (s *Service) provisionClient(ctx context.Context, tx *ent.Tx, c *access.Caller, id, op string, scope []string) error {
	cl, err := lockTarget(ctx, s, tx.OAuthClient.Query().Where(oauthclient.ID(id)), id)
	if err != nil {
		return err
	}
	if err := s.access.CheckRoles(ctx, c, cl.Role); err != nil {
		return err
	}
	return tx.OAuthClient.UpdateOne(cl).SetScope(applyScopeOp(cl.Scope, op, scope)).Exec(ctx)
}

func (s *Service) provisionRole(ctx context.Context, tx *ent.Tx, c *access.Caller, id, op string, scope []string) error {
	r, err := lockTarget(ctx, s, tx.Role.Query().Where(role.ID(id)), id)
	if err != nil {
		return err
	}
	if !s.access.Outranks(c, r.Ranking) {
		return access.ErrRank()
	}
	return tx.Role.UpdateOne(r).SetScope(applyScopeOp(r.Scope, op, scope)).Exec(ctx)
}
