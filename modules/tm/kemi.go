package tm

import (
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.tm.*, with Kamailio 5.6's
// names and types (tm.c's sr_kemi exports). Each calls what the native
// function of the same job calls; times are milliseconds.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	rc := module.KEMIRC
	none := func(name string, f func(c *event.Context) int) module.KEMIFunc {
		return module.KEMIFunc{Module: "tm", Name: name, Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue { return rc(f(c)) }}
	}
	str := func(name string, f func(c *event.Context, a string) int) module.KEMIFunc {
		return module.KEMIFunc{Module: "tm", Name: name, Params: []module.KEMIType{s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue { return rc(f(c, a[0].S)) }}
	}
	num := func(name string, f func(c *event.Context, n int64) int) module.KEMIFunc {
		return module.KEMIFunc{Module: "tm", Name: name, Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue { return rc(f(c, a[0].I)) }}
	}
	num2 := func(name string, f func(c *event.Context, a, b int64) int) module.KEMIFunc {
		return module.KEMIFunc{Module: "tm", Name: name, Params: []module.KEMIType{i, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(f(c, a[0].I, a[1].I))
			}}
	}
	flag := func(name string, fl txnFlags) module.KEMIFunc {
		return num(name, func(c *event.Context, n int64) int { m.setFlag(c, fl, n != 0); return 1 })
	}
	msec := func(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
	reply := func(create bool) func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			if isMethod(sipmsg.FromContext(c), "ACK") {
				return rc(-1)
			}
			if create {
				if r := m.newtran(c); r == 0 {
					m.log.Log(klog.Notice, Name, "ki_t_send_reply(): transaction already in process")
				}
			}
			return rc(m.tReply(c, int(a[0].I), a[1].S, "", ""))
		}
	}
	return []module.KEMIFunc{
		none("t_relay", func(c *event.Context) int { return m.relay(c, relayOpts{}) }),
		str("t_on_branch", func(c *event.Context, a string) int { return m.setOn(c, "branch", a) }),
		str("t_on_failure", func(c *event.Context, a string) int { return m.setOn(c, "failure", a) }),
		str("t_on_branch_failure", func(c *event.Context, a string) int { return m.setOn(c, "branch_failure", a) }),
		str("t_on_reply", func(c *event.Context, a string) int { return m.setOn(c, "reply", a) }),
		{Module: "tm", Name: "t_reply", Params: []module.KEMIType{i, s}, Ret: i, Call: reply(false)},
		{Module: "tm", Name: "t_send_reply", Params: []module.KEMIType{i, s}, Ret: i, Call: reply(true)},
		none("t_check_trans", m.checkTrans),
		none("t_is_canceled", m.wIsCanceled),
		none("t_newtran", m.wNewtran),
		none("t_release", m.wRelease),
		str("t_replicate", m.replicateURI),
		str("t_is_set", func(c *event.Context, a string) int {
			if a != "failure_route" && a != "branch_route" && a != "onreply_route" {
				m.log.Logf(klog.Err, Name, "ki_t_is_set(): invalid parameter value: %s", a)
				return -1
			}
			return m.isSet(c, a)
		}),
		none("t_lookup_request", m.wLookupRequest),
		none("t_lookup_cancel", func(c *event.Context) int { return m.wLookupCancel(c, 0) }),
		num("t_lookup_cancel_flags", func(c *event.Context, n int64) int { return m.wLookupCancel(c, n) }),
		none("t_retransmit_reply", m.wRetransmitReply),
		num("t_set_fr_inv", func(c *event.Context, n int64) int { return m.setFr(c, msec(n), 0) }),
		num2("t_set_fr", func(c *event.Context, a, b int64) int { return m.setFr(c, msec(a), msec(b)) }),
		none("t_reset_fr", m.wResetFr),
		num2("t_set_max_lifetime", func(c *event.Context, a, b int64) int { return m.setMaxLifetime(c, msec(a), msec(b)) }),
		none("t_reset_max_lifetime", m.wResetMaxLifetime),
		num2("t_set_retr", func(c *event.Context, a, b int64) int { return m.setRetr(c, msec(a), msec(b)) }),
		none("t_reset_retr", m.wResetRetr),
		{Module: "tm", Name: "t_uac_send", Params: []module.KEMIType{s, s, s, s, s, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				r := uacRequest{method: a[0].S, ruri: a[1].S, nexthop: a[2].S, socket: a[3].S, headers: a[4].S, body: a[5].S}
				if m.uacSend(c, r) < 0 {
					return rc(-1)
				}
				return rc(1)
			}},
		none("t_load_contacts", func(c *event.Context) int { return m.loadContacts(c, loadStandard) }),
		num("ki_t_load_contacts_mode", func(c *event.Context, n int64) int {
			if n != loadStandard && n != loadProportional {
				m.log.Logf(klog.Err, Name, "ki_t_load_contacts_mode(): invalid load_contact mode: %d, please use 0 (standard) or 1 (proportional)", n)
				return -1
			}
			return m.loadContacts(c, int(n))
		}),
		none("t_next_contacts", m.nextContacts),
		none("t_next_contact_flow", m.nextContactFlow),
		none("t_drop_replies_all", func(c *event.Context) int { return m.dropReplies(c, "a") }),
		str("t_drop_replies", m.dropReplies),
		none("t_use_uac_headers", m.wUseUACHeaders),
		none("t_save_lumps", m.wSaveLumps),
		none("t_is_expired", m.wIsExpired),
		str("t_check_status", m.checkStatus),
		num("t_grep_status", func(c *event.Context, n int64) int { return m.grepStatus(c, int(n)) }),
		none("t_is_retr_async_reply", m.wIsRetrAsyncReply),
		none("t_any_replied", m.wAnyReplied),
		none("t_any_timeout", m.wAnyTimeout),
		none("t_branch_replied", m.wBranchReplied),
		none("t_branch_timeout", m.wBranchTimeout),
		flag("t_set_auto_inv_100", flagAutoInv100),
		flag("t_set_disable_6xx", flagDisable6xx),
		flag("t_set_disable_failover", flagDisableFailover),
		flag("t_set_no_e2e_cancel_reason", flagNoE2ECancelReason),
		flag("t_set_disable_internal_reply", flagDisableInternalReply),
		str("t_relay_to_proxy", func(c *event.Context, a string) int { return m.relayToProxyFlags(c, a, 0) }),
		num("t_relay_to_flags", func(c *event.Context, n int64) int { return m.relayToProxyFlags(c, "", n) }),
		{Module: "tm", Name: "t_relay_to_proxy_flags", Params: []module.KEMIType{s, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(m.relayToProxyFlags(c, a[0].S, a[1].I))
			}},
		str("t_relay_to_proto", func(c *event.Context, a string) int {
			p, ok := m.kemiProto(a)
			if !ok {
				return sip.ErrUnspec
			}
			return m.relay(c, relayOpts{proto: p})
		}),
		{Module: "tm", Name: "t_relay_to_proto_addr", Params: []module.KEMIType{s, s, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				p, ok := m.kemiProto(a[0].S)
				if !ok {
					return rc(sip.ErrUnspec)
				}
				if a[1].S == "" || a[2].I < 0 || a[2].I > 65535 {
					m.log.Logf(klog.Err, Name, "ki_t_relay_to_proto_addr(): bad host:port provided <%s:%d>", a[1].S, a[2].I)
					return rc(sip.ErrBadAddress)
				}
				return rc(m.relay(c, relayOpts{dest: &sip.Dest{Host: a[1].S, Port: int(a[2].I), Proto: p}, proto: p}))
			}},
		{Module: "tm", Name: "t_get_status_code", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return rc(m.wGetStatusCode(c))
			}},
		none("t_get_branch_index", m.branchIndex),
		none("t_clean", m.wClean),
		later(none("t_exists", m.wExists), "Kamailio 5.7"),
		later(none("t_reply_error", m.wReplyError), "Kamailio 5.8"),
		later(flag("t_set_no_auto_ack", flagNoAutoAck), "Kamailio 6.1"),
	}
}

// later marks a KEMI function a later Kamailio release added.
func later(f module.KEMIFunc, release string) module.KEMIFunc {
	f.Ext = release
	return f
}

// kemiProto reads the protocol of t_relay_to_proto: "", UDP, TCP or TLS,
// in any case.
func (m *Module) kemiProto(p string) (int, bool) {
	switch strings.ToUpper(p) {
	case "":
		return sipmsg.ProtoNone, true
	case "UDP":
		return sipmsg.ProtoUDP, true
	case "TCP":
		return sipmsg.ProtoTCP, true
	case "TLS":
		return sipmsg.ProtoTLS, true
	}
	m.log.Logf(klog.Err, Name, "ki_t_relay_to_proto(): bad protocol specified <%s>", p)
	return 0, false
}

// branchIndex is KSR.tm.t_get_branch_index: the branch the event works on
// (a reply's, the one of branch_route or a branch failure; in a failure
// route the picked one), -1 without one.
func (m *Module) branchIndex(c *event.Context) int {
	s := cur(c)
	if s.x == nil || s.branch < 0 {
		return -1
	}
	return s.branch
}

// replicateURI is t_replicate(uri): to the URI, or the request's next hop
// when it is empty.
func (m *Module) replicateURI(c *event.Context, uri string) int {
	if uri == "" {
		return m.relay(c, relayOpts{replicate: true})
	}
	d, err := sip.DestOf(uri)
	if err != nil {
		m.log.Log(klog.Err, Name, "t_replicate_uri(): bad replicate SIP address!")
		return -1
	}
	return m.relay(c, relayOpts{dest: &d, replicate: true})
}

var _ module.KEMIExporter = (*Module)(nil)
