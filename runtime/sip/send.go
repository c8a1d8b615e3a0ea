package sip

import (
	"fmt"
	"net/netip"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// sendSocket chooses the socket a message to `to` over proto leaves from,
// as Kamailio's get_send_socket does: the socket the script forced, when
// it fits; for UDP, the socket the message arrived on when it is UDP of
// the same address family, else the first UDP socket of that family; for
// TCP, the first TCP socket of the family. nil when there is none.
func (t *Transport) sendSocket(m *sipmsg.Msg, to netip.AddrPort, proto int) *socket {
	v6 := to.Addr().Is6()
	if m.ForceSocket != nil {
		if s := t.socketOf(m.ForceSocket); s != nil {
			if s.info.Proto != proto {
				s = t.findSocket(proto, s.info.IP, s.info.Port)
			}
			if s != nil && s.addr.Is6() == v6 {
				return s
			}
		}
	}
	if proto == sipmsg.ProtoUDP && m.Rcv != nil && m.Rcv.Proto == sipmsg.ProtoUDP {
		if s := t.socketOf(m.Rcv); s != nil && s.addr.Is6() == v6 {
			return s
		}
	}
	for _, s := range t.socks {
		if s.info.Proto == proto && s.addr.Is6() == v6 {
			return s
		}
	}
	return nil
}

// Hop is where a message leaves to: the local socket, the address, the
// transport, the TCP connection to prefer and the connection flags. A
// transaction layer keeps the hop of each message it sends, to retransmit
// it and to send what belongs with it (CANCEL, ACK) the same way.
type Hop struct {
	sock  *socket
	to    netip.AddrPort
	proto int
	conn  int // TCP connection to prefer, 0 for any
	flags sipmsg.ConnFlags
}

// send sends buf as o says.
func (t *Transport) send(o Hop, buf string) error {
	var err error
	switch o.proto {
	case sipmsg.ProtoUDP:
		err = t.sendUDP(o.sock, o.to, buf)
	case sipmsg.ProtoTCP:
		err = t.sendTCP(o.sock, o.to, o.conn, o.flags, buf)
	default:
		err = fmt.Errorf("kamgo has no %s transport", sipmsg.ProtoName(o.proto, false))
	}
	if err != nil {
		return fail(ErrSend, err)
	}
	return nil
}

// Socket is the local socket h leaves from.
func (h Hop) Socket() *sipmsg.Socket {
	if h.sock == nil {
		return nil
	}
	return h.sock.info
}

// Addr is the address h goes to.
func (h Hop) Addr() netip.AddrPort { return h.to }

// Proto is the transport of h (sipmsg.ProtoUDP ...).
func (h Hop) Proto() int { return h.proto }

// Reliable reports whether h is over a transport that retransmits by
// itself, so a transaction layer does not (RFC 3261 §17.1.1.2).
func (h Hop) Reliable() bool { return h.proto != sipmsg.ProtoUDP }
