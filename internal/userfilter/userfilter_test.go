package userfilter

import (
	"encoding/json"
	"errors"
	"testing"

	"usergraph/internal/apperr"
)

func TestParse(t *testing.T) {
	q, err := Parse("ann")
	if err != nil || !q.IsText() || q.Text != "ann" {
		t.Fatalf("text: %+v %v", q, err)
	}
	q, err = Parse(map[string]any{})
	if err != nil || q.IsText() || len(q.Filter) != 0 {
		t.Fatalf("{} is a filter matching everyone: %+v %v", q, err)
	}
	q, err = Parse(map[string]any{
		"username":      "ann",
		"followerCount": map[string]any{"$in": []any{float64(3), json.Number("4"), int64(5), nil}},
		"$or":           []any{map[string]any{"bio": map[string]any{"$not": map[string]any{"$regex": "x", "$options": "ii"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := q.Filter
	if len(d) != 3 || len(d[0].Or) != 1 || d[1].Field != "followerCount" || d[2].Field != "username" || !d[2].Cond.Plain {
		t.Fatalf("clauses in key order: %+v", d)
	}
	in := d[1].Cond.Ops[0]
	if in.Op != "$in" || len(in.Values) != 4 || in.Values[1] != (Value{Kind: Int, Int: 4}) || in.Values[3].Kind != Null {
		t.Fatalf("$in: %+v", in)
	}
	not := d[0].Or[0][0].Cond.Ops[0]
	if not.Op != "$not" || not.Not.Ops[0].Regex != "x" || not.Not.Ops[0].Flags != "i" {
		t.Fatalf("$not $regex: %+v", not)
	}
	for _, bad := range []any{nil, 3.0, []any{"a"}, true,
		map[string]any{"$where": "1"},
		map[string]any{"a": map[string]any{}},
		map[string]any{"a": []any{"x"}},
		map[string]any{"a": 1.5},
		map[string]any{"a": map[string]any{"$gt": nil}},
		map[string]any{"a": map[string]any{"$options": "i"}},
		map[string]any{"a": map[string]any{"$regex": "x", "$options": "g"}},
		map[string]any{"$or": []any{}},
		map[string]any{"$and": []any{"x"}},
	} {
		_, err := Parse(bad)
		if ae := apperr.As(err); ae == nil || len(ae.Violations) != 1 || ae.Violations[0].Field != "query" {
			t.Errorf("%v: %v", bad, err)
		}
	}
	deep := map[string]any{"a": "x"}
	for range 10 {
		deep = map[string]any{"$and": []any{deep}}
	}
	if _, err := ParseDoc(deep); err != nil {
		t.Fatalf("10 levels: %v", err)
	}
	if _, err := ParseDoc(map[string]any{"$and": []any{deep}}); !errors.Is(err, ErrShape) {
		t.Fatalf("11 levels: %v", err)
	}
}
