package sip

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// SendData sends buf as it is, with no Via and no edits, to d: what the
// corex module's send_udp, send_tcp, send_data and sendx do. It leaves
// from sock when that is an open socket; otherwise from the socket
// Kamailio's get_send_socket picks for m (nil for no message: the first
// socket of the transport and address family). A TCP send opens a
// connection when none is open. proto, when not ProtoNone, overrides the
// transport d names. The error's Code is ErrSend, ErrBadAddress or
// ErrNoSocket.
func (t *Transport) SendData(m *sipmsg.Msg, d Dest, proto int, sock *sipmsg.Socket, buf string) error {
	to, p, err := t.resolve(d)
	if err != nil {
		return fail(ErrBadAddress, err)
	}
	if proto != sipmsg.ProtoNone {
		p = proto
	}
	var s *socket
	if sock != nil {
		s = t.socketOf(sock)
	}
	if s == nil {
		if m == nil {
			m = &sipmsg.Msg{}
		}
		s = t.sendSocket(m, to, p)
	}
	if s == nil && p == sipmsg.ProtoUDP {
		return fail(ErrNoSocket, fmt.Errorf("no socket to send to %s", to))
	}
	return t.send(Hop{sock: s, to: to, proto: p}, buf)
}
