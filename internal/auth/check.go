package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"usergraph/ent"
	"usergraph/ent/oauthclient"
	"usergraph/ent/role"
	"usergraph/ent/session"
	"usergraph/ent/user"
	"usergraph/internal/db"
)

// Loaded is what the token check reads in the same statement as the session, so that the
// access checks of the request need no statement of their own. A nil field means the row does
// not exist (a role that was deleted, a client that was deleted).
type Loaded struct {
	// UserRole is the role the user holds (only id, ranking and scope are read).
	UserRole *ent.Role
	// Client is the OAuth client the token was granted to (id, client_id, role and scope), and
	// ClientRole its role.
	Client     *ent.OAuthClient
	ClientRole *ent.Role
}

// The columns the token check reads. The user row is read whole but for its password hash:
// it is the caller every handler receives (GET /user/me renders it), so reading it here saves
// the request a second round trip; the one check that needs the hash reads it itself.
var (
	checkSessionColumns = []string{session.FieldID, session.FieldKind, session.FieldUserID, session.FieldClientID,
		session.FieldScope, session.FieldExpiresAt, session.FieldRevokedAt}
	checkUserColumns   = slices.DeleteFunc(slices.Clone(user.Columns), func(c string) bool { return c == user.FieldPasswordHash })
	checkRoleColumns   = []string{role.FieldID, role.FieldRanking, role.FieldScope}
	checkClientColumns = []string{oauthclient.FieldID, oauthclient.FieldClientID, oauthclient.FieldRole, oauthclient.FieldScope}
)

// checkQuery is the token check's one statement: the session, its user, the user's role, the
// client the session was granted to and that client's role, by the session's id or (for a
// browser cookie) its secret's hash.
func checkQuery(where string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	sep := ""
	for _, part := range []struct {
		alias string
		cols  []string
	}{{"s", checkSessionColumns}, {"u", checkUserColumns}, {"ur", checkRoleColumns}, {"c", checkClientColumns}, {"cr", checkRoleColumns}} {
		for _, c := range part.cols {
			fmt.Fprintf(&b, `%s%s."%s"`, sep, part.alias, c)
			sep = ", "
		}
	}
	fmt.Fprintf(&b, ` FROM "%s" s LEFT JOIN "%s" u ON u."%s" = s."%s" LEFT JOIN "%s" ur ON ur."%s" = u."%s"`+
		` LEFT JOIN "%s" c ON c."%s" = s."%s" LEFT JOIN "%s" cr ON cr."%s" = c."%s" WHERE %s`,
		session.Table, user.Table, user.FieldID, session.FieldUserID, role.Table, role.FieldID, user.FieldRole,
		oauthclient.Table, oauthclient.FieldClientID, session.FieldClientID, role.Table, role.FieldID, oauthclient.FieldRole,
		where)
	return b.String()
}

// checkStmts are the token check's statements, prepared once on the pool.
type checkStmts struct {
	byID, byCookie *db.Stmt
}

// Prepare makes the token check run as one prepared statement on sqlDB (instead of ent's
// queries, which build their SQL text on every request and read the session, the user and the
// role separately). observe, if set, sees each statement run (tests count them).
func (s *Service) Prepare(ctx context.Context, sqlDB *sql.DB, postgres bool, observe db.Observer) error {
	byID, err := db.Prepare(ctx, sqlDB, postgres, checkQuery(`s."`+session.FieldID+`" = $1`), observe)
	if err != nil {
		return err
	}
	byCookie, err := db.Prepare(ctx, sqlDB, postgres,
		checkQuery(`s."`+session.FieldSecretHash+`" = $1 AND s."`+session.FieldKind+`" = '`+string(KindCookie)+`'`), observe)
	if err != nil {
		byID.Close()
		return err
	}
	s.stmts = &checkStmts{byID: byID, byCookie: byCookie}
	return nil
}

// Close releases the prepared statements.
func (s *Service) Close() error {
	if s.stmts == nil {
		return nil
	}
	return errors.Join(s.stmts.byID.Close(), s.stmts.byCookie.Close())
}

// check runs one of the prepared statements and returns the live identity it finds.
func (s *Service) check(ctx context.Context, stmt *db.Stmt, arg string) (*Identity, error) {
	rows, err := stmt.Query(ctx, arg)
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load session: %w", err)
		}
		return nil, unauthorized(ReasonInvalid)
	}
	sv, err := (*ent.Session)(nil).ScanValues(checkSessionColumns)
	if err != nil {
		return nil, err
	}
	uv, err := (*ent.User)(nil).ScanValues(checkUserColumns)
	if err != nil {
		return nil, err
	}
	urv, err := (*ent.Role)(nil).ScanValues(checkRoleColumns)
	if err != nil {
		return nil, err
	}
	cv, err := (*ent.OAuthClient)(nil).ScanValues(checkClientColumns)
	if err != nil {
		return nil, err
	}
	crv, err := (*ent.Role)(nil).ScanValues(checkRoleColumns)
	if err != nil {
		return nil, err
	}
	if err := rows.Scan(slices.Concat(sv, uv, urv, cv, crv)...); err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	sess := &ent.Session{}
	if err := sess.AssignValues(checkSessionColumns, sv); err != nil {
		return nil, err
	}
	loaded := &Loaded{}
	// The first column of each joined table is its id: NULL when the LEFT JOIN found no row.
	if present(uv) {
		u := &ent.User{}
		if err := u.AssignValues(checkUserColumns, uv); err != nil {
			return nil, err
		}
		sess.Edges.User = u
	}
	if present(urv) {
		loaded.UserRole = &ent.Role{}
		if err := loaded.UserRole.AssignValues(checkRoleColumns, urv); err != nil {
			return nil, err
		}
	}
	if present(cv) {
		loaded.Client = &ent.OAuthClient{}
		if err := loaded.Client.AssignValues(checkClientColumns, cv); err != nil {
			return nil, err
		}
	}
	if present(crv) {
		loaded.ClientRole = &ent.Role{}
		if err := loaded.ClientRole.AssignValues(checkRoleColumns, crv); err != nil {
			return nil, err
		}
	}
	id, err := s.identity(sess)
	if err != nil {
		return nil, err
	}
	id.Loaded = loaded
	return id, nil
}

// present reports whether a joined row was found: its id (the first column) is not NULL.
func present(values []any) bool {
	switch v := values[0].(type) {
	case *sql.NullString:
		return v.Valid
	case *sql.NullInt64:
		return v.Valid
	}
	return false
}
