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

// outbound is a message ready to leave.
type outbound struct {
	sock  *socket
	to    netip.AddrPort
	proto int
	conn  int // TCP connection to prefer, 0 for any
	flags sipmsg.ConnFlags
}

// send sends buf as o says.
func (t *Transport) send(o outbound, buf string) error {
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
