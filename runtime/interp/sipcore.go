package interp

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The core actions of a SIP proxy, as Kamailio's action.c runs them on
// the event's message (sipmsg.FromContext): forward() and its per
// transport forms, the set*()/rewrite*() family on the Request-URI, the
// flags that change how a message and its replies are sent, and the
// branch set. Sending goes through the event's transport (sip.From),
// which runtime/server attaches when kamgo serves SIP. What KEMI's core
// functions run too (forwarding, the send flags, the TCP alias) is
// runtime/sip's, shared with runtime/kemi.

// uriEdits maps the URI rewriting actions, by every name Kamailio gives
// them, to what they change.
var uriEdits = map[string]sipmsg.URIPart{
	"rewritehost": sipmsg.PartHost, "sethost": sipmsg.PartHost, "seth": sipmsg.PartHost,
	"rewritehostport": sipmsg.PartHostPort, "sethostport": sipmsg.PartHostPort, "sethp": sipmsg.PartHostPort,
	"rewritehostporttrans": sipmsg.PartHostPortTrans, "sethostporttrans": sipmsg.PartHostPortTrans, "sethpt": sipmsg.PartHostPortTrans,
	"rewriteport": sipmsg.PartPort, "setport": sipmsg.PartPort, "setp": sipmsg.PartPort,
	"rewriteuser": sipmsg.PartUser, "setuser": sipmsg.PartUser, "setu": sipmsg.PartUser,
	"rewriteuserpass": sipmsg.PartUserPass, "setuserpass": sipmsg.PartUserPass, "setup": sipmsg.PartUserPass,
	"prefix": sipmsg.PartPrefix, "strip": sipmsg.PartStrip, "strip_tail": sipmsg.PartStripTail,
	"userphone": sipmsg.PartUserPhone,
}

// sipCall compiles a SIP core action; ok is false when n is not one.
func (cp *compiler) sipCall(n *ast.Call) (action, bool) {
	if part, ok := uriEdits[n.Name]; ok {
		return cp.uriEditCall(n, part), true
	}
	if set, ok := sip.SendFlag(n.Name); ok {
		if len(n.Args) != 0 {
			cp.unchecked(n.Rng, "%s takes no arguments", n.Name)
			return nil, true
		}
		return func(x *exec) int {
			set(&sipmsg.FromContext(x.c).Send)
			return 1
		}, true
	}
	switch n.Name {
	case "forward", "forward_udp", "forward_tcp", "forward_tls", "forward_sctp":
		return cp.forwardCall(n), true
	case "seturi", "rewriteuri":
		uri, ok := cp.oneText(n)
		if !ok {
			return nil, true
		}
		return func(x *exec) int {
			sipmsg.FromContext(x.c).SetRequestURI(uri)
			return 1
		}, true
	case "revert_uri":
		return func(x *exec) int {
			sipmsg.FromContext(x.c).SetRequestURI("")
			return 1
		}, true
	case "set_advertised_address":
		addr, ok := cp.oneText(n)
		if !ok {
			return nil, true
		}
		return func(x *exec) int {
			sipmsg.FromContext(x.c).Send.EditVia(func(v *sipmsg.ViaFields) { v.AdvAddress = addr })
			return 1
		}, true
	case "set_advertised_port":
		port, ok := cp.oneText(n)
		if !ok {
			return nil, true
		}
		return func(x *exec) int {
			sipmsg.FromContext(x.c).Send.EditVia(func(v *sipmsg.ViaFields) { v.AdvPort = port })
			return 1
		}, true
	case "force_send_socket":
		return cp.forceSocketCall(n), true
	case "add_tcp_alias", "force_tcp_alias":
		if n.Name == "add_tcp_alias" && len(n.Args) == 1 && cp.env.Funcs[n.Name] != nil {
			// corex's add_tcp_alias(port) (Kamailio 6.1) takes a
			// variable: a port that is not a bare number is its call.
			// Kamailio's grammar gives the name to the core action
			// whatever the argument (spec/deviations.md).
			if _, lit := n.Args[0].(*ast.IntLit); !lit {
				return nil, false
			}
		}
		return cp.tcpAliasCall(n), true
	case "remove_branch":
		idx := 0
		if len(n.Args) == 1 {
			i, ok := cp.intArg(n.Args[0])
			if !ok {
				return nil, true
			}
			idx = i
		}
		return func(x *exec) int {
			m := sipmsg.FromContext(x.c)
			if m.Branch(idx) == nil {
				return -1
			}
			m.DropBranch(idx)
			return 1
		}, true
	case "clear_branches":
		return func(x *exec) int {
			sipmsg.FromContext(x.c).Branches = nil
			return 1
		}, true
	case "udp_mtu_try_proto":
		// kamgo sends no UDP message over a transport fallback: the
		// action only has an effect with udp_mtu, which kamgo does not
		// implement, so it is accepted and does nothing.
		return func(*exec) int { return 1 }, true
	}
	return nil, false
}

// oneText reads the single argument of an action that takes a constant:
// a string, a bare word, an address or a number, as written.
func (cp *compiler) oneText(n *ast.Call) (string, bool) {
	if len(n.Args) != 1 {
		cp.unchecked(n.Rng, "%s takes 1 argument, got %d", n.Name, len(n.Args))
		return "", false
	}
	return cp.textArg(n.Args[0])
}

func (cp *compiler) textArg(e ast.Expr) (string, bool) {
	switch a := e.(type) {
	case *ast.StrLit:
		return a.Value, true
	case *ast.Ident:
		return a.Name, true
	case *ast.AddrLit:
		return a.Text, true
	case *ast.IntLit:
		return strconv.FormatInt(a.Value, 10), true
	}
	cp.unchecked(e.Span(), "a constant is required here")
	return "", false
}

// intArg reads a number, written bare or as a string.
func (cp *compiler) intArg(e ast.Expr) (int, bool) {
	s, ok := cp.textArg(e)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		cp.unchecked(e.Span(), "a number is required here")
		return 0, false
	}
	return i, true
}

// uriEditCall compiles the set*() and rewrite*() actions, prefix, strip,
// strip_tail and userphone.
func (cp *compiler) uriEditCall(n *ast.Call, part sipmsg.URIPart) action {
	edit := sipmsg.URIEdit{Part: part}
	switch part {
	case sipmsg.PartUserPhone:
		if len(n.Args) != 0 {
			cp.unchecked(n.Rng, "%s takes no arguments", n.Name)
			return nil
		}
	case sipmsg.PartStrip, sipmsg.PartStripTail:
		if len(n.Args) != 1 {
			cp.unchecked(n.Rng, "%s takes 1 argument, got %d", n.Name, len(n.Args))
			return nil
		}
		k, ok := cp.intArg(n.Args[0])
		if !ok {
			return nil
		}
		edit.N = k
	default:
		s, ok := cp.oneText(n)
		if !ok {
			return nil
		}
		edit.Text = s
	}
	at := where(n.Rng)
	return func(x *exec) int {
		m := sipmsg.FromContext(x.c)
		cur := m.RequestURI()
		if part == sipmsg.PartStrip || part == sipmsg.PartStripTail {
			if u, err := sipmsg.ParseURI(cur); err == nil && edit.N > len(u.User) {
				name := "strip"
				if part == sipmsg.PartStripTail {
					name = "strip_tail"
				}
				coreLog(x.c, klog.Warn, "do_action(): too long %s asked; deleting username: %d of <%s>", name, edit.N, u.User)
			}
		}
		uri, err := sipmsg.EditURI(cur, edit)
		if err != nil {
			if _, perr := sipmsg.ParseURI(cur); perr != nil {
				coreLog(x.c, klog.Err, "do_action(): bad uri <%s>, dropping packet", cur)
			} else {
				coreLog(x.c, klog.Err, "do_action(): %v", err)
			}
			coreLog(x.c, klog.Err, "do_action(): run action error at: %s", at)
			return -1
		}
		m.SetRequestURI(uri)
		return 1
	}
}

// forwardCall compiles forward() and its per-transport forms:
//
//	forward()                        $du, else the Request-URI
//	forward(uri:host[, uri:port|N])  the same host, its port or N (none: 0)
//	forward(host[, port])            a host name or address, resolved
//	                                 once (statichost.go)
func (cp *compiler) forwardCall(n *ast.Call) action {
	proto := sipmsg.ProtoNone
	switch n.Name {
	case "forward_udp":
		proto = sipmsg.ProtoUDP
	case "forward_tcp":
		proto = sipmsg.ProtoTCP
	case "forward_tls", "forward_sctp":
		cp.notImplemented(n.NameRange, "%s is not implemented by kamgo: it has no %s transport", n.Name, strings.TrimPrefix(n.Name, "forward_"))
		return nil
	}
	if len(n.Args) > 2 {
		cp.unchecked(n.Rng, "%s takes at most 2 arguments, got %d", n.Name, len(n.Args))
		return nil
	}
	fromURI, uriPort := len(n.Args) == 0, len(n.Args) == 0
	var host string
	port := 0
	if len(n.Args) > 0 {
		if id, ok := n.Args[0].(*ast.Ident); ok && id.Name == "uri:host" {
			fromURI = true
		} else if h, ok := cp.textArg(n.Args[0]); ok {
			host = h
		} else {
			return nil
		}
	}
	if len(n.Args) == 2 {
		if id, ok := n.Args[1].(*ast.Ident); ok && id.Name == "uri:port" {
			if !fromURI {
				cp.unchecked(n.Args[1].Span(), "uri:port goes with uri:host")
				return nil
			}
			uriPort = true
		} else if p, ok := cp.intArg(n.Args[1]); ok {
			port = p
		} else {
			return nil
		}
	}
	var static *StaticHost
	if !fromURI {
		static = cp.staticHost(n, &StaticHost{StaticHost: module.StaticHost{Host: host, Port: port, Code: sip.ErrBadAddress}})
	}
	at := where(n.Rng)
	return func(x *exec) int {
		m := sipmsg.FromContext(x.c)
		t := sip.From(x.c)
		if t == nil {
			coreLog(x.c, klog.Err, "do_action(): %s: no SIP socket is open (the configuration has no listen=)", n.Name)
			return sip.ErrNoSocket
		}
		var d sip.Dest
		if fromURI {
			var err error
			if d, err = sip.DestOf(sip.NextHop(m)); err != nil {
				coreLog(x.c, klog.Err, "do_action(): forward: bad_uri dropping packet")
				coreLog(x.c, klog.Err, "do_action(): run action error at: %s", at)
				return sip.ErrBadURI
			}
			if !uriPort {
				d.Port = port
			}
			if proto != sipmsg.ProtoNone {
				d.Proto, d.Secure = proto, false
			}
		} else {
			d = sip.Dest{Host: host, Port: port, Proto: proto}
			d.Addr, _ = static.Addr()
			if d.Proto == sipmsg.ProtoNone && m.Rcv != nil {
				d.Proto = m.Rcv.Proto
			}
		}
		return t.Relay(x.c, m, d)
	}
}

// forceSocketCall compiles force_send_socket([proto:]host[:port]): the
// socket is found when the sockets open (statichost.go), or, for a
// transport kamgo does not serve, when the action runs.
func (cp *compiler) forceSocketCall(n *ast.Call) action {
	text, ok := cp.oneText(n)
	if !ok {
		return nil
	}
	proto, host, port, err := sip.ParseAddr(text)
	if err != nil {
		cp.unchecked(n.Args[0].Span(), "force_send_socket: %v", err)
		return nil
	}
	static := cp.staticHost(n, &StaticHost{StaticHost: module.StaticHost{Host: host, Port: port, Proto: proto, Code: sip.ErrBadAddress}, Socket: true})
	return func(x *exec) int {
		s, _ := static.SocketOf()
		if t := sip.From(x.c); t != nil && s == nil {
			s = t.Socket(proto, host, port)
		}
		if s == nil {
			coreLog(x.c, klog.Err, "do_action(): force_send_socket: kamgo does not listen on %s", text)
			return -1
		}
		sipmsg.FromContext(x.c).ForceSocket = s
		return 1
	}
}

// tcpAliasCall compiles add_tcp_alias([port]) and force_tcp_alias([port]):
// the TCP connection the message came over becomes the connection to its
// source address at port (the top Via's port without one).
func (cp *compiler) tcpAliasCall(n *ast.Call) action {
	port := 0
	if len(n.Args) > 1 {
		cp.unchecked(n.Rng, "%s takes at most 1 argument, got %d", n.Name, len(n.Args))
		return nil
	}
	if len(n.Args) == 1 {
		p, ok := cp.intArg(n.Args[0])
		if !ok {
			return nil
		}
		port = p
	}
	return func(x *exec) int {
		if !sip.AliasConn(x.c, sipmsg.FromContext(x.c), port) {
			coreLog(x.c, klog.Err, "do_action(): receive_msg: tcp alias failed")
			return -1
		}
		return 1
	}
}
