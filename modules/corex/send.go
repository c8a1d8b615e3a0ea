package corex

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

const (
	protoUDP = sipmsg.ProtoUDP
	protoTCP = sipmsg.ProtoTCP
)

// forwardReply is forward_reply(): the reply is relayed statelessly by
// its second Via now; 1 even when that fails, as in Kamailio.
func forwardReply(c *event.Context) int {
	if t := sip.From(c); t != nil {
		_ = t.ForwardReply(c, sipmsg.FromContext(c))
	}
	return 1
}

// isIncoming is is_incoming(): true only in event_route[network:msg] for
// a received message, which kamgo does not run: -1.
func isIncoming(*event.Context) int { return -1 }

// compileSend compiles send_udp([dest]) and send_tcp([dest]): the message
// as received, unchanged, to host[:port] (port 5060 by default), or to
// $du, else the Request-URI, when no destination is given.
func (m *Module) compileSend(proto int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		var dest module.StrFunc
		if len(args) == 1 {
			var err error
			if dest, err = args[0].Str(h); err != nil {
				return nil, err
			}
		}
		return func(c *event.Context) int {
			s := ""
			if dest != nil {
				s = dest(c)
			}
			return send(c, s, proto)
		}, nil
	}
}

func send(c *event.Context, dest string, proto int) int {
	msg := sipmsg.FromContext(c)
	var d sip.Dest
	if dest == "" {
		u, err := sip.DestOf(sip.NextHop(msg))
		if err != nil {
			logf(c, klog.Err, "corex_send(): send() - bad_uri dropping packet")
			return sip.ErrBug
		}
		d = sip.Dest{Host: u.Host, Port: u.Port}
	} else {
		d = sip.Dest{Host: dest, Port: sip.SIPPort}
		i := strings.LastIndexByte(dest, ']')
		if j := strings.IndexByte(dest[i+1:], ':'); j >= 0 {
			d.Host, d.Port = dest[:i+1+j], atoiPrefix(dest[i+2+j:])
		}
	}
	t := sip.From(c)
	if t == nil {
		return -1
	}
	if err := t.SendData(msg, d, proto, nil, msg.Buf); err != nil {
		if sip.Code(err) == sip.ErrBadAddress {
			logf(c, klog.Err, "corex_send(): failed to resolve [%s]", d.Host)
			return sip.ErrBug
		}
		return -1
	}
	return 1
}

// atoiPrefix reads the digits s starts with, as Kamailio's str2s does for
// a port; 0 when there are none.
func atoiPrefix(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 65535 {
			return 0
		}
	}
	return n
}

// compileSendData compiles send_data(uri, data) and sendx(uri, socket,
// data): data, as it is, to the SIP URI's address over its transport (UDP
// by default), from the socket given when one has that address.
func (m *Module) compileSendData(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if len(fs) == 2 {
			return m.sendData(c, fs[0](c), "", fs[1](c))
		}
		return m.sendData(c, fs[0](c), fs[1](c), fs[2](c))
	}, nil
}

func (m *Module) sendData(c *event.Context, uri, sock, data string) int {
	d, err := sip.DestOf(uri)
	if err != nil {
		logf(c, klog.Err, "corex_send_data(): bad dst sip uri <%s>", uri)
		return -1
	}
	t := sip.From(c)
	var si *sipmsg.Socket
	if sock != "" {
		hp, err := parseHostPort(sock, m.en, true)
		if err != nil {
			logf(c, klog.Err, "%v", err)
			logf(c, klog.Err, "corex_send_data(): invalid socket specification")
			return -1
		}
		if t != nil {
			si = t.Socket(hp.proto, hp.host, hp.port)
		}
		if si == nil {
			logf(c, klog.Warn, "corex_send_data(): local socket not found: %s", sock)
		}
	}
	if d.Proto == sipmsg.ProtoNone {
		d.Proto = sipmsg.ProtoUDP
	}
	if d.Proto != sipmsg.ProtoUDP && d.Proto != sipmsg.ProtoTCP {
		logf(c, klog.Err, "corex_send_data(): no socket for dst sip uri <%s>", uri)
		return -1
	}
	if t == nil {
		logf(c, klog.Err, "corex_send_data(): no socket for dst sip uri <%s>", uri)
		return -1
	}
	if err := t.SendData(nil, d, d.Proto, si, data); err != nil {
		switch sip.Code(err) {
		case sip.ErrBadAddress:
			logf(c, klog.Err, "corex_send_data(): failed to resolve [%s]", d.Host)
		case sip.ErrNoSocket:
			logf(c, klog.Err, "corex_send_data(): no socket for dst sip uri <%s>", uri)
		}
		return -1
	}
	return 1
}
