package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// loader resolves options the way Liquid does (config file, then environment, then
// default) and collects every error, so one start reports all bad settings at once.
type loader struct {
	lookup   func(string) (string, bool)
	file     map[string]json.RawMessage // nil without a config file
	filePath string
	read     map[string]bool // options read so far; the tests compare it with Supported
	errs     []error
}

// setting is one option's unparsed value and where it came from.
type setting struct {
	opt       Option
	raw       json.RawMessage // set when the value comes from the config file
	text      string          // the environment's or the default's text otherwise
	where     string          // names the source in error messages
	isDefault bool
}

func newLoader(lookup func(string) (string, bool)) *loader {
	return &loader{lookup: lookup, read: map[string]bool{}}
}

func (l *loader) fail(format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf("config: "+format, args...))
}

func (l *loader) err() error { return errors.Join(l.errs...) }

// readFile loads the JSON config file. Liquid logs and ignores a broken file; usergraph
// refuses to start, since the settings the operator meant would silently not apply.
func (l *loader) readFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		l.fail("%s: %v", liquidOptions["system.service.app-config-file-path"].Env, err)
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		l.fail("%s: not a JSON object of option names to values: %v", path, err)
		return
	}
	for name := range m {
		if _, ok := liquidOptions[name]; ok {
			continue // Liquid options usergraph ignores are allowed, so one file serves both
		}
		if _, ok := newOptions[name]; !ok {
			l.fail("%s: unknown option %q", path, name)
		}
	}
	l.file, l.filePath = m, path
}

// get finds an option's value. An empty environment variable counts as unset, as in Liquid;
// JSON null in the file does too.
func (l *loader) get(name string, t Type) (setting, bool) {
	o, ok := supportedByName[name]
	if !ok || o.Env == "" {
		l.fail("internal: option %q is not supported", name)
		return setting{}, false
	}
	if o.Type != t {
		l.fail("internal: option %q is a %s, read as %s", name, o.Type, t)
		return setting{}, false
	}
	l.read[name] = true
	where, raw, text, set := l.origin(o)
	if !set {
		return setting{opt: o, text: o.Default, where: where, isDefault: true}, true
	}
	return setting{opt: o, raw: raw, text: text, where: where}, true
}

// origin finds where an option's value comes from: the file's JSON value, the environment's
// text, or neither (the default applies).
func (l *loader) origin(o Option) (where string, raw json.RawMessage, text string, set bool) {
	if raw, ok := l.file[o.Name]; ok && string(bytes.TrimSpace(raw)) != "null" {
		return l.filePath + ": " + o.Name, raw, "", true
	}
	if v, ok := l.lookup(o.Env); ok && v != "" {
		return o.Env, nil, v, true
	}
	return "default of " + o.Env, nil, "", false
}

// isSet reports whether an option was given explicitly.
func (l *loader) isSet(name string) bool {
	_, _, _, set := l.origin(supportedByName[name])
	return set
}

// where names an option's source for errors found after parsing.
func (l *loader) where(name string) string {
	w, _, _, _ := l.origin(supportedByName[name])
	return w
}

// scalar returns a setting's text. File values are turned into the text an environment
// variable would hold (true -> "true", 15 -> "15"), so both sources share one parser.
func (l *loader) scalar(s setting) (string, bool) {
	if s.raw == nil {
		return s.text, true
	}
	v, err := decodeJSON(s.raw)
	if err != nil {
		l.fail("%s: %v", s.where, err)
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	l.fail("%s: %s is not a %s", s.where, s.raw, s.opt.Type)
	return "", false
}

func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func (l *loader) str(name string) string {
	s, ok := l.get(name, String)
	if !ok {
		return ""
	}
	v, _ := l.scalar(s)
	return v
}

func (l *loader) boolean(name string) bool {
	s, ok := l.get(name, Boolean)
	if !ok {
		return false
	}
	text, ok := l.scalar(s)
	if !ok || (s.isDefault && text == "") {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	l.fail("%s: %q is not a boolean (true or false)", s.where, text)
	return false
}

// number reads a whole number of at least min.
func (l *loader) number(name string, min int) int {
	s, ok := l.get(name, Number)
	if !ok {
		return 0
	}
	text, ok := l.scalar(s)
	if !ok || (s.isDefault && text == "") {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		l.fail("%s: %q is not a whole number", s.where, text)
		return 0
	}
	if n < min {
		l.fail("%s: %d is less than %d", s.where, n, min)
		return 0
	}
	return n
}

// seconds reads a number of seconds (at least min) as a duration.
func (l *loader) seconds(name string, min int) time.Duration {
	n := l.number(name, min)
	if int64(n) > math.MaxInt64/int64(time.Second) {
		l.fail("%s: %d seconds is too long", l.where(name), n)
		return 0
	}
	return time.Duration(n) * time.Second
}

// list reads a stringArray: a comma-separated string, or a JSON array in the file. Items are
// trimmed and empty ones dropped, so "a, b," is [a b].
func (l *loader) list(name string) []string {
	s, ok := l.get(name, StringArray)
	if !ok {
		return nil
	}
	var items []string
	if s.raw != nil {
		if v, err := decodeJSON(s.raw); err == nil {
			if arr, isArr := v.([]any); isArr {
				for _, e := range arr {
					str, isStr := e.(string)
					if !isStr {
						l.fail("%s: %s is not a list of strings", s.where, s.raw)
						return nil
					}
					items = append(items, str)
				}
				return cleanItems(items)
			}
		}
	}
	text, ok := l.scalar(s)
	if !ok {
		return nil
	}
	return cleanItems(strings.Split(text, ","))
}

func cleanItems(items []string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// regex compiles a regex option with Go's RE2 syntax. Liquid's JavaScript patterns mostly
// compile as is; lookarounds and backreferences do not and are reported. An empty value
// gives nil unless required.
func (l *loader) regex(name string, caseInsensitive, required bool) *regexp.Regexp {
	s, ok := l.get(name, String)
	if !ok {
		return nil
	}
	text, ok := l.scalar(s)
	if !ok {
		return nil
	}
	if text == "" {
		if required {
			l.fail("%s: must not be empty", s.where)
		}
		return nil
	}
	expr := text
	if caseInsensitive {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		l.fail("%s: %q is not a valid regular expression: %v", s.where, text, err)
		return nil
	}
	return re
}
