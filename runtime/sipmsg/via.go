package sipmsg

import (
	"errors"
	"strconv"
	"strings"
)

// Via is one via-parm of a Via header: "SIP/2.0/UDP host:port;params".
type Via struct {
	Text      string // the via-parm as written, trimmed
	Protocol  string // "SIP/2.0"
	Transport string // as written ("UDP")
	Host      string // with brackets for IPv6
	Port      string // "" when absent
	Params    string // after the first ';', without it
	// hostEnd is where sent-by ends in Text (after the port, when there
	// is one): where received and rport are inserted.
	hostEnd int
}

// ParseVia parses one via-parm.
func ParseVia(s string) (*Via, error) {
	s = strings.TrimSpace(s)
	v := &Via{Text: s}
	slash1 := strings.IndexByte(s, '/')
	slash2 := -1
	if slash1 >= 0 {
		if i := strings.IndexByte(s[slash1+1:], '/'); i >= 0 {
			slash2 = slash1 + 1 + i
		}
	}
	if slash2 < 0 {
		return nil, errors.New("sipmsg: bad Via " + strconv.Quote(s))
	}
	if v.Protocol = s[:slash2]; strings.ContainsAny(v.Protocol, " \t") {
		v.Protocol = strings.TrimSpace(s[:slash1]) + "/" + strings.TrimSpace(s[slash1+1:slash2])
	}
	rest := strings.TrimLeft(s[slash2+1:], " \t")
	end := strings.IndexAny(rest, " \t")
	if end <= 0 {
		return nil, errors.New("sipmsg: Via without sent-by " + strconv.Quote(s))
	}
	v.Transport, rest = rest[:end], strings.TrimSpace(rest[end:])
	sentBy := rest
	if semi := strings.IndexByte(rest, ';'); semi >= 0 {
		sentBy, v.Params = strings.TrimSpace(rest[:semi]), rest[semi+1:]
	}
	v.hostEnd = len(s) - len(rest) + len(sentBy)
	if strings.HasPrefix(sentBy, "[") {
		end := strings.IndexByte(sentBy, ']')
		if end < 0 {
			return nil, errors.New("sipmsg: unterminated IPv6 reference in Via")
		}
		v.Host = sentBy[:end+1]
		if p := sentBy[end+1:]; strings.HasPrefix(p, ":") {
			v.Port = strings.TrimSpace(p[1:])
		}
	} else {
		h, p, _ := strings.Cut(sentBy, ":")
		v.Host, v.Port = strings.TrimSpace(h), strings.TrimSpace(p)
	}
	if v.Host == "" {
		return nil, errors.New("sipmsg: Via without host " + strconv.Quote(s))
	}
	if v.Port != "" {
		if n, err := strconv.Atoi(v.Port); err != nil || n < 0 || n > 65535 {
			return nil, errors.New("sipmsg: bad Via port " + strconv.Quote(v.Port))
		}
	}
	return v, nil
}

// HostEnd is the offset in Text just after sent-by (host and port).
func (v *Via) HostEnd() int { return v.hostEnd }

// ParamSpan returns where the parameter name is in Text: from the ';'
// before it to the end of its value. ok is false when it is absent.
func (v *Via) ParamSpan(name string) (start, end int, ok bool) {
	if v.Params == "" {
		return 0, 0, false
	}
	base := len(v.Text) - len(v.Params) - 1 // the ';' before the first one
	if _, s, e, ok := param(v.Params, name); ok {
		return base + s, base + 1 + e, true
	}
	return 0, 0, false
}

// PortNumber is the port, 0 when absent.
func (v *Via) PortNumber() int {
	n, _ := strconv.Atoi(v.Port)
	return n
}

// Proto is the transport number (ProtoNone when unknown).
func (v *Via) Proto() int { return ProtoNumber(v.Transport) }

// Param returns the value of a Via parameter; ok is false when it is
// absent. A parameter without '=' has the value "".
func (v *Via) Param(name string) (string, bool) {
	val, _, _, ok := param(v.Params, name)
	return val, ok
}

// TopVia returns the first via-parm of the message and its offset in Buf,
// -1 when the first Via header is folded (its text is not in Buf as
// read). ok is false when the message has no Via or the first one does not
// parse.
func (m *Msg) TopVia() (v *Via, at int, ok bool) {
	if m.via1.known {
		return m.via1.v, m.via1.at, m.via1.ok
	}
	return m.findTopVia()
}

// keepTopVia reads the top Via from the headers once and keeps it for
// TopVia.
func (m *Msg) keepTopVia() {
	m.via1.v, m.via1.at, m.via1.ok = m.findTopVia()
	m.via1.known = true
}

// findTopVia is TopVia read from the headers; Parse keeps its result in
// the message, so that the many readers of the top Via parse it once.
func (m *Msg) findTopVia() (v *Via, at int, ok bool) {
	for _, h := range m.Headers {
		if !h.Is("via") {
			continue
		}
		list := SplitList(h.Value)
		if len(list) == 0 {
			return nil, -1, false
		}
		v, err := ParseVia(list[0])
		if err != nil {
			return nil, -1, false
		}
		return v, h.At, true
	}
	return nil, -1, false
}

// Vias returns every via-parm of the message's Via headers, in order;
// unparsable ones are skipped.
func (m *Msg) Vias() []*Via {
	var out []*Via
	for _, b := range m.Bodies("via") {
		if v, err := ParseVia(b); err == nil {
			out = append(out, v)
		}
	}
	return out
}
