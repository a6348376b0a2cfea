// Package clientip finds the address of the client behind a request, once per request, for
// every part of the server that cares (login history, rate limits, the access log, OAuth).
//
// Behind reverse proxies the address comes from X-Forwarded-For, read from the right: each
// proxy appends the address it received the request from, so only the entries written by our
// own proxies can be believed. Everything to their left was sent by the client and may be
// forged. Trust is configured either as a number of hops (the proxies in front of the server,
// each appending one entry) or as the networks the proxies live in.
package clientip

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver reads the client address of a request.
type Resolver struct {
	// hops is how many proxies stand in front of the server; 0 ignores X-Forwarded-For.
	hops int
	// nets, when set, are the proxies' networks: the connection must come from one of them,
	// and X-Forwarded-For is read from the right while its entries are within them.
	nets []netip.Prefix
}

// New returns a Resolver trusting hops proxies, or, when networks is not empty, the proxies
// within networks (CIDRs such as 10.0.0.0/8, or single addresses).
func New(hops int, networks []string) (*Resolver, error) {
	r := &Resolver{hops: hops}
	for _, n := range networks {
		p, err := ParseNetwork(n)
		if err != nil {
			return nil, err
		}
		r.nets = append(r.nets, p)
	}
	return r, nil
}

// ParseNetwork reads a CIDR or a single address (as a /32 or /128).
func ParseNetwork(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a network (CIDR such as 10.0.0.0/8)", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or a network (CIDR such as 10.0.0.0/8)", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Resolve returns the client's address for r.
func (res *Resolver) Resolve(r *http.Request) string {
	peer := peerAddr(r.RemoteAddr)
	if res == nil || (res.hops == 0 && len(res.nets) == 0) {
		return peer
	}
	entries := forwarded(r.Header.Values("X-Forwarded-For"))
	if len(res.nets) > 0 {
		if !res.trusted(peer) {
			return peer // not from our proxy: its X-Forwarded-For is the client's own text
		}
		client := peer
		for i := len(entries) - 1; i >= 0; i-- {
			a, ok := parseAddr(entries[i])
			if !ok {
				break // a proxy of ours writes addresses; garbage comes from further left
			}
			client = a
			if !res.trusted(a) {
				break
			}
		}
		return client
	}
	// hops proxies appended one entry each; the leftmost of theirs is the client.
	if len(entries) == 0 {
		return peer
	}
	i := len(entries) - res.hops
	if i < 0 {
		i = 0 // fewer entries than proxies: the request skipped one, take the farthest known
	}
	if a, ok := parseAddr(entries[i]); ok {
		return a
	}
	return peer
}

func (res *Resolver) trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range res.nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwarded splits X-Forwarded-For headers (several headers count as one list) into entries.
func forwarded(values []string) []string {
	var out []string
	for _, v := range values {
		for _, e := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(e))
		}
	}
	return out
}

// parseAddr reads one X-Forwarded-For entry: an address, possibly with a port or brackets.
func parseAddr(s string) (string, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String(), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.Unmap().String(), true
	}
	return "", false
}

func peerAddr(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

type ctxKey struct{}

// Middleware resolves the client address once and stores it for From.
func (res *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, res.Resolve(r))))
	})
}

// From returns the address Middleware resolved for r, or the connection's address when the
// request did not pass through it.
func From(r *http.Request) string {
	if a, ok := r.Context().Value(ctxKey{}).(string); ok {
		return a
	}
	return peerAddr(r.RemoteAddr)
}

// FromContext returns the address Middleware stored, "" if none.
func FromContext(ctx context.Context) string {
	a, _ := ctx.Value(ctxKey{}).(string)
	return a
}
