package nathelper

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// The UDP pings of natping_socket and udpping_from_path leave from an
// address that is not one of the proxy's: they are written as whole IPv4
// packets (header included) to a raw socket, as Kamailio's send_raw does.
// Opening one needs the privilege to (CAP_NET_RAW), without which the
// module does not load, as in Kamailio.

// rawAddr reads "host[:port]" (port 5060 when absent) into an IPv4
// address, resolving a name.
func rawAddr(s string) ([4]byte, uint16, error) {
	rest := s
	if p, r, ok := strings.Cut(s, ":"); ok && strings.EqualFold(p, "udp") {
		rest = r
	} else if ok && (strings.EqualFold(p, "tcp") || strings.EqualFold(p, "tls") || strings.EqualFold(p, "sctp")) {
		return [4]byte{}, 0, errors.New("natping_socket can be only UDP")
	}
	host, port := rest, 5060
	if h, p, ok := strings.Cut(rest, ":"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return [4]byte{}, 0, errors.New("bad port " + p)
		}
		host, port = h, n
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		addrs, lerr := net.LookupIP(host)
		if lerr != nil || len(addrs) == 0 {
			return [4]byte{}, 0, errors.New("could not resolve hostname " + host)
		}
		var ok bool
		if ip, ok = netip.AddrFromSlice(addrs[0]); !ok {
			return [4]byte{}, 0, errors.New("could not resolve hostname " + host)
		}
	}
	ip = ip.Unmap()
	if !ip.Is4() {
		return [4]byte{}, 0, errors.New("only ipv4 addresses allowed in natping_socket")
	}
	return ip.As4(), uint16(port), nil
}

// rawPacket is an IPv4 packet carrying payload in a UDP datagram from
// src to dst, with the header fields Kamailio's send_raw writes (id 23,
// TTL 69, no UDP checksum).
func rawPacket(payload []byte, dst netip.AddrPort, src [4]byte, srcPort uint16) []byte {
	n := 20 + 8 + len(payload)
	p := make([]byte, n)
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	binary.BigEndian.PutUint16(p[4:], 23)
	p[8] = 69
	p[9] = 17
	copy(p[12:16], src[:])
	d := dst.Addr().As4()
	copy(p[16:20], d[:])
	binary.BigEndian.PutUint16(p[10:], checksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], srcPort)
	binary.BigEndian.PutUint16(p[22:], dst.Port())
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	copy(p[28:], payload)
	return p
}

// checksum is the Internet checksum of b.
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	sum = sum>>16 + sum&0xffff
	sum += sum >> 16
	return ^uint16(sum)
}
