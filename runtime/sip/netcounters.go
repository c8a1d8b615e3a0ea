package sip

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/runtime/counters"
)

// NetCounters are the core's "tcp" and "dns" statistics, which Kamailio's
// core registers itself (with or without kex): what happened to TCP
// connections and to DNS lookups. The transport bumps them when its
// Router is a NetCountingRouter that returns them.
type NetCounters struct {
	established, passiveOpen, connectSuccess, connectFailed *counters.Counter
	localReject, conTimeout, conReset, sendTimeout          *counters.Counter
	failedDNS, slowDNS                                      *counters.Counter
	// slowQuery is the dns_slow_query_ms of the moment: a lookup that
	// takes longer is slow; 0 counts none.
	slowQuery func() time.Duration
}

// NetCountingRouter is a Router that keeps the tcp and dns statistics.
type NetCountingRouter interface {
	NetCounters() *NetCounters
}

// RegisterNetCounters registers the dns group in r and, with tcp (TCP
// not disabled, as Kamailio registers it only then), the tcp group, in
// Kamailio's order. open gives current_opened_connections; slowQuery the
// duration above which a DNS lookup counts as slow (0: none does).
// current_write_queue_size and sendq_full are kamgo's truth: its TCP
// writes happen in the sending goroutine, so nothing is ever queued.
// Without tcp the tcp counters are nil and count nothing.
func RegisterNetCounters(r *counters.Registry, tcp bool, open func() int64, slowQuery func() time.Duration) (*NetCounters, error) {
	k := &NetCounters{slowQuery: slowQuery}
	var err error
	for _, d := range []struct {
		c         **counters.Counter
		name, doc string
	}{
		{&k.failedDNS, "failed_dns_request", "DNS lookups that found nothing"},
		{&k.slowDNS, "slow_dns_request", "DNS lookups slower than dns_slow_query_ms"},
	} {
		c, e := r.Register("dns", counters.Def{Name: d.name, Doc: d.doc})
		err = errors.Join(err, e)
		*d.c = c
	}
	if !tcp {
		if err != nil {
			return nil, fmt.Errorf("core statistics: %w", err)
		}
		return k, nil
	}
	defs := []struct {
		c    **counters.Counter
		name string
		doc  string
	}{
		{&k.established, "established", "TCP connections established, opened by either side"},
		{&k.passiveOpen, "passive_open", "TCP connections accepted"},
		{&k.connectSuccess, "connect_success", "TCP connections opened"},
		{&k.connectFailed, "connect_failed", "TCP connections that could not be opened"},
		{&k.localReject, "local_reject", "TCP connections refused (tcp_max_connections)"},
		{&k.conTimeout, "con_timeout", "TCP connections closed after their idle lifetime"},
		{&k.conReset, "con_reset", "TCP connections reset by the peer"},
		{&k.sendTimeout, "send_timeout", "TCP writes that timed out"},
		{nil, "sendq_full", "TCP writes refused for a full write queue (kamgo queues none)"},
	}
	for _, d := range defs {
		c, e := r.Register("tcp", counters.Def{Name: d.name, Doc: d.doc})
		err = errors.Join(err, e)
		if d.c != nil {
			*d.c = c
		}
	}
	for _, d := range []counters.Def{
		{Name: "current_opened_connections", Doc: "TCP connections open now", Func: open, NoReset: true},
		{Name: "current_write_queue_size", Doc: "Bytes queued for TCP writes now (kamgo queues none)",
			Func: func() int64 { return 0 }, NoReset: true},
	} {
		_, e := r.Register("tcp", d)
		err = errors.Join(err, e)
	}
	if err != nil {
		return nil, fmt.Errorf("core statistics: %w", err)
	}
	return k, nil
}

func (t *Transport) netCounters() *NetCounters {
	if r, ok := t.router.(NetCountingRouter); ok {
		return r.NetCounters()
	}
	return nil
}

// countConn counts a connection established (accepted or opened).
func (k *NetCounters) countConn(accepted bool) {
	if k == nil {
		return
	}
	k.established.Inc()
	if accepted {
		k.passiveOpen.Inc()
	} else {
		k.connectSuccess.Inc()
	}
}

// countReadEnd counts why reading a connection ended: its idle lifetime,
// or a reset by the peer.
func (k *NetCounters) countReadEnd(err error) {
	if k == nil {
		return
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		k.conTimeout.Inc()
	case errors.Is(err, syscall.ECONNRESET):
		k.conReset.Inc()
	}
}

// countWriteErr counts a write that timed out.
func (k *NetCounters) countWriteErr(err error) {
	var ne net.Error
	if k != nil && errors.As(err, &ne) && ne.Timeout() {
		k.sendTimeout.Inc()
	}
}

// countLookup counts a DNS lookup that started at start and failed or
// not.
func (k *NetCounters) countLookup(start time.Time, failed bool) {
	if k == nil {
		return
	}
	if failed {
		k.failedDNS.Inc()
	}
	if k.slowQuery != nil {
		if d := k.slowQuery(); d > 0 && time.Since(start) > d {
			k.slowDNS.Inc()
		}
	}
}
