package corex

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// hostPort is an address as Kamailio's parse_protohostport and
// parse_phostport read it: [proto:]host[:port], the parts as written.
type hostPort struct {
	proto        int
	sproto, host string
	sport        string
	port         int
}

// protos says which transports the configuration enables: parse_proto
// refuses a disabled one.
type protos struct{ tcp, tls, sctp bool }

// parseHostPort reads s as Kamailio's parse_protohostport (strict: an
// unsigned port) or, with signed, parse_phostport (the port read as strtol
// reads it). The error is the text Kamailio logs.
func parseHostPort(s string, en protos, signed bool) (hostPort, error) {
	var r hostPort
	first, second := -1, -1
	bracket := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			if bracket++; bracket > 1 {
				return r, fmt.Errorf("too many brackets in %s", s)
			}
		case ']':
			if bracket--; bracket < 0 {
				return r, fmt.Errorf("too many brackets in %s", s)
			}
		case ':':
			if bracket == 0 {
				switch {
				case first < 0:
					first = i
				case second < 0:
					second = i
				default:
					return r, fmt.Errorf("too many colons in %s", s)
				}
			}
		}
	}
	if s == "" {
		return r, fmt.Errorf("empty address")
	}
	if s[len(s)-1] == ':' {
		return r, fmt.Errorf("too many colons in %s", s)
	}
	port := func(t string) (int, bool) {
		if signed {
			t = strings.TrimLeft(t, " \t")
			n, err := strconv.Atoi(t)
			return n, err == nil
		}
		if t == "" || strings.Trim(t, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.Atoi(t)
		return n, err == nil
	}
	switch {
	case first < 0:
		r.host = s
	case second >= 0:
		p, ok := parseProto(s[:first], en)
		if !ok {
			return r, fmt.Errorf("bad protocol in %s", s)
		}
		n, ok := port(s[second+1:])
		if !ok {
			return r, fmt.Errorf("bad port number in %s", s)
		}
		r.proto, r.sproto, r.host, r.sport, r.port = p, s[:first], s[first+1:second], s[second+1:], n
	default:
		if n, ok := port(s[first+1:]); ok {
			r.host, r.sport, r.port = s[:first], s[first+1:], n
			break
		}
		p, ok := parseProto(s[:first], en)
		if !ok {
			return r, fmt.Errorf("bad protocol in %s", s)
		}
		r.proto, r.sproto, r.host = p, s[:first], s[first+1:]
	}
	return r, nil
}

// parseProto is Kamailio's parse_proto: udp, tcp, tls and sctp in any
// case, each only when enabled; ws and wss are not socket protocols.
func parseProto(s string, en protos) (int, bool) {
	switch strings.ToLower(s) {
	case "udp":
		return sipmsg.ProtoUDP, true
	case "tcp":
		return sipmsg.ProtoTCP, en.tcp
	case "tls":
		return sipmsg.ProtoTLS, en.tcp && en.tls
	case "sctp":
		return sipmsg.ProtoSCTP, en.sctp
	}
	return sipmsg.ProtoNone, false
}
