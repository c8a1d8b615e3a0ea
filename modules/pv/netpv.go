package pv

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Transport pseudo-variables: where the message came from ($si, $sp ...),
// the local socket it arrived on ($Ri, $Rp ...; a faked request arrived on
// none, so they read null as in Kamailio), the socket forced for sending
// ($fs ...) and the constants of $K.
//
// Some classes only have a value in a context kamgo has no SIP transport
// for, and read what Kamailio reads elsewhere: $snd, $sndto and $sndfrom
// (onsend_route) and $rcv (event_route[core:msg-received]) are null, and
// $conid is null as it is for a message that did not come over TCP.
//
// kamgo listens on no SIP socket, so assigning $fs or $fsn finds none and
// changes nothing, with the warning Kamailio gives for an unknown socket.

func protoOf(m *sipmsg.Msg) int { return sipmsg.ProtoNumber(m.Proto) }

// rcvAttr reads an attribute of the receiving socket; null without one.
func rcvAttr(f func(s *sipmsg.Socket) value.Value) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		if m.Rcv == nil {
			return value.NullValue
		}
		return f(m.Rcv)
	})
}

// rcvURI is $Ru, $Rut (adv false) and $RAu, $RAut (adv true).
func rcvURI(full, adv bool) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if m.Rcv == nil {
			if c.Log != nil {
				c.Log.Logf(klog.Err, "core", "get_rcv_socket_uri(): invalid parameter value")
			}
			return value.NullValue
		}
		return value.MakeStr(m.Rcv.URI(full, adv))
	}
}

func socketIP(s *sipmsg.Socket) value.Value { return value.MakeStr(s.IP) }

func socketPort(s *sipmsg.Socket) value.Value { return strInt(strconv.Itoa(s.Port), s.Port) }

func setForceSocket(byName bool) func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	return func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
		if v.IsNull() {
			m.ForceSocket = nil
			return nil
		}
		if v.K != value.Str || v.S == "" {
			logf(c, klog.Err, "str value required to set the force send sock")
			return errStrRequired
		}
		if byName {
			logf(c, klog.Warn, "no socket found to match name [%s]", v.S)
			return nil
		}
		logf(c, klog.Warn, "no socket found to match [%s]", v.S)
		return nil
	}
}

func nullGetter(*event.Context) value.Value { return value.NullValue }

// rcvSpecs are the names of $rcv and $recv (its alias since Kamailio
// 6.1.1, which also added safe, evtype, bufat and hexat). They describe
// the data of event_route[core:msg-received], which kamgo does not run:
// every name reads null and assigning fails, as in Kamailio's other
// routes.
func rcvSpecs() map[string]pv.Spec {
	rcv := map[string]pv.Spec{}
	for _, n := range []string{"af", "buf", "len", "proto", "srcip", "rcvip", "sproto", "srcport", "rcvport",
		"safe", "evtype", "bufat", "hexat"} {
		rcv[n] = msgVar{get: func(*event.Context, *sipmsg.Msg) value.Value { return value.NullValue },
			set: func(c *event.Context, _ *sipmsg.Msg, _ value.Value) error {
				logf(c, klog.Err, "received info not set")
				return errNotEditable
			}}
	}
	return rcv
}

func netClasses() []*pv.Class {
	si := msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Src.IP) })
	pr := msg(func(m *sipmsg.Msg) value.Value {
		name := sipmsg.ProtoName(protoOf(m), true)
		if name == "" {
			name = "none"
		}
		return strInt(name, protoOf(m))
	})
	// $snd and $sndto describe where the message being sent goes,
	// $sndfrom the socket it leaves from: in onsend_route and the events
	// that run as a message leaves (m.Out); null elsewhere. af, proto and
	// sproto are the sending socket's in both.
	sockNames := func(class string) *pv.Class {
		from := class == "sndfrom"
		out := func(f func(o *sipmsg.Outgoing) value.Value) msgGetter {
			return msg(func(m *sipmsg.Msg) value.Value {
				if m.Out == nil || m.Out.From == nil {
					return value.NullValue
				}
				return f(m.Out)
			})
		}
		s := map[string]pv.Spec{
			"ip": out(func(o *sipmsg.Outgoing) value.Value {
				if from {
					return value.MakeStr(o.From.IP)
				}
				return value.MakeStr(o.To.IP)
			}),
			"af": out(func(o *sipmsg.Outgoing) value.Value {
				if strings.Contains(o.From.IP, ":") {
					return uintValue(10)
				}
				return uintValue(2)
			}),
			"port": out(func(o *sipmsg.Outgoing) value.Value {
				if from {
					return uintValue(int64(o.From.Port))
				}
				return uintValue(int64(o.To.Port))
			}),
			"proto":  out(func(o *sipmsg.Outgoing) value.Value { return uintValue(int64(o.From.Proto)) }),
			"buf":    out(func(o *sipmsg.Outgoing) value.Value { return value.MakeStr(o.Buf) }),
			"len":    out(func(o *sipmsg.Outgoing) value.Value { return uintValue(int64(len(o.Buf))) }),
			"sproto": out(func(o *sipmsg.Outgoing) value.Value { return value.MakeStr(sipmsg.ProtoName(o.From.Proto, false)) }),
		}
		return namedClass(class, s)
	}
	rcv := rcvSpecs()
	// $K: address families and transports; IP4 and IP6 came with
	// Kamailio 6.0.
	k := map[string]pv.Spec{}
	for n, v := range map[string]int64{"INET": 2, "IPv4": 2, "IP4": 2, "INET6": 10, "IPv6": 10, "IP6": 10, "UDP": 1, "TCP": 2, "TLS": 3, "SCTP": 4, "WS": 5, "WSS": 6} {
		val := uintValue(v)
		k[n] = pv.GetterFunc(func(*event.Context) value.Value { return val })
	}
	out := []*pv.Class{
		specClass("siz", msg(func(m *sipmsg.Msg) value.Value {
			if sipmsg.IsIPv6(m.Src.IP) {
				return value.MakeStr("[" + m.Src.IP + "]")
			}
			return value.MakeStr(m.Src.IP)
		})),
		specClass("sp", msg(func(m *sipmsg.Msg) value.Value { return uintValue(int64(m.Src.Port)) })),
		specClass("su", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.SrcURI(false)) })),
		specClass("sut", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.SrcURI(true)) })),
		specClass("sas", msg(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.SrcSocket()) })),
		specClass("prid", msg(func(m *sipmsg.Msg) value.Value { return intValue(protoOf(m)) })),
		specClass("Ri", rcvAttr(socketIP)),
		specClass("Rp", rcvAttr(socketPort)),
		specClass("Rn", rcvAttr(func(s *sipmsg.Socket) value.Value { return nonEmpty(s.Name) })),
		specClass("Ras", rcvAttr(func(s *sipmsg.Socket) value.Value { return value.MakeStr(s.String()) })),
		specClass("RAi", rcvAttr(func(s *sipmsg.Socket) value.Value {
			if s.AdvIP != "" {
				return value.MakeStr(s.AdvIP)
			}
			return socketIP(s)
		})),
		specClass("RAp", rcvAttr(func(s *sipmsg.Socket) value.Value {
			if s.AdvPort != 0 {
				return strInt(strconv.Itoa(s.AdvPort), s.AdvPort)
			}
			return socketPort(s)
		})),
		specClass("Ru", rcvURI(false, false)),
		specClass("Rut", rcvURI(true, false)),
		specClass("RAu", rcvURI(false, true)),
		specClass("RAut", rcvURI(true, true)),
		// $af: Kamailio dereferences the receiving socket, which a faked
		// request does not have (it crashes); kamgo reads null there.
		namedClass("af", map[string]pv.Spec{
			"id": rcvAttr(func(s *sipmsg.Socket) value.Value {
				if sipmsg.IsIPv6(s.IP) {
					return uintValue(10)
				}
				return uintValue(2)
			}),
			"name": rcvAttr(func(s *sipmsg.Socket) value.Value {
				if sipmsg.IsIPv6(s.IP) {
					return value.MakeStr("IPv6")
				}
				return value.MakeStr("IPv4")
			}),
		}),
		namedClass("rcv", rcv),
		sockNames("snd"), sockNames("sndto"), sockNames("sndfrom"),
		fixedClass("conid", nullGetter),
		specClass("fs", msgVar{
			get: msg(func(m *sipmsg.Msg) value.Value {
				if m.ForceSocket == nil {
					return value.NullValue
				}
				return value.MakeStr(m.ForceSocket.String())
			}),
			set: setForceSocket(false),
		}),
		specClass("fsn", msgVar{
			get: msg(func(m *sipmsg.Msg) value.Value {
				if m.ForceSocket == nil {
					return value.NullValue
				}
				return nonEmpty(m.ForceSocket.Name)
			}),
			set: setForceSocket(true),
		}),
		specClass("fsp", msg(func(m *sipmsg.Msg) value.Value {
			if m.ForceSocket == nil {
				return uintValue(0)
			}
			return socketPort(m.ForceSocket)
		})),
		namedClass("K", k),
	}
	out = append(out, specAliases(si, "si", "src_ip")...)
	return append(out, specAliases(pr, "pr", "proto")...)
}
