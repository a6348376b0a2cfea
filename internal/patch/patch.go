// Package patch expresses one field of a partial update in types: absent (leave the field as it
// is), null (clear it) or a value (set it). Each API decodes its own way of saying these three
// things (Liquid's "__unset__", GraphQL's null, a JSON key left out) into a Field.
package patch

// Field is one field of a partial update. The zero value is absent.
type Field[T any] struct {
	state state
	value T
}

type state uint8

const (
	absent state = iota
	null
	set
)

// Set returns a field that sets v.
func Set[T any](v T) Field[T] { return Field[T]{state: set, value: v} }

// Clear returns a field that clears the stored value (null).
func Clear[T any]() Field[T] { return Field[T]{state: null} }

// From returns Set(*p), or an absent field when p is nil.
func From[T any](p *T) Field[T] {
	if p == nil {
		return Field[T]{}
	}
	return Set(*p)
}

// Present reports whether the update names the field (to set or to clear it).
func (f Field[T]) Present() bool { return f.state != absent }

// IsClear reports whether the update clears the field.
func (f Field[T]) IsClear() bool { return f.state == null }

// Value returns the value to set and true, or the zero value and false when the field is
// absent or cleared.
func (f Field[T]) Value() (T, bool) { return f.value, f.state == set }
