package sip

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The core's SIP actions that both the configuration language
// (runtime/interp) and KEMI (runtime/kemi, KSR.forward and its kin) run:
// one implementation of each, so that forward() and KSR.forward() cannot
// drift apart.

// sendFlags are the core actions that set a message's send state, by
// every name Kamailio gives them (KEMI uses the same names).
var sendFlags = map[string]func(s *sipmsg.SendState){
	"force_rport":            func(s *sipmsg.SendState) { s.ForceRport = true },
	"add_rport":              func(s *sipmsg.SendState) { s.ForceRport = true },
	"add_local_rport":        func(s *sipmsg.SendState) { s.LocalRport = true },
	"set_forward_no_connect": func(s *sipmsg.SendState) { s.Fwd |= sipmsg.NoConnect },
	"set_forward_close":      func(s *sipmsg.SendState) { s.Fwd |= sipmsg.CloseAfter },
	"set_reply_no_connect":   func(s *sipmsg.SendState) { s.Rpl |= sipmsg.NoConnect },
	"set_reply_close":        func(s *sipmsg.SendState) { s.Rpl |= sipmsg.CloseAfter },
}

// SendFlag returns the change the core action name (force_rport,
// set_forward_close, ...) makes to a message's send state; ok is false
// when name is not such an action.
func SendFlag(name string) (set func(*sipmsg.SendState), ok bool) {
	set, ok = sendFlags[name]
	return set, ok
}

// NextHop is the URI a request is forwarded to when forward() or
// KSR.forward() names none: $du when set, else the Request-URI.
func NextHop(m *sipmsg.Msg) string {
	if m.DstURI != "" {
		return m.DstURI
	}
	return m.RequestURI()
}

// Relay forwards the event c's request m to d, as forward() and
// KSR.forward() do, and records the outcome for sl_reply_error
// (NoteError), as Kamailio's forward_request sets ser_error. It returns
// forward()'s code: 1, or Kamailio's error code.
func (t *Transport) Relay(c *event.Context, m *sipmsg.Msg, d Dest) int {
	err := t.Forward(c, m, d)
	NoteError(c, err)
	if err != nil {
		return Code(err)
	}
	return 1
}

// AliasConn is add_tcp_alias(), force_tcp_alias() and
// KSR.add_tcp_alias(): the TCP connection the event's message m came over
// also becomes the connection to its source address at port (the top
// Via's port when 0). A message that did not come over TCP, or an event
// without a transport, has nothing to alias: that is not a failure. It
// reports false when the alias could not be added.
func AliasConn(c *event.Context, m *sipmsg.Msg, port int) bool {
	t := From(c)
	if m.ConnID == 0 || t == nil {
		return true
	}
	return t.AddTCPAlias(m, port)
}
