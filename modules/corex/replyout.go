package corex

import (
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// ReplySent implements sip.ReplyObserver: after each reply sl or tm made
// and sent, event_route[corex:reply-out] (or the KEMI function of
// evcb_reply_out) runs with that reply as its message and its sending as
// the onsend information ($snd). The reply has left: what the route does
// cannot change it. Kamailio 5.6 to 5.8 register the event but hand the
// route no message, so it never runs there; kamgo runs it as 6.0 and
// later do (spec/deviations.md).
func (m *Module) ReplySent(c *event.Context, req *sipmsg.Msg, h sip.Hop, buf string) {
	if m.host == nil || c == nil || c.Worker == nil {
		return
	}
	if !m.host.Has(event.Event(EventReplyOut)) && (m.evReplyOut == "" || module.EngineOf(m.host) == nil) {
		return
	}
	rpl, err := sipmsg.Parse(buf)
	if err != nil {
		return
	}
	rpl.Rcv = req.Rcv
	rpl.Src, rpl.Dst, rpl.Proto = req.Src, req.Dst, req.Proto
	to := h.Addr()
	rpl.Out = &sipmsg.Outgoing{From: h.Socket(), Proto: h.Proto(), Buf: buf,
		To: sipmsg.Addr{IP: to.Addr().String(), Port: int(to.Port())}}
	ec := &event.Context{}
	ec.Reset()
	ec.Worker, ec.Log = c.Worker, c.Log
	sipmsg.Set(ec, rpl)
	if t := sip.From(c); t != nil {
		sip.Attach(ec, t)
	}
	module.RunEvent(m.host, ec, EventReplyOut, m.evReplyOut)
}

// IsMyself implements sip.SelfChecker: alias_subdomains.
func (m *Module) IsMyself(host string, port, proto int) bool {
	for _, a := range m.aliases {
		if a.matches(host, port, proto) {
			return true
		}
	}
	return false
}

// The flags of a dns_cache record, as Kamailio's DNS cache reads them.
const (
	dnsBadName   = 1 // the name does not resolve
	dnsPermanent = 2 // the record never expires
)

// StaticRecords implements sip.StaticDNS: dns_cache. A record lives ttl
// seconds from start (none with ttl 0) unless flags mark it permanent.
func (m *Module) StaticRecords() []sip.StaticRecord {
	out := make([]sip.StaticRecord, 0, len(m.dnsCache))
	for _, r := range m.dnsCache {
		out = append(out, sip.StaticRecord{Name: r.name, Type: r.typ, Addr: r.addr,
			Port: r.port, Priority: r.priority, Weight: r.weight,
			TTL: time.Duration(r.ttl) * time.Second, Permanent: r.flags&dnsPermanent != 0,
			Negative: r.flags&dnsBadName != 0})
	}
	return out
}

var (
	_ sip.ReplyObserver = (*Module)(nil)
	_ sip.SelfChecker   = (*Module)(nil)
	_ sip.StaticDNS     = (*Module)(nil)
	_ sip.ViaResolver   = (*Module)(nil)
)

// ResolveVia implements sip.ViaResolver: the via_* flags set on the
// event's message fill the Via kamgo adds. via_use_xavp_fields takes the
// host and port from the "address" and "port" members of the XAVP the
// core parameter xavp_via_fields names; via_add_srvid appends
// ;srvid=<server_id> when server_id is not 0; via_add_xavp_params appends
// the members of the XAVP xavp_via_params names (name=value, or name
// alone for an empty string), first member first; the message's
// via-body flags (msg_vbflag_set) go with it, written last as
// ";kvf=<hex>" (sipmsg.ViaFields.VBFlags).
func (m *Module) ResolveVia(c *event.Context, msg *sipmsg.Msg) {
	f, ok := c.Get(flagsKey).(*msgFlags)
	if !ok || (f.internal&(flAddSrvID|flAddXAVPViaParams|flUseXAVPViaFields) == 0 && f.vb == 0) {
		return
	}
	if f.internal&flUseXAVPViaFields != 0 {
		if fields, ok := pv.XavpList(c, m.coreStr("xavp_via_fields")); ok {
			msg.Send.EditVia(func(v *sipmsg.ViaFields) {
				for _, fd := range fields {
					if fd.Value.K != value.Str {
						continue
					}
					switch fd.Name {
					case "address":
						if v.Host == "" {
							v.Host = fd.Value.S
						}
					case "port":
						if v.Port == "" {
							v.Port = fd.Value.S
						}
					}
				}
			})
		}
	}
	var b strings.Builder
	if f.internal&flAddSrvID != 0 {
		if v, ok := m.host.CoreParam("server_id"); ok && v.K == value.Int && v.I != 0 {
			b.WriteString(";srvid=")
			b.WriteString(strconv.FormatUint(uint64(uint32(v.I)), 10))
		}
	}
	if f.internal&flAddXAVPViaParams != 0 {
		b.WriteString(m.xavpParams(c, "xavp_via_params"))
	}
	msg.Send.EditVia(func(v *sipmsg.ViaFields) { v.Params, v.VBFlags = b.String(), f.vb })
}

// xavpParams are the members of the XAVP the core parameter param names,
// as Via parameters: ";name=value", ";name" for an empty string, in the
// list's order (the newest first); "" when there is no such XAVP.
func (m *Module) xavpParams(c *event.Context, param string) string {
	fields, ok := pv.XavpList(c, m.coreStr(param))
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, fd := range fields {
		switch {
		case fd.Value.K == value.Int:
			b.WriteString(";" + fd.Name + "=" + strconv.FormatUint(uint64(uint32(fd.Value.I)), 10))
		case fd.Value.K == value.Str && fd.Value.S == "":
			b.WriteString(";" + fd.Name)
		case fd.Value.K == value.Str:
			b.WriteString(";" + fd.Name + "=" + fd.Value.S)
		}
	}
	return b.String()
}

// coreStr is a string core parameter, "" when unset.
func (m *Module) coreStr(name string) string {
	if v, ok := m.host.CoreParam(name); ok && v.K == value.Str {
		return v.S
	}
	return ""
}
