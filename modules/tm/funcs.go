package tm

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// pending holds what the script set for the transaction before it
// exists (t_on_failure, t_set_fr ... before t_relay), as Kamailio keeps
// it per message; it is applied when the transaction is made.
type pending struct {
	onFailure, onReply, onBranch, onBranchFailure string
	set                                           map[string]bool
	frInv, fr, t1, t2, lifeInv, lifeNonInv        time.Duration
	flagsOn, flagsOff                             txnFlags
}

// pend returns the event's pending settings.
func (s *current) pend() *pending {
	if s.pending == nil {
		s.pending = &pending{set: map[string]bool{}}
	}
	return s.pending
}

// apply gives a new transaction what the event set before it existed.
func (p *pending) apply(x *txn) {
	if p == nil {
		return
	}
	if p.set["failure"] {
		x.onFailure = p.onFailure
	}
	if p.set["reply"] {
		x.onReply = p.onReply
	}
	if p.set["branch"] {
		x.onBranch = p.onBranch
	}
	if p.set["branch_failure"] {
		x.onBranchFailure = p.onBranchFailure
	}
	if p.set["fr"] {
		if p.frInv > 0 {
			x.frInvTimeout = p.frInv
		}
		if p.fr > 0 {
			x.frTimeout = p.fr
		}
	}
	if p.set["retr"] {
		if p.t1 > 0 {
			x.retrT1 = p.t1
		}
		if p.t2 > 0 {
			x.retrT2 = p.t2
		}
	}
	if p.set["life"] {
		if x.invite && p.lifeInv > 0 {
			x.maxLifetime = p.lifeInv
		}
		if !x.invite && p.lifeNonInv > 0 {
			x.maxLifetime = p.lifeNonInv
		}
	}
	x.flags = x.flags&^p.flagsOff | p.flagsOn
}

// withTxn runs f on the event's transaction (locked as needed), or on the
// pending settings when it has none yet.
func withTxn(c *event.Context, onTxn func(x *txn), onPending func(p *pending)) {
	s := cur(c)
	if s.x != nil {
		took := s.lock(s.x)
		onTxn(s.x)
		s.x.unlock(took)
		return
	}
	onPending(s.pend())
}

// funcs are tm's script functions, with the forms Kamailio 5.6 exports
// and those later releases added (laterFuncs).
func (m *Module) funcs() []module.Func {
	f := func(name string, n int, compile func(h module.Host, args []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: compile}
	}
	plain := func(call module.Call) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) { return call, nil }
	}
	relayTo := func(proto int) func(h module.Host, args []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			if len(args) == 0 {
				return func(c *event.Context) int { return m.relay(c, relayOpts{proto: proto}) }, nil
			}
			o, err := hostPortArgs(args[0], args[1])
			if err != nil {
				return nil, err
			}
			o.proto = proto
			return func(c *event.Context) int { return m.relay(c, o) }, nil
		}
	}
	forwardNonack := func(proto int) func(h module.Host, args []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			var o relayOpts
			if len(args) == 2 {
				var err error
				if o, err = hostPortArgs(args[0], args[1]); err != nil {
					return nil, err
				}
			}
			o.proto = proto
			return func(c *event.Context) int { return m.forwardNonack(c, o) }, nil
		}
	}
	return mergeForms(append([]module.Func{
		f("t_newtran", 0, plain(m.wNewtran)),
		f("t_lookup_request", 0, plain(m.wLookupRequest)),
		f("t_lookup_cancel", 0, plain(func(c *event.Context) int { return m.wLookupCancel(c, 0) })),
		f("t_lookup_cancel", 1, m.compileLookupCancel),
		f("t_reply", 2, m.compileReply(false)),
		f("t_send_reply", 2, m.compileReply(true)),
		f("t_retransmit_reply", 0, plain(m.wRetransmitReply)),
		f("t_release", 0, plain(m.wRelease)),
		f("t_relay_to_udp", 2, relayTo(sipmsg.ProtoUDP)),
		f("t_relay_to_udp", 0, relayTo(sipmsg.ProtoUDP)),
		f("t_relay_to_tcp", 2, relayTo(sipmsg.ProtoTCP)),
		f("t_relay_to_tcp", 0, relayTo(sipmsg.ProtoTCP)),
		f("t_relay_to_tls", 2, relayTo(sipmsg.ProtoTLS)),
		f("t_relay_to_tls", 0, relayTo(sipmsg.ProtoTLS)),
		f("t_relay_to_sctp", 2, relayTo(sipmsg.ProtoSCTP)),
		f("t_relay_to_sctp", 0, relayTo(sipmsg.ProtoSCTP)),
		f("t_relay", 0, relayTo(sipmsg.ProtoNone)),
		f("t_relay", 2, relayTo(sipmsg.ProtoNone)),
		f("t_relay_to_avp", 2, m.compileRelayProtoAddr(false)),
		f("t_relay_to", 0, relayTo(sipmsg.ProtoNone)),
		f("t_relay_to", 1, m.compileRelayTo),
		f("t_relay_to", 2, m.compileRelayTo),
		f("t_forward_nonack", 2, forwardNonack(sipmsg.ProtoNone)),
		f("t_forward_nonack_uri", 0, forwardNonack(sipmsg.ProtoNone)),
		f("t_forward_nonack_udp", 2, forwardNonack(sipmsg.ProtoUDP)),
		f("t_forward_nonack_tcp", 2, forwardNonack(sipmsg.ProtoTCP)),
		f("t_forward_nonack_tls", 2, forwardNonack(sipmsg.ProtoTLS)),
		f("t_forward_nonack_sctp", 2, forwardNonack(sipmsg.ProtoSCTP)),
		f("t_forward_nonack_to", 2, m.compileRelayProtoAddr(true)),
		f("t_relay_cancel", 0, plain(m.wRelayCancel)),
		f("t_on_failure", 1, m.compileOn("failure")),
		f("t_on_branch_failure", 1, m.compileOn("branch_failure")),
		f("t_on_reply", 1, m.compileOn("reply")),
		f("t_on_branch", 1, m.compileOn("branch")),
		f("t_check_status", 1, m.compileCheckStatus),
		f("t_set_fr", 1, m.compileSetFr),
		f("t_set_fr", 2, m.compileSetFr),
		f("t_reset_fr", 0, plain(m.wResetFr)),
		f("t_set_retr", 2, m.compileSetRetr),
		f("t_reset_retr", 0, plain(m.wResetRetr)),
		f("t_set_max_lifetime", 2, m.compileSetMaxLifetime),
		f("t_reset_max_lifetime", 0, plain(m.wResetMaxLifetime)),
		f("t_set_auto_inv_100", 1, m.compileFlag(flagAutoInv100)),
		f("t_set_disable_6xx", 1, m.compileFlag(flagDisable6xx)),
		f("t_set_disable_failover", 1, m.compileFlag(flagDisableFailover)),
		f("t_set_no_e2e_cancel_reason", 1, m.compileFlag(flagNoE2ECancelReason)),
		f("t_disable_e2e_cancel_reason", 1, m.compileFlag(flagNoE2ECancelReason)),
		f("t_set_disable_internal_reply", 1, m.compileFlag(flagDisableInternalReply)),
		f("t_branch_timeout", 0, plain(m.wBranchTimeout)),
		f("t_branch_replied", 0, plain(m.wBranchReplied)),
		f("t_any_timeout", 0, plain(m.wAnyTimeout)),
		f("t_any_replied", 0, plain(m.wAnyReplied)),
		f("t_is_canceled", 0, plain(m.wIsCanceled)),
		f("t_is_retr_async_reply", 0, plain(m.wIsRetrAsyncReply)),
		f("t_is_expired", 0, plain(m.wIsExpired)),
		f("t_grep_status", 1, m.compileGrepStatus),
		f("t_drop_replies", 0, plain(func(c *event.Context) int { return m.dropReplies(c, "a") })),
		f("t_drop_replies", 1, m.compileDropReplies),
		f("t_save_lumps", 0, plain(m.wSaveLumps)),
		f("t_check_trans", 0, plain(m.checkTrans)),
		f("t_is_set", 1, m.compileIsSet),
		f("t_use_uac_headers", 0, plain(m.wUseUACHeaders)),
		f("t_get_status_code", 0, plain(m.wGetStatusCode)),
		f("t_clean", 0, plain(m.wClean)),
		f("t_replicate", 0, m.compileReplicateURI),
		f("t_replicate", 1, m.compileReplicateURI),
		f("t_replicate", 2, m.compileReplicate(sipmsg.ProtoNone)),
		f("t_replicate_udp", 2, m.compileReplicate(sipmsg.ProtoUDP)),
		f("t_replicate_tcp", 2, m.compileReplicate(sipmsg.ProtoTCP)),
		f("t_replicate_tls", 2, m.compileReplicate(sipmsg.ProtoTLS)),
		f("t_replicate_sctp", 2, m.compileReplicate(sipmsg.ProtoSCTP)),
		f("t_replicate_to", 2, m.compileReplicateTo),
	}, append(m.moreFuncs(), m.laterFuncs()...)...))
}

// mergeForms makes one module.Func per name of the forms given, as the
// loader keeps one per name: its argument range covers every form, and
// its Compile picks the form for the argument count. Counts between the
// forms (t_relay takes 0 or 2) are left out with Arities.
func mergeForms(forms []module.Func) []module.Func {
	var out []module.Func
	byName := map[string]int{}
	compilers := map[string]map[int]func(module.Host, []*module.Arg) (module.Call, error){}
	for _, f := range forms {
		i, seen := byName[f.Name]
		if !seen {
			i = len(out)
			byName[f.Name] = i
			out = append(out, module.Func{Name: f.Name, MinArgs: f.MinArgs, MaxArgs: f.MaxArgs, Ext: f.Ext, Routes: f.Routes})
			compilers[f.Name] = map[int]func(module.Host, []*module.Arg) (module.Call, error){}
		}
		out[i].MinArgs, out[i].MaxArgs = min(out[i].MinArgs, f.MinArgs), max(out[i].MaxArgs, f.MaxArgs)
		for n := f.MinArgs; n <= f.MaxArgs; n++ {
			compilers[f.Name][n] = f.Compile
		}
	}
	for i := range out {
		byCount, name := compilers[out[i].Name], out[i].Name
		if len(byCount) != out[i].MaxArgs-out[i].MinArgs+1 {
			for n := range byCount {
				out[i].Arities = append(out[i].Arities, n)
			}
			slices.Sort(out[i].Arities)
		}
		out[i].Compile = func(h module.Host, args []*module.Arg) (module.Call, error) {
			c := byCount[len(args)]
			if c == nil {
				return nil, fmt.Errorf("%s takes no %d arguments", name, len(args))
			}
			return c(h, args)
		}
	}
	return out
}

// hostPortArgs reads the constant host and port arguments of the t_relay
// forms (Kamailio's fixup_hostport2proxy), whose host resolves once
// before the configuration serves: one that does not refuses it.
func hostPortArgs(h, p *module.Arg) (relayOpts, error) {
	host, ok1 := h.Literal()
	port, ok2 := p.Literal()
	if !ok1 || !ok2 {
		if n, ok := p.IntLiteral(); ok && ok1 {
			port, ok2 = strconv.FormatInt(n, 10), true
		}
	}
	if !ok1 || !ok2 {
		return relayOpts{}, fmt.Errorf("host and port must be constants")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return relayOpts{}, fmt.Errorf("bad port number %q", port)
	}
	o := relayOpts{dest: &sip.Dest{Host: host, Port: n}}
	if p.Fix != nil {
		o.static = p.Fix.StaticHost(module.StaticHost{Host: host, Port: n, Origin: Name,
			Refusal: fmt.Sprintf("fixup_hostport2proxy(): bad host name in URI <%s>", host), Code: sip.ErrBadAddress})
	}
	return o, nil
}

func (m *Module) wNewtran(c *event.Context) int {
	rc := m.newtran(c)
	if rc == sip.ErrScript {
		m.log.Log(klog.Notice, Name, "w_t_newtran(): transaction already in process")
	}
	return rc
}

func (m *Module) wLookupRequest(c *event.Context) int {
	if _, res := m.lookup(c); res == matched {
		return 1
	}
	return -1
}

func (m *Module) compileLookupCancel(h module.Host, args []*module.Arg) (module.Call, error) {
	n, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		v, _ := n(c)
		return m.wLookupCancel(c, v)
	}, nil
}

// wLookupCancel is t_lookup_cancel([1]): with 1 the INVITE's flags are
// copied to the CANCEL.
func (m *Module) wLookupCancel(c *event.Context, copyFlags int64) int {
	msg := sipmsg.FromContext(c)
	if !isCancel(msg) {
		m.log.Log(klog.Warn, Name, "ki_t_lookup_cancel_flags(): t_lookup_cancel() can be used only for CANCEL method")
		return -1
	}
	k, ok := cur(c).requestKeys(msg)
	if !ok {
		return -1
	}
	x := m.lookupInvite(k)
	if x == nil {
		return -1
	}
	if copyFlags == 1 {
		x.mu.Lock()
		c.Flags = x.ctx.Flags
		x.mu.Unlock()
	}
	return 1
}

// compileReply compiles t_reply(code, reason) and t_send_reply (which
// creates the transaction first when the request has none).
func (m *Module) compileReply(create bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		code, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		reason, err := args[1].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			msg := sipmsg.FromContext(c)
			if isMethod(msg, "ACK") {
				return -1
			}
			n, ok := code(c)
			if !ok {
				n = m.conf().defaultCode
			}
			r := reason(c)
			if create {
				if rc := m.newtran(c); rc == 0 {
					m.log.Log(klog.Notice, Name, "ki_t_send_reply(): transaction already in process")
				}
			}
			return m.tReply(c, int(n), r, "", "")
		}, nil
	}
}

// tReply is Kamailio's ki_t_reply: a stateful reply to the request of the
// event's transaction, from request_route (the event's own request),
// failure_route and onreply routes (the transaction's).
func (m *Module) tReply(c *event.Context, code int, reason, headers, body string) int {
	msg := sipmsg.FromContext(c)
	s := cur(c)
	x := s.x
	if x == nil && msg.IsRequest() {
		x, _ = m.lookup(c)
		if x != nil && s.x == nil {
			x = nil
		}
	}
	if x == nil && !msg.IsRequest() {
		x, _, _ = m.lookupReply(msg)
	}
	if x == nil {
		m.log.Log(klog.Err, Name, "ki_t_reply(): cannot send a t_reply to a message for which no T-state has been established")
		return -1
	}
	took := s.lock(x)
	defer x.unlock(took)
	switch {
	case c.Route&routetype.Request != 0 && msg.IsRequest():
		return x.replyLocal(c, msg, code, reason, headers, body)
	case c.Route&(routetype.Failure|routetype.BranchFailure|routetype.OnReply|routetype.CoreOnReply) != 0 || !msg.IsRequest():
		req := x.request()
		if msg.IsRequest() {
			req = msg
		}
		return x.replyLocal(c, req, code, reason, headers, body)
	}
	m.log.Log(klog.Crit, Name, "ki_t_reply(): w_t_reply entered in unsupported mode")
	return -1
}

func (m *Module) wRetransmitReply(c *event.Context) int {
	x, res := m.lookup(c)
	if res != matched {
		return 1
	}
	if isMethod(sipmsg.FromContext(c), "ACK") {
		m.log.Log(klog.Warn, Name, "ki_t_retransmit_reply(): ACKs transmit_replies not replied")
		return -1
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	return x.retransmitReply()
}

func (m *Module) wRelease(c *event.Context) int {
	if c.Route&routetype.Request == 0 {
		m.log.Log(klog.Info, Name, "t_release(): invalid usage - not in request route")
		return -1
	}
	x, res := m.lookup(c)
	if res != matched {
		return 1
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	x.putOnWait()
	return 1
}

// compileRelayTo compiles t_relay_to(proxy | flags [, flags]): a
// "[proto:]host[:port]" destination and/or flags (1 no automatic 100, 2 no
// internal error reply, 4 no DNS failover), decimal or 0x hexadecimal.
func (m *Module) compileRelayTo(h module.Host, args []*module.Arg) (module.Call, error) {
	var o relayOpts
	var flags uint64
	parseFlags := func(s string) (uint64, bool) {
		if strings.HasPrefix(s, "0x") {
			n, err := strconv.ParseUint(s[2:], 16, 32)
			return n, err == nil
		}
		n, err := strconv.ParseUint(s, 10, 32)
		return n, err == nil
	}
	text := func(a *module.Arg) (string, bool) {
		if s, ok := a.Literal(); ok {
			return s, true
		}
		if n, ok := a.IntLiteral(); ok {
			return strconv.FormatInt(n, 10), true
		}
		return "", false
	}
	s, ok := text(args[0])
	if !ok {
		return nil, fmt.Errorf("invalid proxy addr parameter")
	}
	if n, isFlags := parseFlags(s); isFlags && len(args) == 1 {
		flags = n
	} else {
		proto, host, port, err := sip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("invalid proxy addr parameter <%s>", s)
		}
		o.dest = &sip.Dest{Host: host, Port: port, Proto: proto}
		if args[0].Fix != nil {
			o.static = args[0].Fix.StaticHost(module.StaticHost{Host: host, Port: port, Proto: proto, Origin: Name,
				Refusal: fmt.Sprintf("fixup_t_relay_to(): failed to build proxy structure for <%s>", host), Code: -1})
		}
	}
	if len(args) == 2 {
		s, ok := text(args[1])
		n, isFlags := parseFlags(s)
		if !ok || !isFlags {
			return nil, fmt.Errorf("invalid flags <%s>", s)
		}
		flags = n
	}
	return func(c *event.Context) int {
		m.setRelayFlags(c, int64(flags))
		return m.relay(c, o)
	}, nil
}

// compileRelayProtoAddr compiles t_relay_to_avp(proto, "host:port") and
// t_forward_nonack_to(proto, "host:port"): the protocol ("udp", "tcp" ...)
// and the address may be pseudo-variables.
func (m *Module) compileRelayProtoAddr(nonack bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		strs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			o, ok := m.protoAddr(strs[0](c), strs[1](c))
			if !ok {
				return -1
			}
			if nonack {
				return m.forwardNonack(c, o)
			}
			return m.relay(c, o)
		}, nil
	}
}

// protoAddr is Kamailio's t_protoaddr2proxy: a protocol name and a
// "host[:port]" address.
func (m *Module) protoAddr(proto, addr string) (relayOpts, bool) {
	p := sipmsg.ProtoNumber(proto)
	if proto != "" && p == sipmsg.ProtoNone {
		m.log.Logf(klog.Err, Name, "t_protoaddr2proxy(): bad protocol '%s'", proto)
		return relayOpts{}, false
	}
	_, host, port, err := sip.ParseAddr(addr)
	if err != nil {
		m.log.Logf(klog.Err, Name, "t_protoaddr2proxy(): bad host name in URI <%s>", addr)
		return relayOpts{}, false
	}
	return relayOpts{dest: &sip.Dest{Host: host, Port: port, Proto: p}, proto: p}, true
}

// forwardNonack is t_forward_nonack and its forms: the request's branches
// relayed on the existing transaction (t_newtran must have made it).
func (m *Module) forwardNonack(c *event.Context, o relayOpts) int {
	s := cur(c)
	x := s.x
	if x == nil {
		m.log.Log(klog.Warn, Name, "_w_t_forward_nonack(): no transaction found for request forwarding")
		return -1
	}
	msg := sipmsg.FromContext(c)
	if isCancel(msg) {
		if k, ok := s.requestKeys(msg); ok {
			if inv := m.lookupInvite(k); inv != nil {
				m.e2eCancel(c, msg, x, inv)
				return 1
			}
		}
	}
	took := s.lock(x)
	defer x.unlock(took)
	if rc := x.forward(c, msg, o); rc <= 0 {
		return -1
	}
	return 1
}

// wRelayCancel is t_relay_cancel: a CANCEL whose INVITE has a transaction
// is handled here (e2e_cancel) and the script ends (0); otherwise nothing
// happens (1), so the script can relay the CANCEL itself.
func (m *Module) wRelayCancel(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if !isCancel(msg) {
		return 1
	}
	k, ok := cur(c).requestKeys(msg)
	if !ok || m.lookupInvite(k) == nil {
		return 1
	}
	if rc := m.forwardCancel(c, msg, relayOpts{}); rc < 0 {
		return rc
	}
	return 0
}

// compileOn compiles t_on_failure, t_on_reply, t_on_branch and
// t_on_branch_failure: the route name is a constant; "" and "0" unset it.
func (m *Module) compileOn(kind string) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		name, ok := args[0].Literal()
		if !ok {
			return nil, fmt.Errorf("route name must be a constant")
		}
		return func(c *event.Context) int { return m.setOn(c, kind, name) }, nil
	}
}

// setOn names the route of kind ("failure", "reply", "branch",
// "branch_failure") for the event's transaction, or the one to come.
func (m *Module) setOn(c *event.Context, kind, name string) int {
	if name == "0" {
		name = ""
	}
	withTxn(c, func(x *txn) {
		switch kind {
		case "failure":
			x.onFailure = name
		case "reply":
			x.onReply = name
			if s := cur(c); s.branch >= 0 && s.branch < len(x.branches) && c.Route&(routetype.OnReply|routetype.Branch) != 0 {
				x.branches[s.branch].onReply = name
			}
		case "branch":
			x.onBranch = name
		case "branch_failure":
			x.onBranchFailure = name
		}
	}, func(p *pending) {
		p.set[kind] = true
		switch kind {
		case "failure":
			p.onFailure = name
		case "reply":
			p.onReply = name
		case "branch":
			p.onBranch = name
		case "branch_failure":
			p.onBranchFailure = name
		}
	})
	return 1
}

// compileCheckStatus compiles t_check_status(re): the status code of the
// reply being processed (onreply_route), the picked reply's
// (failure_route), else the last one sent upstream, matched against a
// POSIX regular expression.
func (m *Module) compileCheckStatus(h module.Host, args []*module.Arg) (module.Call, error) {
	s, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	lit, isLit := args[0].Literal()
	var fixed func(string) bool
	if isLit && !strings.Contains(lit, "$") {
		re, err := ere.Compile(lit, false)
		if err != nil {
			return nil, fmt.Errorf("bad regular expression %q: %v", lit, err)
		}
		fixed = re.MatchString
	}
	return func(c *event.Context) int {
		code, ok := m.statusOf(c)
		if !ok {
			return -1
		}
		if fixed == nil {
			return m.checkStatus(c, s(c))
		}
		if fixed(strconv.Itoa(code)) {
			return 1
		}
		return -1
	}, nil
}

// checkStatus is t_check_status with an expression compiled per call.
func (m *Module) checkStatus(c *event.Context, expr string) int {
	code, ok := m.statusOf(c)
	if !ok {
		return -1
	}
	re, err := ere.Compile(expr, false)
	if err != nil {
		m.log.Logf(klog.Err, Name, "t_check_status(): failed to compile regex '%s'", expr)
		return -1
	}
	if re.MatchString(strconv.Itoa(code)) {
		return 1
	}
	return -1
}

// statusOf is the status code t_check_status and t_get_status_code see.
func (m *Module) statusOf(c *event.Context) (int, bool) {
	msg := sipmsg.FromContext(c)
	s := cur(c)
	switch {
	case c.Route&routetype.OnReply != 0 || (!msg.IsRequest() && c.Route&routetype.CoreOnReply != 0):
		return msg.Status, true
	case c.Route&(routetype.Failure|routetype.BranchFailure) != 0:
		x := s.x
		if x == nil {
			return 0, false
		}
		if s.branch >= 0 && s.branch < len(x.branches) {
			return x.branches[s.branch].last, true
		}
		b, code := x.pickBranch(-1, 0)
		if b < 0 {
			_, code = x.pickBlind()
		}
		return code, true
	}
	x := s.x
	if x == nil {
		var res matchResult
		if x, res = m.lookup(c); res != matched {
			return 0, false
		}
	}
	took := s.lock(x)
	defer x.unlock(took)
	return x.uas.status, true
}

// pickBlind is t_pick_branch_blind: the best final reply among every
// branch, blind ones included.
func (x *txn) pickBlind() (int, int) {
	best, bestCode := -1, 0
	penalty := x.m.conf().fakedReplyPrio
	for _, b := range x.branches {
		if b.pending() {
			return -2, 0
		}
		if b.kept == keptNone {
			continue
		}
		// Both sides are ranked as this branch's reply, as Kamailio does.
		f := b.kept == keptFaked
		if prio(b.last, f, penalty) < prio(bestCode, f, penalty) {
			best, bestCode = b.idx, b.last
		}
	}
	return best, bestCode
}

// msArg compiles an integer argument of milliseconds.
func msArg(h module.Host, a *module.Arg) (func(c *event.Context) (time.Duration, bool), error) {
	n, err := a.Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (time.Duration, bool) {
		v, ok := n(c)
		return time.Duration(v) * time.Millisecond, ok
	}, nil
}

// compileSetFr compiles t_set_fr(fr_inv [, fr]): the transaction's final
// response timeouts in milliseconds (0 leaves one as it is).
func (m *Module) compileSetFr(h module.Host, args []*module.Arg) (module.Call, error) {
	inv, err := msArg(h, args[0])
	if err != nil {
		return nil, err
	}
	var fr func(c *event.Context) (time.Duration, bool)
	if len(args) == 2 {
		if fr, err = msArg(h, args[1]); err != nil {
			return nil, err
		}
	}
	return func(c *event.Context) int {
		i, _ := inv(c)
		var f time.Duration
		if fr != nil {
			f, _ = fr(c)
		}
		return m.setFr(c, i, f)
	}, nil
}

// setFr is t_set_fr: the final response timeouts (0 leaves one as it is).
func (m *Module) setFr(c *event.Context, inv, fr time.Duration) int {
	withTxn(c, func(x *txn) {
		if inv > 0 {
			x.frInvTimeout = inv
		}
		if fr > 0 {
			x.frTimeout = fr
		}
	}, func(p *pending) {
		p.set["fr"], p.frInv, p.fr = true, inv, fr
	})
	return 1
}

func (m *Module) wResetFr(c *event.Context) int {
	withTxn(c, func(x *txn) {
		x.frTimeout, x.frInvTimeout = ms(m.conf().frTimer), ms(m.conf().frInvTimer)
	}, func(p *pending) { p.set["fr"], p.frInv, p.fr = false, 0, 0 })
	return 1
}

// compileSetRetr compiles t_set_retr(t1, t2) in milliseconds.
func (m *Module) compileSetRetr(h module.Host, args []*module.Arg) (module.Call, error) {
	t1, err := msArg(h, args[0])
	if err != nil {
		return nil, err
	}
	t2, err := msArg(h, args[1])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		a, _ := t1(c)
		b, _ := t2(c)
		return m.setRetr(c, a, b)
	}, nil
}

// setRetr is t_set_retr: the retransmission intervals T1 and T2.
func (m *Module) setRetr(c *event.Context, t1, t2 time.Duration) int {
	withTxn(c, func(x *txn) {
		if t1 > 0 {
			x.retrT1 = t1
		}
		if t2 > 0 {
			x.retrT2 = t2
		}
	}, func(p *pending) { p.set["retr"], p.t1, p.t2 = true, t1, t2 })
	return 1
}

func (m *Module) wResetRetr(c *event.Context) int {
	withTxn(c, func(x *txn) {
		x.retrT1, x.retrT2 = ms(m.conf().retrTimer1), ms(m.conf().retrTimer2)
	}, func(p *pending) { p.set["retr"] = false })
	return 1
}

// compileSetMaxLifetime compiles t_set_max_lifetime(inv, noninv) in
// milliseconds.
func (m *Module) compileSetMaxLifetime(h module.Host, args []*module.Arg) (module.Call, error) {
	inv, err := msArg(h, args[0])
	if err != nil {
		return nil, err
	}
	non, err := msArg(h, args[1])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		a, _ := inv(c)
		b, _ := non(c)
		return m.setMaxLifetime(c, a, b)
	}, nil
}

// setMaxLifetime is t_set_max_lifetime: the longest an INVITE and another
// transaction may live.
func (m *Module) setMaxLifetime(c *event.Context, inv, non time.Duration) int {
	withTxn(c, func(x *txn) {
		d := non
		if x.invite {
			d = inv
		}
		if d > 0 {
			x.maxLifetime = d
			x.start(&x.life, max(0, d-x.m.now().Sub(x.created)), workLifetime, nil)
		}
	}, func(p *pending) { p.set["life"], p.lifeInv, p.lifeNonInv = true, inv, non })
	return 1
}

func (m *Module) wResetMaxLifetime(c *event.Context) int {
	withTxn(c, func(x *txn) {
		x.maxLifetime = ms(m.conf().maxNonInvLifetime)
		if x.invite {
			x.maxLifetime = ms(m.conf().maxInvLifetime)
		}
	}, func(p *pending) { p.set["life"] = false })
	return 1
}

// compileFlag compiles the t_set_* switches taking 0 or 1.
func (m *Module) compileFlag(flag txnFlags) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		n, err := args[0].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			v, _ := n(c)
			m.setFlag(c, flag, v != 0)
			return 1
		}, nil
	}
}

// setFlag turns a transaction switch on or off, now or for the
// transaction to come.
func (m *Module) setFlag(c *event.Context, flag txnFlags, on bool) {
	withTxn(c, func(x *txn) {
		if on {
			x.flags |= flag
		} else {
			x.flags &^= flag
		}
	}, func(p *pending) {
		if on {
			p.flagsOn, p.flagsOff = p.flagsOn|flag, p.flagsOff&^flag
		} else {
			p.flagsOff, p.flagsOn = p.flagsOff|flag, p.flagsOn&^flag
		}
	})
}

// branchState reads the branch the event works on (failure_route: the
// picked one; tm:branch-failure: the failed one).
func (m *Module) branchState(c *event.Context, test func(b *branch) bool) int {
	s := cur(c)
	if s.x == nil || s.branch < 0 || s.branch >= len(s.x.branches) {
		return -1
	}
	if test(s.x.branches[s.branch]) {
		return 1
	}
	return -1
}

func (m *Module) wBranchTimeout(c *event.Context) int {
	return m.branchState(c, func(b *branch) bool { return b.timedOut })
}

func (m *Module) wBranchReplied(c *event.Context) int {
	return m.branchState(c, func(b *branch) bool { return b.replied })
}

// anyBranch is true when a branch of the event's transaction passes test.
func (m *Module) anyBranch(c *event.Context, test func(b *branch) bool) int {
	s := cur(c)
	if s.x == nil {
		return -1
	}
	took := s.lock(s.x)
	defer s.x.unlock(took)
	for _, b := range s.x.branches {
		if test(b) {
			return 1
		}
	}
	return -1
}

func (m *Module) wAnyTimeout(c *event.Context) int {
	return m.anyBranch(c, func(b *branch) bool { return b.timedOut })
}

func (m *Module) wAnyReplied(c *event.Context) int {
	return m.anyBranch(c, func(b *branch) bool { return b.replied })
}

func (m *Module) wIsCanceled(c *event.Context) int {
	s := cur(c)
	if s.x == nil {
		m.log.Log(logErr, Name, "t_is_canceled(): cannot check a message for which no T-state has been established")
		return -1
	}
	took := s.lock(s.x)
	defer s.x.unlock(took)
	if s.x.flags&flagCanceled != 0 {
		return 1
	}
	return -1
}

// wIsRetrAsyncReply is t_is_retr_async_reply: true for a reply whose
// branch has a reply suspended already (a retransmission of it).
func (m *Module) wIsRetrAsyncReply(c *event.Context) int {
	s := cur(c)
	if s.x == nil || s.branch < 0 || s.branch >= len(s.x.branches) {
		return -1
	}
	if s.x.suspended && s.x.suspendedReply == s.branch {
		return 1
	}
	return -1
}

func (m *Module) wIsExpired(c *event.Context) int {
	s := cur(c)
	if s.x == nil {
		m.log.Log(logErr, Name, "t_is_expired(): cannot check a message for which no T-state has been established")
		return -1
	}
	if m.now().Sub(s.x.created) >= s.x.maxLifetime {
		return 1
	}
	return -1
}

// compileGrepStatus compiles t_grep_status(code): true when a branch got a
// final reply with code.
func (m *Module) compileGrepStatus(h module.Host, args []*module.Arg) (module.Call, error) {
	n, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		code, _ := n(c)
		return m.grepStatus(c, int(code))
	}, nil
}

// grepStatus is t_grep_status: a branch got a final reply with code.
func (m *Module) grepStatus(c *event.Context, code int) int {
	return m.anyBranch(c, func(b *branch) bool { return b.last == code && (b.reply != nil || b.faked || b.last >= 200) })
}

func (m *Module) compileDropReplies(h module.Host, args []*module.Arg) (module.Call, error) {
	s, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.dropReplies(c, s(c)) }, nil
}

// dropReplies is t_drop_replies([mode]): in failure_route, the stored
// replies are not relayed: "a" (all, the default), "l" (those of the last
// t_relay) or "n" (none).
func (m *Module) dropReplies(c *event.Context, mode string) int {
	x := T(c)
	if x == nil {
		return -1
	}
	switch mode {
	case "n":
		x.dropReplies = 0
	case "l":
		x.dropReplies = 2
	default:
		x.dropReplies = 1
	}
	return 1
}

// wSaveLumps is t_save_lumps: the transaction keeps the request's current
// changes, for failure routes and later branches.
func (m *Module) wSaveLumps(c *event.Context) int {
	s := cur(c)
	if s.x == nil {
		m.log.Log(logErr, Name, "w_t_save_lumps(): transaction has not been created yet")
		return -1
	}
	took := s.lock(s.x)
	defer s.x.unlock(took)
	msg := sipmsg.FromContext(c)
	s.x.reqMsg.Edits = append([]sipmsg.Edit(nil), msg.Edits...)
	s.x.reqMsg.ReplyHeaders = msg.ReplyHeaders
	return 1
}

// compileIsSet compiles t_is_set("failure_route" | "branch_route" |
// "onreply_route").
func (m *Module) compileIsSet(h module.Host, args []*module.Arg) (module.Call, error) {
	what, ok := args[0].Literal()
	if !ok || (what != "failure_route" && what != "branch_route" && what != "onreply_route") {
		return nil, fmt.Errorf("invalid parameter value: %s", what)
	}
	return func(c *event.Context) int { return m.isSet(c, what) }, nil
}

// isSet is t_is_set: the route what ("failure_route", "branch_route",
// "onreply_route") is set for the event's transaction, or the one to come.
func (m *Module) isSet(c *event.Context, what string) int {
	s := cur(c)
	var name string
	if s.x != nil {
		took := s.lock(s.x)
		switch what {
		case "failure_route":
			name = s.x.onFailure
		case "branch_route":
			name = s.x.onBranch
		default:
			name = s.x.onReply
		}
		s.x.unlock(took)
	} else if p := s.pending; p != nil {
		switch what {
		case "failure_route":
			name = p.onFailure
		case "branch_route":
			name = p.onBranch
		default:
			name = p.onReply
		}
	}
	if name != "" {
		return 1
	}
	return -1
}

// wUseUACHeaders is t_use_uac_headers: CANCELs and ACKs kamgo builds take
// From and To from the request as sent rather than as received.
func (m *Module) wUseUACHeaders(c *event.Context) int {
	m.setFlag(c, flagUseUACHeaders, true)
	return 1
}

// wGetStatusCode is t_get_status_code: the code of the last reply sent
// upstream (0 before any), as the return value; -1 without a transaction.
func (m *Module) wGetStatusCode(c *event.Context) int {
	x := T(c)
	if x == nil {
		if x, _ = m.lookup(c); x == nil {
			return -1
		}
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if x.uas.status == 0 {
		return 0
	}
	return x.uas.status
}

// wClean is t_clean: transactions that have outlived their lifetime and
// their wait time are removed now (kamgo's timers remove them on time;
// this catches the ones a stopped clock left).
func (m *Module) wClean(c *event.Context) int {
	now := m.now()
	for _, x := range m.table.list(0, true, nil) {
		if cur(c).x == x {
			continue
		}
		x.mu.Lock()
		if now.Sub(x.created) > x.maxLifetime+ms(m.conf().wtTimer)+ms(m.conf().frTimer) {
			x.release()
		}
		x.mu.Unlock()
	}
	return 1
}
