package db

import (
	"context"
	"sync"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter counts the statements sent to the database, for tests that bound the number of
// queries an operation costs. Wrap a driver with it through Open's wrap argument; production
// code never installs one.
type Counter struct {
	n atomic.Int64

	mu         sync.Mutex
	record     bool
	statements []Statement
}

// Statement is one recorded statement and its arguments.
type Statement struct {
	Query string
	Args  []any
}

// Count is the number of statements executed since the last Reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Reset sets the count to zero and starts recording the statements' text.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n.Store(0)
	c.record = true
	c.statements = nil
}

// Queries returns the text of the statements executed since the last Reset.
func (c *Counter) Queries() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.statements))
	for i, st := range c.statements {
		out[i] = st.Query
	}
	return out
}

// Statements returns the statements executed since the last Reset, with their arguments.
func (c *Counter) Statements() []Statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Statement(nil), c.statements...)
}

func (c *Counter) add(query string, args any) {
	c.n.Add(1)
	c.mu.Lock()
	if c.record {
		a, _ := args.([]any)
		c.statements = append(c.statements, Statement{Query: query, Args: a})
	}
	c.mu.Unlock()
}

// Observe counts a statement run outside ent (a prepared Stmt); pass it as Prepare's observer.
func (c *Counter) Observe(query string, args []any) { c.add(query, args) }

// Wrap returns d with every Exec and Query counted, in and out of transactions.
func (c *Counter) Wrap(d dialect.Driver) dialect.Driver { return &countingDriver{Driver: d, c: c} }

type countingDriver struct {
	dialect.Driver
	c *Counter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.add(query, args)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.add(query, args)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.add(query, args)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.add(query, args)
	return t.Tx.Query(ctx, query, args, v)
}
