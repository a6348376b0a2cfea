package apitest

import (
	"context"
	"log/slog"
	"sync"
)

// maxLogRecords bounds the records kept.
const maxLogRecords = 20000

// Logs keeps the records the server under test logs (the latest maxLogRecords), so tests can check what operators see.
type Logs struct {
	mu      sync.Mutex
	records []LogRecord
}

// LogRecord is one logged record: its level, message and attributes (values as slog prints them).
type LogRecord struct {
	Level   slog.Level
	Message string
	Attrs   map[string]string
}

// Find returns the records with message msg whose attributes include every pair in match.
func (l *Logs) Find(msg string, match map[string]string) []LogRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []LogRecord
next:
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		for k, v := range match {
			if r.Attrs[k] != v {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

func (l *Logs) handler() slog.Handler { return &logsHandler{logs: l} }

type logsHandler struct {
	logs  *Logs
	attrs []slog.Attr
}

func (h *logsHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logsHandler) Handle(_ context.Context, r slog.Record) error {
	rec := LogRecord{Level: r.Level, Message: r.Message, Attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.Attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.Resolve().String()
		return true
	})
	h.logs.mu.Lock()
	if len(h.logs.records) >= maxLogRecords {
		// Benchmarks send many requests: keep the recent half rather than grow without bound.
		h.logs.records = append(h.logs.records[:0], h.logs.records[maxLogRecords/2:]...)
	}
	h.logs.records = append(h.logs.records, rec)
	h.logs.mu.Unlock()
	return nil
}

func (h *logsHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logsHandler{logs: h.logs, attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...)}
}

// WithGroup is not needed by the server's logging; groups are flattened.
func (h *logsHandler) WithGroup(string) slog.Handler { return h }
