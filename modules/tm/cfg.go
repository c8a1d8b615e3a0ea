package tm

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// liveConfig is the configuration transactions read: the parameters, then
// what cfg.set changed in the tm group. Changes replace the whole copy, so
// a reader never sees half of one.
type liveConfig struct {
	mu  sync.Mutex // serialises writers
	cur atomic.Pointer[config]
}

// conf returns the configuration as it is now.
func (m *Module) conf() *config {
	if c := m.live.cur.Load(); c != nil {
		return c
	}
	return &m.cfg
}

// updateConf applies f to a copy of the current configuration and makes
// the copy current.
func (m *Module) updateConf(f func(*config)) {
	m.live.mu.Lock()
	defer m.live.mu.Unlock()
	c := *m.conf()
	f(&c)
	m.live.cur.Store(&c)
}

// tmVar is a variable of the tm group and the field of config it sets.
type tmVar struct {
	def cfgvars.Def
	i   func(*config) *int64
	s   func(*config) *string
}

// ticksHz is Kamailio's timer resolution, which its timer checks print in.
const ticksHz = 16

// retrFixup refuses a retransmission interval that does not fit
// Kamailio's 16-bit field, with Kamailio's log line.
func (m *Module) retrFixup(name string) func(value.Value) (value.Value, error) {
	return func(v value.Value) (value.Value, error) {
		if v.I > 65535 {
			m.log.Logf(klog.Err, Name, "timer_fixup_ms(): tm init timers - %s too big: %d (%d ticks) - max %d (%d ticks) ",
				name, v.I*1000/ticksHz, v.I, 65535*1000/ticksHz, 65535)
			return v, fmt.Errorf("%s too big", name)
		}
		return v, nil
	}
}

// keep is the fixup of variables Kamailio converts on change: the value is
// taken as given, and like Kamailio's it cannot be read back over RPC.
func keep(v value.Value) (value.Value, error) { return v, nil }

// tmVars is the tm group of Kamailio 5.6's configuration framework, in
// its order. fr_inv_timer_next is declared but read by nothing, in
// Kamailio as here.
func (m *Module) tmVars() []tmVar {
	i := func(name string, min, max int64, f func(*config) *int64, descr string) tmVar {
		return tmVar{def: cfgvars.Def{Name: name, Type: cfgvars.Int, Min: min, Max: max, Descr: descr}, i: f}
	}
	s := func(name string, f func(*config) *string, descr string) tmVar {
		return tmVar{def: cfgvars.Def{Name: name, Type: cfgvars.Str, Descr: descr}, s: f}
	}
	timer := func(v tmVar) tmVar { v.def.Fixup = keep; return v }
	retr := func(v tmVar) tmVar { v.def.Fixup = m.retrFixup(v.def.Name); return v }
	return []tmVar{
		s("auto_inv_100_reason", func(c *config) *string { return &c.autoInv100Reason }, "Reason phrase of the automatic 100 to INVITE"),
		s("default_reason", func(c *config) *string { return &c.defaultReason }, "Reason phrase of the reply sent when no other is known"),
		s("ac_extra_hdrs", func(c *config) *string { return &c.acExtraHdrs }, "Header name prefix of headers copied into aggregated 401/407 replies"),
		i("ruri_matching", 0, 1, func(c *config) *int64 { return &c.ruriMatching }, "1: RFC 2543 matching compares the Request-URI"),
		i("via1_matching", 0, 1, func(c *config) *int64 { return &c.via1Matching }, "1: RFC 2543 matching compares the top Via"),
		i("callid_matching", 0, 0, func(c *config) *int64 { return &c.callIDMatching }, "1: matching also compares the Call-ID"),
		i("callid_cseq_matching", 0, 0, func(c *config) *int64 { return &c.callIDCSeqMatching }, "1: matching also compares Call-ID and CSeq"),
		timer(i("fr_timer", 0, 0, func(c *config) *int64 { return &c.frTimer }, "Milliseconds a branch waits for a final reply")),
		timer(i("fr_inv_timer", 0, 0, func(c *config) *int64 { return &c.frInvTimer }, "Milliseconds an INVITE branch waits for a final reply after a provisional one")),
		i("fr_inv_timer_next", 0, 0, func(c *config) *int64 { return &c.frInvTimerNext }, "fr_inv_timer of later serial forking branches (unused)"),
		timer(i("wt_timer", 0, 0, func(c *config) *int64 { return &c.wtTimer }, "Milliseconds a finished transaction stays to absorb retransmissions")),
		retr(i("retr_timer1", 0, 0, func(c *config) *int64 { return &c.retrTimer1 }, "First UDP retransmission interval, milliseconds (T1)")),
		retr(i("retr_timer2", 0, 0, func(c *config) *int64 { return &c.retrTimer2 }, "Longest UDP retransmission interval, milliseconds (T2)")),
		timer(i("max_inv_lifetime", 0, 0, func(c *config) *int64 { return &c.maxInvLifetime }, "Longest life of an INVITE transaction, milliseconds")),
		timer(i("max_noninv_lifetime", 0, 0, func(c *config) *int64 { return &c.maxNonInvLifetime }, "Longest life of a non-INVITE transaction, milliseconds")),
		i("noisy_ctimer", 0, 1, func(c *config) *int64 { return &c.noisyCTimer }, "1: an INVITE branch that got no reply is cancelled when it times out"),
		i("auto_inv_100", 0, 1, func(c *config) *int64 { return &c.autoInv100 }, "1: INVITE gets a 100 as soon as its transaction exists"),
		i("unix_tx_timeout", 0, 0, func(c *config) *int64 { return &c.unixTxTimeout }, "Milliseconds t_write_unix waits to send"),
		i("restart_fr_on_each_reply", 0, 1, func(c *config) *int64 { return &c.restartFrOnEachReply }, "1: each provisional reply restarts fr_inv_timer"),
		i("pass_provisional_replies", 0, 1, func(c *config) *int64 { return &c.passProvisional }, "1: provisional replies also reach t_write_* applications"),
		i("aggregate_challenges", 0, 1, func(c *config) *int64 { return &c.aggregateChallenges }, "1: a relayed 401/407 carries the challenges of every branch"),
		i("unmatched_cancel", 0, 2, func(c *config) *int64 { return &c.unmatchedCancel }, "What happens to a CANCEL that matches no transaction (0, 1, 2)"),
		i("default_code", 400, 699, func(c *config) *int64 { return &c.defaultCode }, "Code of the reply sent when no other is known"),
		i("reparse_invite", 0, 1, func(c *config) *int64 { return &c.reparseInvite }, "1: CANCEL and ACK are built from the INVITE as it was sent"),
		i("blst_503", 0, 1, func(c *config) *int64 { return &c.blst503 }, "1: a 503 puts its source on the blocklist"),
		i("blst_503_def_timeout", 0, 0, func(c *config) *int64 { return &c.blst503Def }, "Blocklist seconds of a 503 without Retry-After"),
		i("blst_503_min_timeout", 0, 0, func(c *config) *int64 { return &c.blst503Min }, "Fewest blocklist seconds a 503 gives"),
		i("blst_503_max_timeout", 0, 0, func(c *config) *int64 { return &c.blst503Max }, "Most blocklist seconds a 503 gives"),
		i("blst_methods_add", 0, 0, func(c *config) *int64 { return &c.blstMethodsAdd }, "Method bits whose timeouts feed the blocklist"),
		i("blst_methods_lookup", 0, 0, func(c *config) *int64 { return &c.blstMethodsLookup }, "Method bits checked against the blocklist"),
		{def: cfgvars.Def{Name: "cancel_b_method", Type: cfgvars.Int, Min: 0, Max: 2, Fixup: keep,
			Descr: "How a branch without a reply is cancelled (0, 1, 2)"}, i: func(c *config) *int64 { return &c.cancelBMethod }},
		i("reparse_on_dns_failover", 0, 1, func(c *config) *int64 { return &c.reparseOnDNSFailover }, "1: DNS failover rebuilds the request from the received one"),
		i("disable_6xx_block", 0, 1, func(c *config) *int64 { return &c.disable6xx }, "1: a 6xx does not cancel the other branches"),
		i("local_ack_mode", 0, 2, func(c *config) *int64 { return &c.localAckMode }, "Where the ACK of a local 2xx goes (0, 1, 2)"),
		i("local_cancel_reason", 0, 1, func(c *config) *int64 { return &c.localCancelReason }, "1: locally generated CANCELs carry a Reason"),
		i("e2e_cancel_reason", 0, 1, func(c *config) *int64 { return &c.e2eCancelReason }, "1: relayed CANCELs keep the Reason of the received one"),
		i("relay_100", 0, 1, func(c *config) *int64 { return &c.relay100 }, "1: a received 100 is relayed upstream"),
		i("enable_uac_fr", 0, 1, func(c *config) *int64 { return &c.uacFR }, "1: local requests use fr_timer_avp and fr_inv_timer_avp"),
	}
}

// declareCfg declares the tm group with the parameters' values; each
// committed change replaces the configuration transactions read.
func (m *Module) declareCfg(h any) error {
	vars := m.tmVars()
	defs := make([]cfgvars.Def, len(vars))
	vals := make([]value.Value, len(vars))
	for k, v := range vars {
		d := v.def
		if v.i != nil {
			vals[k] = value.MakeInt(*v.i(&m.cfg))
			set := v.i
			d.OnChange = func(x value.Value) { m.updateConf(func(c *config) { *set(c) = x.I }) }
		} else {
			vals[k] = value.MakeStr(*v.s(&m.cfg))
			set := v.s
			d.OnChange = func(x value.Value) { m.updateConf(func(c *config) { *set(c) = value.ToStr(x) }) }
		}
		defs[k] = d
	}
	_, err := cfgvars.DeclareModule(h, Name, defs, vals)
	return err
}
