package rr

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The Route set of a request as loose_route reads it: each Route header
// split into its entries, with where each entry sits in the message text,
// so that entries can be removed as Kamailio removes them (a whole header,
// or the text from the header's value up to an entry).

// routeHdr is one Route header and its entries.
type routeHdr struct {
	h     *sipmsg.Header
	elems []routeElem
}

// routeElem is one entry of a Route header: its URI and, relative to the
// header's value, where the entry starts (display name or '<') and ends
// (after its parameters).
type routeElem struct {
	uri        string
	start, end int
}

// routeHeaders returns the Route headers of msg, in order.
func routeHeaders(msg *sipmsg.Msg) []*sipmsg.Header {
	var out []*sipmsg.Header
	for i := range msg.Headers {
		if msg.Headers[i].Is("route") {
			out = append(out, &msg.Headers[i])
		}
	}
	return out
}

var errRoute = errors.New("bad Route header")

// parseRoute splits a Route header's value into its entries, as
// Kamailio's parse_rr does: name-addrs separated by commas, each with
// optional header parameters.
func parseRoute(h *sipmsg.Header) (*routeHdr, error) {
	s := h.Value
	rh := &routeHdr{h: h}
	i := skipWS(s, 0)
	if i == len(s) {
		return nil, errRoute
	}
	for {
		e := routeElem{start: i}
		lt := angle(s, i)
		if lt < 0 {
			// A URI without angle brackets runs to the next comma.
			end := strings.IndexByte(s[i:], ',')
			if end < 0 {
				end = len(s) - i
			}
			e.uri = strings.TrimSpace(s[i : i+end])
			i += end
			e.end = i - (len(s[e.start:i]) - len(strings.TrimRight(s[e.start:i], " \t\r\n")))
		} else {
			gt := strings.IndexByte(s[lt:], '>')
			if gt < 0 {
				return nil, errRoute
			}
			e.uri = strings.TrimSpace(s[lt+1 : lt+gt])
			i = lt + gt + 1
			e.end = i
			i = skipWS(s, i)
			if i < len(s) && s[i] == ';' {
				j := paramsEnd(s, i)
				if strings.TrimSpace(s[i+1:j]) == "" {
					return nil, errRoute
				}
				e.end = i + len(strings.TrimRight(s[i:j], " \t\r\n"))
				i = skipWS(s, j)
			}
		}
		if e.uri == "" {
			return nil, errRoute
		}
		rh.elems = append(rh.elems, e)
		if i >= len(s) {
			return rh, nil
		}
		if s[i] != ',' {
			return nil, errRoute
		}
		i = skipWS(s, i+1)
		if i == len(s) {
			return nil, errRoute
		}
	}
}

// angle returns the offset of the '<' that opens the entry at i (after a
// display name, quoted or not), or -1 when the entry has none before the
// next comma.
func angle(s string, i int) int {
	inq := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' && (i == 0 || s[i-1] != '\\'):
			inq = !inq
		case inq:
		case c == '<':
			return i
		case c == ',':
			return -1
		}
	}
	return -1
}

// paramsEnd returns where the parameters starting at i end: at the next
// comma outside quotes, or the end of s.
func paramsEnd(s string, i int) int {
	inq := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' && s[i-1] != '\\':
			inq = !inq
		case c == ',' && !inq:
			return i
		}
	}
	return i
}

func skipWS(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
		i++
	}
	return i
}

// abs returns the offset in the message text of rel, an offset in h's
// value; ok is false when the value is not in one piece in the text.
func abs(h *sipmsg.Header, rel int) (int, bool) {
	if h.At < 0 {
		return 0, false
	}
	return h.At + rel, true
}

// paramFlag reports whether a URI parameter list has a parameter named
// name (lr or r2, compared without case) with or without a value, as
// Kamailio's is_strict and is_2rr read it: white space may surround the
// name; a quoted value is skipped.
func paramFlag(params, name string) bool {
	for _, p := range splitParams(params) {
		n, _, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.Trim(n, " \t\r\n"), name) {
			return true
		}
	}
	return false
}

// splitParams splits a parameter list at the semicolons outside quotes.
func splitParams(params string) []string {
	var out []string
	start, inq := 0, false
	for i := 0; i < len(params); i++ {
		switch c := params[i]; {
		case c == '\\' && inq:
			i++
		case c == '"':
			inq = !inq
		case c == ';' && !inq:
			out = append(out, params[start:i])
			start = i + 1
		}
	}
	return append(out, params[start:])
}

// isStrict reports whether a route URI's parameters lack lr: the hop is
// a strict router.
func isStrict(params string) bool { return !paramFlag(params, "lr") }

// is2RR reports whether a route URI's parameters have r2: the entry is
// one of the two Record-Route entries of a double record-route.
func is2RR(params string) bool { return paramFlag(params, "r2") }

// maddrURI is the URI to send to for a route URI: sip:maddr[:port] when it
// has a maddr parameter, else the URI itself.
func maddrURI(uri string, u *sipmsg.URI) string {
	v, ok := u.Param("maddr")
	if !ok {
		return uri
	}
	out := "sip:" + v
	if u.Port != "" {
		out += ":" + u.Port
	}
	return out
}

// myself reports whether a URI names this server, as Kamailio's rr does:
// its host and port (5060 when none is written) over any transport, and
// not a GRUU (a gr parameter). Without a transport (a message routed by
// a test or tool), the socket the message arrived on is the one address
// known to be this server's.
func myself(c *event.Context, msg *sipmsg.Msg, u *sipmsg.URI) bool {
	if u.IsTel() || u.Host == "" {
		return false
	}
	port := sip.SIPPort
	if u.Port != "" {
		port = u.PortNumber()
	}
	if _, gr := u.Param("gr"); gr {
		return false
	}
	if t := sip.From(c); t != nil {
		return t.Myself(u.Host, port, sipmsg.ProtoNone)
	}
	r := msg.Rcv
	if r == nil {
		return false
	}
	host := strings.Trim(u.Host, "[]")
	return (host == r.IP || (r.AdvIP != "" && strings.EqualFold(host, strings.Trim(r.AdvIP, "[]")))) &&
		(port == r.Port || (r.AdvPort != 0 && port == r.AdvPort))
}

// socketFor finds the local socket a route URI names, as loose_route
// forces it: by its sn parameter when sockname_mode is on, else by host,
// port (the transport's default when none is written) and transport,
// then by host and the port as written.
func (m *Module) socketFor(c *event.Context, u *sipmsg.URI) *sipmsg.Socket {
	t := sip.From(c)
	if t == nil {
		return nil
	}
	if m.socknameMode != 0 {
		if name, ok := u.Param("sn"); ok && name != "" {
			for _, s := range t.Sockets() {
				if s.Name == name {
					return s
				}
			}
		}
	}
	proto := u.Proto()
	port := 0
	if u.Port != "" {
		port = u.PortNumber()
	}
	def := port
	if def == 0 {
		def = sip.SIPPort
		if proto == sipmsg.ProtoTLS {
			def = 5061
		}
	}
	if s := t.Socket(proto, strings.Trim(u.Host, "[]"), def); s != nil {
		return s
	}
	return t.Socket(proto, strings.Trim(u.Host, "[]"), port)
}

// portText is a port for a URI: ":port", or nothing for 5060.
func portText(port int) string {
	if port == sip.SIPPort {
		return ""
	}
	return ":" + strconv.Itoa(port)
}
