// Package metrics is usergraph's Prometheus instrumentation: HTTP requests by route or GraphQL
// operation, the database pool, logins, sign-ups, rate-limit rejections and mail. Each App has
// its own registry (tests run many servers in one process); every method is safe on a nil
// *Metrics, so code built without metrics (unit tests) needs no guard.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"usergraph/internal/mail"
)

// Login outcomes, the values of usergraph_logins_total's outcome label.
const (
	LoginSuccess           = "success"
	LoginTwoFactorRequired = "two_factor_required"
	LoginRejected          = "rejected" // unknown account, wrong password or wrong code
	LoginBanned            = "banned"
	LoginNotVerified       = "not_verified"
	LoginRateLimited       = "rate_limited"
	LoginInvalidInput      = "invalid_input"
	LoginError             = "error"
)

// Login steps, the values of usergraph_logins_total's step label.
const (
	StepPassword  = "password"
	StepTwoFactor = "two_factor"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	logins      *prometheus.CounterVec
	signUps     prometheus.Counter
	rateLimited *prometheus.CounterVec
	mails       *prometheus.CounterVec
}

// New registers usergraph's collectors, the Go runtime's and the process's, and the statistics
// of the database pool db (connections open, in use, idle, waits).
func New(db *sql.DB) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergraph_http_requests_total",
			Help: "HTTP requests answered, by route pattern (REST) or GraphQL operation, and status code.",
		}, []string{"route", "operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "usergraph_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern (REST) or GraphQL operation, and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "operation", "status"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergraph_logins_total",
			Help: "Login attempts by step (password, two_factor) and outcome.",
		}, []string{"step", "outcome"}),
		signUps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usergraph_signups_total",
			Help: "Accounts created.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergraph_rate_limited_total",
			Help: "Requests refused by a rate limit, by tier and action (route for the per-route limits).",
		}, []string{"tier", "action"}),
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usergraph_mails_total",
			Help: "Mails handed to the mail server (result=sent) or that could not be (result=failed).",
		}, []string{"result"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.logins, m.signUps, m.rateLimited, m.mails,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "usergraph"))
	}
	// Known series start at zero, so rate() and alerts work before the first event.
	for _, step := range []string{StepPassword, StepTwoFactor} {
		for _, o := range []string{LoginSuccess, LoginTwoFactorRequired, LoginRejected, LoginBanned, LoginNotVerified, LoginRateLimited, LoginInvalidInput, LoginError} {
			m.logins.WithLabelValues(step, o)
		}
	}
	m.mails.WithLabelValues("sent")
	m.mails.WithLabelValues("failed")
	return m
}

// Registry is where the collectors are registered (for tests and for other collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Request counts one answered HTTP request. route and operation must come from a bounded set
// (ServeMux patterns, GraphQL operation labels), never from the raw path or client input.
func (m *Metrics) Request(route, operation string, status int, d time.Duration) {
	if m == nil {
		return
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, operation, code).Inc()
	m.duration.WithLabelValues(route, operation, code).Observe(d.Seconds())
}

// Login counts one login attempt.
func (m *Metrics) Login(step, outcome string) {
	if m == nil {
		return
	}
	m.logins.WithLabelValues(step, outcome).Inc()
}

// SignUp counts one account created.
func (m *Metrics) SignUp() {
	if m == nil {
		return
	}
	m.signUps.Inc()
}

// RateLimited counts one request refused by a rate limit. action must be a constant of the
// code (or "route"), never a path.
func (m *Metrics) RateLimited(tier, action string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(tier, action).Inc()
}

// Mailer wraps a mail sender so every mail is counted as sent or failed.
func (m *Metrics) Mailer(next mail.Sender) mail.Sender {
	if m == nil {
		return next
	}
	return countingSender{next: next, sent: m.mails.WithLabelValues("sent"), failed: m.mails.WithLabelValues("failed")}
}

type countingSender struct {
	next         mail.Sender
	sent, failed prometheus.Counter
}

func (c countingSender) Send(ctx context.Context, msg mail.Message) error {
	err := c.next.Send(ctx, msg)
	if err != nil {
		c.failed.Inc()
	} else {
		c.sent.Inc()
	}
	return err
}
