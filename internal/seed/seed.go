// Package seed fills a PostgreSQL database with a large user graph for the scale benchmark
// (cmd/seed, cmd/scalebench): N users and M approved follow edges, generated inside the
// database with generate_series, follower and following counts equal to the edges.
//
// The graph: user 1 (the celebrity, username "celebrity") is followed by the next
// CelebrityFollowers users; the other edges are spread evenly, in rounds, over users 2..N
// (each round gives every user one more followee and one more follower), never twice the same
// pair and never to oneself or to the celebrity. Names are drawn from common first and last
// names, so a text search finds thousands of users for a first name and one for a username.
// Every account's password is Options.Password.
package seed

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/lib/pq"
	"golang.org/x/crypto/bcrypt"
)

// Options say what to create.
type Options struct {
	Users              int
	Edges              int
	CelebrityFollowers int
	// Password is every seeded account's password; Scope their scope (the configured default).
	Password string
	Scope    []string
	// Log, if set, is told each step and its duration.
	Log func(format string, args ...any)
}

// Summary is what was created.
type Summary struct {
	Users, Edges, CelebrityFollowers int
	CelebrityID                      string
}

// First and last names of the seeded users (common English names; a first name matches about
// one user in len(FirstNames)).
var (
	FirstNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
		"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
		"Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra",
		"Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
		"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Dorothy", "George", "Melissa", "Timothy", "Deborah",
		"Ronald", "Stephanie", "Edward", "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia",
		"Jacob", "Kathleen", "Gary", "Amy", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna",
		"Stephen", "Brenda", "Larry", "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Helen",
		"Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Alexander", "Debra", "Frank", "Rachel",
		"Patrick", "Carolyn", "Raymond", "Janet", "Jack", "Catherine", "Dennis", "Maria", "Jerry", "Heather",
		"Tyler", "Diane", "Aaron", "Ruth", "Jose", "Julie", "Adam", "Olivia", "Nathan", "Joyce",
		"Henry", "Virginia", "Douglas", "Victoria", "Zachary", "Kelly", "Peter", "Lauren", "Kyle", "Christina",
		"Ethan", "Joan", "Walter", "Evelyn", "Noah", "Judith", "Jeremy", "Megan", "Christian", "Andrea",
		"Keith", "Cheryl", "Roger", "Hannah", "Terry", "Jacqueline", "Gerald", "Martha", "Harold", "Gloria",
		"Sean", "Teresa", "Austin", "Ann", "Carl", "Sara", "Arthur", "Madison", "Lawrence", "Frances",
		"Dylan", "Kathryn", "Jesse", "Janice", "Jordan", "Jean", "Bryan", "Abigail", "Billy", "Alice",
		"Joe", "Julia", "Bruce", "Judy", "Gabriel", "Sophia", "Logan", "Grace", "Albert", "Denise",
		"Willie", "Amber", "Alan", "Doris", "Juan", "Marilyn", "Wayne", "Danielle", "Elijah", "Beverly",
		"Randy", "Isabella", "Roy", "Theresa", "Vincent", "Diana", "Ralph", "Natalie", "Eugene", "Brittany",
		"Russell", "Charlotte", "Bobby", "Marie", "Mason", "Kayla", "Philip", "Alexis", "Louis", "Lori"}
	LastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
		"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
		"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
		"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
		"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
		"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
		"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
		"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
		"Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
		"Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
		"Harrison", "Fernandez", "Mcdonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
		"Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
		"Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks",
		"Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox",
		"Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens",
		"Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins"}
)

// UserID is the id of the i-th seeded user (1-based): an ObjectId whose time part is the
// user's creation second.
func UserID(i int) string { return objectID(userEpoch+int64(i)/100, 0xa0, int64(i)) }

// FollowID is the id of the k-th seeded follow edge (1-based).
func FollowID(k int) string { return objectID(followEpoch+int64(k)/1000, 0xb0, int64(k)) }

// FollowCreated is the createdAt of the k-th seeded follow edge (1000 a second; the SQL's
// to_timestamp(e + k / 1000.0) lands on these milliseconds exactly).
func FollowCreated(k int) time.Time { return time.UnixMilli(followEpoch*1000 + int64(k)).UTC() }

func objectID(sec int64, tag byte, n int64) string { return fmt.Sprintf("%08x%02x%014x", sec, tag, n) }

// Users are created 100 a second from userEpoch, edges 1000 a second from followEpoch.
const (
	userEpoch   = 1_600_000_000
	followEpoch = 1_700_000_000
)

// Username is the i-th seeded user's username ("celebrity" for the first).
func Username(i int) string {
	if i == 1 {
		return "celebrity"
	}
	f, l := names(i)
	return fmt.Sprintf("%s_%s%d", lower(f), lower(l), i)
}

// names are the i-th user's first and last names, as the SQL below picks them.
func names(i int) (string, string) {
	return FirstNames[(int64(i)*2654435761)%int64(len(FirstNames))], LastNames[(int64(i)*40503)%int64(len(LastNames))]
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// plan is the shape of the follow edges beyond the celebrity's.
type plan struct {
	n, celeb int
	// rounds of (n-1) edges each, then rem edges; round j links user s to the user off(j)
	// places after it among users 2..n.
	rounds, rem, step int
}

func newPlan(o Options) (plan, error) {
	p := plan{n: o.Users, celeb: min(o.CelebrityFollowers, o.Users-1)}
	rest := o.Edges - p.celeb
	if o.Users < 3 || rest < 0 {
		return p, errors.New("need at least 3 users and at least as many edges as celebrity followers")
	}
	m := o.Users - 1 // users 2..n
	p.rounds, p.rem = rest/m, rest%m
	if p.rounds+1 > m-1 {
		return p, fmt.Errorf("%d edges cannot be spread over %d users without repeating a pair", rest, m)
	}
	// off(j) = 1 + j*step mod (m-1) is distinct for distinct rounds when step and m-1 are
	// coprime, so no pair repeats.
	for _, step := range []int{104729, 1299709, 15485863} {
		if new(big.Int).GCD(nil, nil, big.NewInt(int64(step)), big.NewInt(int64(m-1))).Int64() == 1 {
			p.step = step
			return p, nil
		}
	}
	return p, errors.New("no step coprime with the number of users")
}

// Seed creates the users and edges in db, which must hold usergraph's (migrated, empty) tables.
// It drops the indexes of users and follows while loading and leaves them dropped: migrate
// again (db.Open) and create the search indexes (db.EnsureSearchIndexes) afterwards.
func Seed(ctx context.Context, db *sql.DB, o Options) (Summary, error) {
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	p, err := newPlan(o)
	if err != nil {
		return Summary{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(o.Password), bcrypt.DefaultCost)
	if err != nil {
		return Summary{}, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return Summary{}, err
	}
	defer conn.Close()
	step := func(what string, query string, args ...any) error {
		start := time.Now()
		if _, err := conn.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
		return nil
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1) x`).Scan(&n); err != nil {
		return Summary{}, err
	}
	if n > 0 {
		return Summary{}, errors.New("the users table is not empty (cmd/seed -reset empties it)")
	}
	if err := step("settings", `SET synchronous_commit = off; SET maintenance_work_mem = '512MB'`); err != nil {
		return Summary{}, err
	}
	if err := dropIndexes(ctx, conn, logf, "users", "follows"); err != nil {
		return Summary{}, err
	}
	if o.Scope == nil {
		o.Scope = []string{}
	}
	scope, err := json.Marshal(o.Scope)
	if err != nil {
		return Summary{}, err
	}
	// The counts follow from the plan: every user of 2..n is in every full round once as a
	// source and once as a target; the partial round gives one more followee to the first rem
	// of them, and one more follower to the rem users starting off(rounds) places on.
	m := p.n - 1
	lastOff := 1 + (p.rounds*p.step)%(m-1)
	err = step(fmt.Sprintf("users (%d)", p.n), `
		INSERT INTO users (id, created_at, updated_at, username, first_name, last_name, email, sanitized_email,
			email_verified, password_hash, scope, follower_count, following_count)
		SELECT id, t, t, u, f, l, u || '@example.com', u || '@example.com', true, $1, $2::jsonb,
			CASE WHEN i = 1 THEN $5 ELSE $6 + (CASE WHEN ((i - 2) - $8 + $4) % $4 < $7 THEN 1 ELSE 0 END) END,
			CASE WHEN i = 1 THEN 0 ELSE $6 + (CASE WHEN i - 2 < $7 THEN 1 ELSE 0 END) + (CASE WHEN i <= $5 + 1 THEN 1 ELSE 0 END) END
		FROM (
			SELECT i, lpad(to_hex(`+fmt.Sprint(userEpoch)+` + i / 100), 8, '0') || 'a0' || lpad(to_hex(i), 14, '0') AS id,
				to_timestamp(`+fmt.Sprint(userEpoch)+` + i / 100.0) AS t, f, l,
				CASE WHEN i = 1 THEN 'celebrity' ELSE lower(f) || '_' || lower(l) || i END AS u
			FROM (
				SELECT i, ($9::text[])[1 + (i * 2654435761) % $10] AS f, ($11::text[])[1 + (i * 40503) % $12] AS l
				FROM generate_series(1::bigint, $3::bigint) AS i
			) named
		) x`,
		string(hash), string(scope), p.n, m, p.celeb, p.rounds, p.rem, lastOff,
		pq.Array(FirstNames), len(FirstNames), pq.Array(LastNames), len(LastNames))
	if err != nil {
		return Summary{}, err
	}
	// Edge k (1-based): the celebrity's followers first, then the rounds.
	err = step(fmt.Sprintf("celebrity's followers (%d)", p.celeb), `
		INSERT INTO follows (id, created_at, updated_at, source_id, target_id, approved)
		SELECT lpad(to_hex(`+fmt.Sprint(followEpoch)+` + k / 1000), 8, '0') || 'b0' || lpad(to_hex(k), 14, '0'), t, t,
			lpad(to_hex(`+fmt.Sprint(userEpoch)+` + (k + 1) / 100), 8, '0') || 'a0' || lpad(to_hex(k + 1), 14, '0'), $2, true
		FROM (SELECT k, to_timestamp(`+fmt.Sprint(followEpoch)+` + k / 1000.0) AS t FROM generate_series(1::bigint, $1::bigint) AS k) x`,
		p.celeb, UserID(1))
	if err != nil {
		return Summary{}, err
	}
	rest := p.rounds*m + p.rem
	err = step(fmt.Sprintf("other follows (%d)", rest), `
		INSERT INTO follows (id, created_at, updated_at, source_id, target_id, approved)
		SELECT lpad(to_hex(`+fmt.Sprint(followEpoch)+` + k / 1000), 8, '0') || 'b0' || lpad(to_hex(k), 14, '0'), t, t,
			lpad(to_hex(`+fmt.Sprint(userEpoch)+` + s / 100), 8, '0') || 'a0' || lpad(to_hex(s), 14, '0'),
			lpad(to_hex(`+fmt.Sprint(userEpoch)+` + d / 100), 8, '0') || 'a0' || lpad(to_hex(d), 14, '0'), true
		FROM (
			SELECT k, to_timestamp(`+fmt.Sprint(followEpoch)+` + k / 1000.0) AS t, 2 + r % $3 AS s,
				2 + (r % $3 + 1 + ((r / $3) * $4) % ($3 - 1)) % $3 AS d
			FROM (SELECT $2::bigint + r + 1 AS k, r FROM generate_series(0::bigint, $1::bigint - 1) AS r) e
		) x`,
		rest, p.celeb, m, p.step)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Users: p.n, Edges: p.celeb + rest, CelebrityFollowers: p.celeb, CelebrityID: UserID(1)}, nil
}

// Check verifies, after the indexes are back, that every user's counts equal its edges; it
// returns the number of users whose counts differ.
func Check(ctx context.Context, db *sql.DB) (int, error) {
	var bad int
	err := db.QueryRowContext(ctx, `
		SELECT count(*) FROM users u
		LEFT JOIN (SELECT target_id, count(*) AS n FROM follows WHERE approved GROUP BY target_id) i ON i.target_id = u.id
		LEFT JOIN (SELECT source_id, count(*) AS n FROM follows WHERE approved GROUP BY source_id) o ON o.source_id = u.id
		WHERE u.follower_count <> COALESCE(i.n, 0) OR u.following_count <> COALESCE(o.n, 0)`).Scan(&bad)
	return bad, err
}

// Reset empties the users table and every table that refers to it.
func Reset(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `TRUNCATE users CASCADE`)
	return err
}

// dropIndexes drops the indexes of tables other than their primary keys (loading is several
// times faster without them; the migration creates them again).
func dropIndexes(ctx context.Context, conn *sql.Conn, logf func(string, ...any), tables ...string) error {
	rows, err := conn.QueryContext(ctx, `
		SELECT c.relname, con.conname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
		WHERE i.indrelid = ANY (SELECT to_regclass(t) FROM unnest($1::text[]) t) AND NOT i.indisprimary`, pq.Array(tables))
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var index string
		var constraint sql.NullString
		if err := rows.Scan(&index, &constraint); err != nil {
			rows.Close()
			return err
		}
		if constraint.Valid {
			return fmt.Errorf("index %s backs constraint %s: not dropped", index, constraint.String)
		}
		drops = append(drops, index)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ix := range drops {
		if _, err := conn.ExecContext(ctx, "DROP INDEX "+pq.QuoteIdentifier(ix)); err != nil {
			return err
		}
	}
	logf("dropped %d indexes while loading", len(drops))
	return nil
}
