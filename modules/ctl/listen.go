package ctl

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// transport is how a control socket carries its payload.
type transport int

// Transports, as Kamailio's socket_protos.
const (
	unknownSock transport = iota
	udpSock
	tcpSock
	unixStream
	unixDgram
	fifoSock
)

// String is the transport's name in ctl.listen and ctl.who.
func (t transport) String() string {
	switch t {
	case udpSock:
		return "udp"
	case tcpSock:
		return "tcp"
	case unixStream:
		return "unix_stream"
	case unixDgram:
		return "unix_dgram"
	case fifoSock:
		return "fifo"
	}
	return "<unknown>"
}

// payload is the protocol spoken on a control socket.
type payload int

const (
	payloadBinrpc payload = iota
	payloadFIFO
)

func (p payload) String() string {
	if p == payloadFIFO {
		return "fifo"
	}
	return "binrpc"
}

// defaultPort is the port of a udp or tcp listener that names none.
const defaultPort = 2049

// listenID is one parsed binrpc or fifo parameter.
type listenID struct {
	text  string // as written
	name  string // path, or host ("*" for any)
	proto transport
	data  payload
	port  int // 0 until defaulted, for udp and tcp
}

// parseListenID parses a listen address the way Kamailio's ctl does:
// "proto:host:port", "proto:host", "proto:path", "host:port", "host" or
// a path, where proto is tcp, udp, unix or unixs (stream), unixd
// (datagram) or fifo, case-insensitive. Without a protocol, an address
// with a port is udp (or def when def is tcp), one with a '/' is a unix
// stream socket (or def when def is fifo), anything else is def. A udp
// or tcp address that is only a number is a port on any address. A port
// may be a service name.
func parseListenID(s string, def transport) (listenID, error) {
	id := listenID{text: s}
	proto := unknownSock
	var name, port string
	hasPort := false
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.HasPrefix(s, "[") {
		switch strings.ToLower(s[:i]) {
		case "tcp":
			proto = tcpSock
		case "udp":
			proto = udpSock
		case "unixd":
			proto = unixDgram
		case "unix", "unixs":
			proto = unixStream
		case "fifo":
			proto = fifoSock
		}
		if proto == unknownSock {
			name, port, hasPort = s[:i], s[i+1:], true
		} else {
			rest = s[i+1:]
		}
	}
	if !hasPort {
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return id, fmt.Errorf("bad listen address %q: no closing ']'", s)
			}
			name = rest[:end+1]
			switch after := rest[end+1:]; {
			case after == "":
			case after[0] == ':':
				port, hasPort = after[1:], true
			default:
				return id, fmt.Errorf("bad listen address %q: text after ']'", s)
			}
		} else if proto != unknownSock {
			if i := strings.IndexByte(rest, ':'); i >= 0 {
				name, port, hasPort = rest[:i], rest[i+1:], true
			} else {
				name = rest
			}
		} else {
			name = rest
		}
	}
	if hasPort && port == "" {
		hasPort = false
	}
	if proto == unknownSock {
		switch {
		case hasPort:
			proto = udpSock
			if def == tcpSock {
				proto = tcpSock
			}
		case strings.Contains(name, "/"):
			proto = unixStream
			if def != tcpSock && def != udpSock {
				proto = def
			}
		default:
			proto = def
		}
	}
	if hasPort {
		n, err := portNumber(port, proto)
		if err != nil {
			return id, fmt.Errorf("bad listen address %q: %v", s, err)
		}
		id.port = n
	} else if proto == tcpSock || proto == udpSock {
		if n, ok := decimalPort(name); ok {
			id.port, name = n, "*"
		}
	}
	id.name, id.proto = name, proto
	return id, nil
}

// decimalPort parses a port written in decimal.
func decimalPort(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	return n, true
}

// portNumber parses a port: decimal or a service name.
func portNumber(s string, proto transport) (int, error) {
	if n, ok := decimalPort(s); ok {
		return n, nil
	}
	network := "tcp"
	if proto == udpSock {
		network = "udp"
	}
	n, err := net.LookupPort(network, s)
	if err != nil {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return n, nil
}

// bindHost is the address a udp or tcp listener binds: any IPv4 address
// for "*" or an empty host, otherwise the host's first address (IPv4
// first, as gethostbyname answers).
func bindHost(name string) (string, error) {
	if name == "" || name == "*" {
		return "0.0.0.0", nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if ip := net.ParseIP(host); ip != nil {
		return ip.String(), nil
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return "", fmt.Errorf("bad address %s", name)
	}
	for _, ip := range ips {
		if ip.To4() != nil {
			return ip.String(), nil
		}
	}
	return ips[0].String(), nil
}
