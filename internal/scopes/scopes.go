// Package scopes holds Liquid's scope tree and the hierarchical scope check.
//
// The built-in scopes live in scopes.json (embedded), in the same shape as
// Liquid's src/service/scope-manager/scopes.json: an array of
// {name, description, adminDescription?, parent?}. More scopes can be added
// from a scope-extension file (Liquid's system.scope-extension-file-path).
//
// A scope is allowed by a list of granted scopes when the list contains the
// scope itself or any of its ancestors. "*" is only the root of the tree;
// there is no glob matching, and a name that is not in the registry is never
// allowed.
package scopes

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Root is the name of the root scope, which allows every other scope.
const Root = "*"

// DefaultExtensionFilePath is Liquid's default system.scope-extension-file-path.
const DefaultExtensionFilePath = "/var/liquid/scope-extensions.json"

// Scope is one node of the scope tree, as stored in scopes.json.
type Scope struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// AdminDescription is set for delegated:* scopes only: how the scope
	// reads to an administrator reviewing what an application may do.
	AdminDescription string `json:"adminDescription,omitempty"`
	// Parent is "" for the root scope "*" only.
	Parent string `json:"parent,omitempty"`
}

// ScopeView is one entry of the GET /user/scopes response:
// {name, description, adminDescription?, parent?}.
type ScopeView struct {
	Name             string `json:"name"`
	Description      string `json:"description"`
	AdminDescription string `json:"adminDescription,omitempty"`
	Parent           string `json:"parent,omitempty"`
}

// Errors returned (wrapped) by Extend and LoadExtensionFile.
var (
	ErrNoName        = errors.New("scope has no name")
	ErrInvalidName   = errors.New("scope name contains whitespace or a comma")
	ErrDuplicate     = errors.New("scope already exists")
	ErrNoParent      = errors.New("scope has no parent")
	ErrUnknownParent = errors.New("scope parent is not a known scope")
	ErrCycle         = errors.New("scope parents form a cycle")
)

//go:embed scopes.json
var builtinJSON []byte

var (
	builtinOnce   sync.Once
	builtinScopes []Scope
)

func builtin() []Scope {
	builtinOnce.Do(func() {
		var list []Scope
		if err := json.Unmarshal(builtinJSON, &list); err != nil {
			panic(fmt.Sprintf("scopes: embedded scopes.json is invalid: %v", err))
		}
		builtinScopes = list
	})
	return builtinScopes
}

// Registry is a set of scopes forming one tree rooted at "*". It is safe for
// concurrent use.
type Registry struct {
	mu     sync.RWMutex
	order  []string
	byName map[string]Scope
}

// Default returns a new registry holding Liquid's 98 built-in scopes. Every
// call returns an independent registry, so extending one does not affect
// the others.
func Default() *Registry {
	list := builtin()
	r := &Registry{
		order:  make([]string, 0, len(list)),
		byName: make(map[string]Scope, len(list)),
	}
	for _, s := range list {
		if _, dup := r.byName[s.Name]; dup {
			panic("scopes: embedded scopes.json repeats " + s.Name)
		}
		r.order = append(r.order, s.Name)
		r.byName[s.Name] = s
	}
	for _, s := range list {
		if s.Name == Root {
			if s.Parent != "" {
				panic("scopes: embedded root scope has a parent")
			}
			continue
		}
		if _, ok := r.byName[s.Parent]; !ok {
			panic("scopes: embedded scope " + s.Name + " has unknown parent " + s.Parent)
		}
	}
	return r
}

// Extend adds scopes, as Liquid does with its scope-extension file. Each
// extra scope must have a name (without whitespace or commas), must not
// already exist, and must have a parent that is either already in the
// registry or another scope of extra. Nothing is added unless every scope is
// valid.
func (r *Registry) Extend(extra []Scope) error {
	r.mu.Lock()
	defer r.mu.Unlock()

	batch := make(map[string]Scope, len(extra))
	for i, s := range extra {
		switch {
		case s.Name == "":
			return fmt.Errorf("scopes: extension %d: %w", i, ErrNoName)
		case strings.IndexFunc(s.Name, isSeparator) >= 0:
			return fmt.Errorf("scopes: extension %q: %w", s.Name, ErrInvalidName)
		}
		if _, ok := r.byName[s.Name]; ok {
			return fmt.Errorf("scopes: extension %q: %w", s.Name, ErrDuplicate)
		}
		if _, ok := batch[s.Name]; ok {
			return fmt.Errorf("scopes: extension %q: %w", s.Name, ErrDuplicate)
		}
		batch[s.Name] = s
	}
	for _, s := range extra {
		if s.Parent == "" {
			return fmt.Errorf("scopes: extension %q: %w", s.Name, ErrNoParent)
		}
		_, inRegistry := r.byName[s.Parent]
		_, inBatch := batch[s.Parent]
		if !inRegistry && !inBatch {
			return fmt.Errorf("scopes: extension %q: parent %q: %w", s.Name, s.Parent, ErrUnknownParent)
		}
	}
	// Parents inside the batch must eventually lead to a scope already in
	// the registry (whose ancestry is known to end at the root).
	for _, s := range extra {
		seen := map[string]bool{s.Name: true}
		p := s.Parent
		for {
			if _, ok := r.byName[p]; ok {
				break
			}
			if seen[p] {
				return fmt.Errorf("scopes: extension %q: %w", s.Name, ErrCycle)
			}
			seen[p] = true
			p = batch[p].Parent
		}
	}
	for _, s := range extra {
		r.order = append(r.order, s.Name)
		r.byName[s.Name] = s
	}
	return nil
}

// LoadExtensionFile reads a JSON array of scopes from path and adds them
// with Extend. A missing file (or an empty path) is not an error, as in
// Liquid, whose default path is DefaultExtensionFilePath. An unreadable or
// malformed file, or an invalid scope in it, gives an error naming path.
func (r *Registry) LoadExtensionFile(path string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("scopes: reading extension file %s: %w", path, err)
	}
	var extra []Scope
	if err := json.Unmarshal(data, &extra); err != nil {
		return fmt.Errorf("scopes: parsing extension file %s: %w", path, err)
	}
	if err := r.Extend(extra); err != nil {
		return fmt.Errorf("scopes: extension file %s: %w", path, err)
	}
	return nil
}

// Get returns the scope called name.
func (r *Registry) Get(name string) (Scope, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.byName[name]
	return s, ok
}

// Known reports whether name is a scope in the registry.
func (r *Registry) Known(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.byName[name]
	return ok
}

// All returns every scope: the built-in ones in scopes.json order, then
// extensions in the order they were added. The slice is a copy.
func (r *Registry) All() []Scope {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Scope, len(r.order))
	for i, name := range r.order {
		out[i] = r.byName[name]
	}
	return out
}

// Map returns the content of the "scopes" field of GET /user/scopes: every
// scope keyed by its name.
func (r *Registry) Map() map[string]ScopeView {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]ScopeView, len(r.byName))
	for name, s := range r.byName {
		out[name] = ScopeView(s)
	}
	return out
}

// Allowed reports whether scope is allowed by granted: true if granted
// contains scope or any of its ancestors (up to and including "*"). A scope
// name that is not in the registry is never allowed, and names in granted
// are compared literally (no glob matching).
func (r *Registry) Allowed(scope string, granted []string) bool {
	if len(granted) == 0 {
		return false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.allowedLocked(scope, granted)
}

func (r *Registry) allowedLocked(scope string, granted []string) bool {
	s, ok := r.byName[scope]
	if !ok {
		return false
	}
	// The registry has no cycles, so the walk ends; the bound is a guard.
	for range len(r.byName) + 1 {
		if slices.Contains(granted, s.Name) {
			return true
		}
		if s.Parent == "" {
			return false
		}
		if s, ok = r.byName[s.Parent]; !ok {
			return false
		}
	}
	return false
}

// AllAllowed reports whether every scope in requested is allowed by granted
// (Liquid's canRequestScope). An empty request is vacuously allowed; callers
// that need at least one scope must check for that themselves.
func (r *Registry) AllAllowed(requested, granted []string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, s := range requested {
		if !r.allowedLocked(s, granted) {
			return false
		}
	}
	return true
}

// Narrow returns the scopes of requested that granted allows (without
// duplicates, in request order), and ok = true when that is all of them.
func (r *Registry) Narrow(requested, granted []string) (kept []string, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	kept = make([]string, 0, len(requested))
	ok = true
	for _, s := range requested {
		if !r.allowedLocked(s, granted) {
			ok = false
			continue
		}
		if !slices.Contains(kept, s) {
			kept = append(kept, s)
		}
	}
	return kept, ok
}

// Parse splits a scope parameter on whitespace and/or commas ("a b",
// "a,b" and "a, b" are all accepted), dropping empty items and duplicates
// and keeping the first-seen order. It never returns nil.
func Parse(s string) []string {
	fields := strings.FieldsFunc(s, isSeparator)
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func isSeparator(r rune) bool { return r == ',' || unicode.IsSpace(r) }
