package sipmsg

import (
	"strconv"
	"strings"
)

// Socket is a local SIP socket: the one a message arrived on, or the one a
// script forces for sending.
type Socket struct {
	Proto   int    // ProtoUDP ...
	IP      string // without brackets
	Port    int
	Name    string // the socket's name, "" when unnamed
	AdvIP   string // advertised address, "" when none
	AdvPort int    // advertised port, 0 when none
}

// IsIPv6 reports whether the address is IPv6.
func IsIPv6(ip string) bool { return strings.Contains(ip, ":") }

// hostPort joins an address and a port, bracketing IPv6.
func hostPort(ip string, port int) string {
	if IsIPv6(ip) {
		ip = "[" + ip + "]"
	}
	return ip + ":" + strconv.Itoa(port)
}

// String is the socket as Kamailio writes it: proto:ip:port.
func (s *Socket) String() string {
	return ProtoName(s.Proto, true) + ":" + hostPort(s.IP, s.Port)
}

// URI is the socket as a SIP URI; with full the transport parameter is
// always written, otherwise only for transports other than UDP. adv uses
// the advertised address and port where set.
func (s *Socket) URI(full, adv bool) string {
	ip, port := s.IP, s.Port
	if adv && s.AdvIP != "" {
		ip = s.AdvIP
	}
	if adv && s.AdvPort != 0 {
		port = s.AdvPort
	}
	return addrURI(ip, port, s.Proto, full)
}

// addrURI builds sip:ip:port[;transport=proto].
func addrURI(ip string, port, proto int, full bool) string {
	u := "sip:" + hostPort(ip, port)
	if full || (proto != ProtoNone && proto != ProtoUDP) {
		u += ";transport=" + ProtoName(proto, true)
	}
	return u
}

// SrcURI is the message's source as a SIP URI ($su, $sut).
func (m *Msg) SrcURI(full bool) string {
	return addrURI(m.Src.IP, m.Src.Port, ProtoNumber(m.Proto), full)
}

// SrcSocket is the message's source as proto:ip:port ($sas).
func (m *Msg) SrcSocket() string {
	return ProtoName(ProtoNumber(m.Proto), true) + ":" + hostPort(m.Src.IP, m.Src.Port)
}
