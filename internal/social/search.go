package social

import (
	"context"
	"errors"
	"slices"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"usergraph/ent"
	"usergraph/ent/block"
	"usergraph/ent/predicate"
	"usergraph/ent/user"
	"usergraph/internal/apperr"
	"usergraph/internal/auth"
	"usergraph/internal/config"
	"usergraph/internal/rules"
	"usergraph/internal/userfilter"
	"usergraph/internal/validate"
)

const (
	// scanBatch and maxScan bound the work of a $regex search: candidates are read from the
	// database in batches and matched in Go, up to maxScan candidates per search.
	scanBatch = 500
	maxScan   = 10000
)

// UserView is a user as the caller may see them.
type UserView struct {
	User *ent.User
	// Hide are the fields the caller may not see.
	Hide []string
}

// searchMode is one of Liquid's three user searches (liquid-behaviour.md §4.6): the delegated
// one, and the admin and client ones. They share the text matching and the filter language;
// they differ in their settings and in whom they leave out.
type searchMode struct {
	cfg config.SearchMode
	// viewer is the searching user of the delegated search: its results leave out banned and
	// deleted accounts and accounts either side has blocked. It is "" in the admin and client
	// searches, which see everyone.
	viewer string
	// privileged is set in the admin and client searches, whose callers see e-mail addresses in
	// the results anyway: a text query also matches email as a substring (as text, like every
	// other field). The delegated search compares email exactly, so it never reveals addresses.
	privileged bool
}

// limit is the number of results a REST search returns.
func (m searchMode) limit(p config.Pagination) int {
	if m.cfg.Limit > 0 {
		return m.cfg.Limit
	}
	return p.DefaultLimit
}

// Search finds users (POST /user/search {query}). A text query matches username, first name,
// last name and "first last" case-insensitively as text (never as a regular expression), and
// an email address or an _id exactly; a filter is Liquid's filter language. Results never
// include banned or deleted users, nor users either side has blocked; they come in _id order,
// at most user.search-results.limit of them.
func (s *Service) Search(ctx context.Context, query userfilter.Query) ([]UserView, error) {
	id, err := s.searchAllowed(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.runSearch(ctx, s.delegatedSearch(id), query)
	if err != nil {
		return nil, err
	}
	hides, err := s.views(ctx, users, nil)
	if err != nil {
		return nil, err
	}
	out := make([]UserView, len(users))
	for i, u := range users {
		out[i] = UserView{User: u, Hide: hides[i]}
	}
	return out, nil
}

// runSearch returns the first results of a search, in _id order.
func (s *Service) runSearch(ctx context.Context, m searchMode, query userfilter.Query) ([]*ent.User, error) {
	q, filter, err := s.searchQuery(m, query)
	if err != nil {
		return nil, err
	}
	limit := m.limit(s.cfg.Pagination)
	if filter != nil {
		return s.scan(ctx, q, filter, limit)
	}
	return q.Order(user.ByID()).Limit(limit).All(ctx)
}

// SearchConnection is Search as a Relay connection (GraphQL searchUsers), in _id order. A
// $regex query is matched in Go over at most maxScan candidates.
func (s *Service) SearchConnection(ctx context.Context, query userfilter.Query, a ConnArgs) (*ent.UserConnection, error) {
	id, err := s.searchAllowed(ctx)
	if err != nil {
		return nil, err
	}
	return s.searchConnection(ctx, s.delegatedSearch(id), query, a)
}

func (s *Service) searchConnection(ctx context.Context, m searchMode, query userfilter.Query, a ConnArgs) (*ent.UserConnection, error) {
	if err := s.check(&a); err != nil {
		return nil, err
	}
	q, filter, err := s.searchQuery(m, query)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		users, err := s.scan(ctx, q, filter, s.cfg.Pagination.MaxLimit)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		q = s.db.User.Query().Where(user.IDIn(ids...))
	}
	conn, err := q.Paginate(ctx, a.After, a.First, a.Before, a.Last)
	if err != nil {
		return nil, err
	}
	return conn, prime(ctx, s, conn.Edges, func(e *ent.UserEdge) (string, bool) {
		if e.Node == nil {
			return "", false
		}
		return e.Node.ID, true
	})
}

func (s *Service) searchAllowed(ctx context.Context) (*auth.Identity, error) {
	if !s.cfg.Privilege.CanUseDelegatedSearch {
		return nil, apperr.New(apperr.NotFound, nil)
	}
	return s.requireUser(ctx, ScopeSearch)
}

// delegatedSearch is the search of POST /user/search for the user id.
func (s *Service) delegatedSearch(id *auth.Identity) searchMode {
	return searchMode{cfg: s.cfg.Search.Delegated, viewer: id.User.ID}
}

// searchQuery builds the query for a search. filter is non-nil when the query holds a $regex:
// the SQL query then returns candidates, which filter decides on. A text outside
// rules.SearchText, or a filter naming fields outside the mode's search fields or comparing
// them with values of the wrong type, is a ClientInputError naming query.
func (s *Service) searchQuery(m searchMode, query userfilter.Query) (*ent.UserQuery, filterNode, error) {
	q := s.db.User.Query()
	if m.viewer != "" {
		q = q.Where(
			user.IsBanned(false),
			user.IsDeleted(false),
			user.Not(user.HasBlocksMadeWith(block.TargetID(m.viewer))),
			user.Not(user.HasBlocksReceivedWith(block.SourceID(m.viewer))),
		)
	}
	if query.IsText() {
		var c rules.Check
		text := strings.TrimSpace(query.Text)
		if !c.String("query", text, rules.SearchText) {
			return nil, nil, c.Err()
		}
		return q.Where(s.textMatch(m, text)), nil, nil
	}
	node, err := buildFilter(query.Filter, m.cfg.Fields, s.sanitize)
	if errors.Is(err, errFilter) {
		return nil, nil, userfilter.Invalid()
	}
	if err != nil {
		return nil, nil, err
	}
	sup, _ := node.sql(&compiler{postgres: s.postgres})
	q = q.Where(sup.predicate())
	if node.hasRegex() {
		return q, node, nil
	}
	return q, nil, nil
}

func (s *Service) sanitize(email string) string {
	return validate.SanitizeEmail(strings.TrimSpace(email), s.cfg.Account.SanitizeGmail)
}

// textMatch is a plain-text query over the mode's search fields: private fields (email)
// and identifiers (role, _id, and the strict-match fields) match exactly, names match as
// case-insensitive substrings with LIKE (the text's % and _ are escaped). In the admin and
// client searches email also matches as a substring.
func (s *Service) textMatch(m searchMode, text string) predicate.User {
	mode := m.cfg
	var ors []predicate.User
	for _, name := range mode.Fields {
		f, ok := searchFields[name]
		switch {
		case !ok || f.kind != kindString:
			continue
		case f.exact:
			ors = append(ors, predicate.User(sql.FieldEQ(f.column, s.sanitize(text))))
			if m.privileged && !slices.Contains(mode.StrictFields, name) {
				ors = append(ors, predicate.User(sql.FieldContainsFold(user.FieldEmail, text)))
			}
		case name == "role" || name == "_id" || slices.Contains(mode.StrictFields, name):
			ors = append(ors, predicate.User(sql.FieldEQ(f.column, text)))
		default:
			ors = append(ors, predicate.User(sql.FieldContainsFold(f.column, text)))
		}
	}
	if mode.CanUseID && validate.IsObjectID(text) {
		ors = append(ors, user.ID(strings.ToLower(text)))
	}
	if mode.CanUseFullName {
		ors = append(ors, fullNameContainsFold(text))
	}
	if len(ors) == 0 {
		return cond{}.predicate()
	}
	return user.Or(ors...)
}

// fullNameContainsFold matches "firstName lastName" case-insensitively as a substring.
func fullNameContainsFold(text string) predicate.User {
	pattern := "%" + likeEscape(strings.ToLower(text)) + "%"
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			full := func() {
				b.Ident(s.C(user.FieldFirstName)).WriteString(" || ' ' || ").Ident(s.C(user.FieldLastName))
			}
			if b.Dialect() == dialect.Postgres {
				b.WriteString("(")
				full()
				b.WriteString(") ILIKE ").Arg(pattern)
				return
			}
			b.WriteString("LOWER(")
			full()
			b.WriteString(") LIKE ").Arg(pattern).WriteString(` ESCAPE '\'`)
		}))
	}
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// scan reads candidates in _id order and keeps those filter matches, up to want of them.
func (s *Service) scan(ctx context.Context, q *ent.UserQuery, filter filterNode, want int) ([]*ent.User, error) {
	var (
		out  []*ent.User
		last string
	)
	for scanned := 0; scanned < maxScan; {
		bq := q.Clone().Order(user.ByID()).Limit(scanBatch)
		if last != "" {
			bq = bq.Where(user.IDGT(last))
		}
		batch, err := bq.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range batch {
			if filter.eval(u) {
				out = append(out, u)
				if len(out) == want {
					return out, nil
				}
			}
		}
		scanned += len(batch)
		if len(batch) < scanBatch {
			break
		}
		last = batch[len(batch)-1].ID
	}
	return out, nil
}
