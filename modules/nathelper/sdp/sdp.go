// Package sdp reads the SDP body of a SIP message the way Kamailio's core
// SDP parser (parse_sdp) and its helpers do, for the modules that rewrite
// media addresses (nathelper, rtpproxy): the session's origin and
// connection addresses, and per media stream its port, transport,
// payload types, connection address, RTCP port and ICE candidates. Every
// part keeps its offset in the message text, so that callers can replace
// it through the message's lumps.
//
// Like Kamailio's, the parser takes one session per SDP body: from the
// first v= line, with its o= line, then each m= line starts a stream.
package sdp

import (
	"errors"
	"strings"
)

// Address families, as SDP names them in c= and o= lines.
const (
	IPv4 = 4
	IPv6 = 6
)

// Field is a part of the message text: its value and where it starts in
// the message (-1 when absent).
type Field struct {
	Text string
	At   int
}

// Present reports whether the field was found.
func (f Field) Present() bool { return f.At >= 0 && f.Text != "" }

// Stream is one media description (an m= line and the lines up to the
// next one).
type Stream struct {
	Media     string
	Port      Field
	Transport string
	Payloads  string // the payload types as written, space separated
	IsRTP     bool   // the transport is one of RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF
	IP        Field  // the stream's c= address, absent when the session's applies
	PF        int    // the stream's address family (carried over from the previous stream when it has no c=, as Kamailio does)
	RTCPPort  Field  // the value of a=rtcp: to the end of its line
	MediaAt   int    // offset of the m= line's value (after "m=")
	// Candidates is the number of a=candidate lines; FirstCandidate the
	// offset of the first one's "a=candidate:".
	Candidates     int
	FirstCandidate int
	RemoteCands    bool
}

// Session is the SDP session of a body.
type Session struct {
	OIP, IP Field // the o= and c= (session level) addresses
	OPF, PF int
	Streams []*Stream
}

// SDP is a parsed body: its text and offset, and its one session.
type SDP struct {
	Body    string
	At      int
	Session *Session
}

// Streams returns the number of streams.
func (s *SDP) Streams() int { return len(s.Session.Streams) }

// ErrNoBody is returned by Parse for a message with an empty body
// (Kamailio's parse_sdp returns 1 then, other errors -1).
var ErrNoBody = errors.New("sdp: empty body")

// Parse parses body, found at offset at of the message, with the given
// Content-Type value ("" when the message has none). Only application/sdp
// bodies parse (and the SDP part of multipart/mixed ones).
func Parse(body string, at int, contentType string) (*SDP, error) {
	if body == "" {
		return nil, ErrNoBody
	}
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if ct == "" {
		return nil, errors.New("sdp: no Content-Type")
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ReplaceAll(strings.ReplaceAll(mt, " ", ""), "\t", "")
	switch mt {
	case "application/sdp":
	case "multipart/mixed":
		part, off, ok := MixedPart(body, contentType)
		if !ok {
			return nil, errors.New("sdp: no SDP part in multipart body")
		}
		body, at = part, at+off
	default:
		return nil, errors.New("sdp: body is not SDP")
	}
	sess, err := parseSession(body, at)
	if err != nil {
		return nil, err
	}
	return &SDP{Body: body, At: at, Session: sess}, nil
}

// findLine returns the offset in s, from from up to limit, of the first
// line starting with "<c>=" (the two characters preceded by a line end),
// -1 when none, as Kamailio's find_sdp_line.
func findLine(s string, from, limit int, c byte) int {
	head := string([]byte{c, '='})
	for cp := from; cp < limit; {
		i := strings.Index(s[cp:limit], head)
		if i < 0 {
			return -1
		}
		i += cp
		// The body follows the empty line, so its start is a line start.
		if i == 0 || s[i-1] == '\n' || s[i-1] == '\r' {
			return i
		}
		cp = i + 2
	}
	return -1
}

// lineEnd returns the offset after the end of the line starting at i
// (after its LF), or len(s).
func lineEnd(s string, i, limit int) int {
	if j := strings.IndexByte(s[i:limit], '\n'); j >= 0 {
		return i + j + 1
	}
	return limit
}

// lineValue is the text of the line at i after its first n characters,
// trimmed, and its offset in s.
func lineValue(s string, i, n, limit int) (string, int) {
	end := lineEnd(s, i, limit)
	v := s[i+n : end]
	trimmed := strings.TrimLeft(v, " \t\r\n")
	off := i + n + len(v) - len(trimmed)
	return strings.TrimRight(trimmed, " \t\r\n"), off
}

// MediaIP extracts the address of the c= or o= line at i (Kamailio's
// extract_mediaip): the text after the last " IP4"/" IP6".
func MediaIP(s string, i, limit int) (Field, int, error) {
	v, off := lineValue(s, i, 2, limit)
	if v == "" {
		return Field{At: -1}, 0, errors.New("sdp: empty line")
	}
	k := strings.LastIndex(v, " IP")
	if k < 0 || k+4 > len(v) {
		return Field{At: -1}, 0, errors.New("sdp: no IP4 or IP6")
	}
	var pf int
	switch v[k+3] {
	case '4':
		pf = IPv4
	case '6':
		pf = IPv6
	default:
		return Field{At: -1}, 0, errors.New("sdp: bad address type")
	}
	rest := v[k+4:]
	ip := strings.TrimLeft(rest, " \t")
	if end := strings.IndexAny(ip, " \t"); end >= 0 {
		ip = ip[:end]
	}
	if ip == "" {
		return Field{At: -1}, 0, errors.New("sdp: no address")
	}
	return Field{Text: ip, At: off + k + 4 + len(rest) - len(strings.TrimLeft(rest, " \t"))}, pf, nil
}

// rtpTransports are the transports Kamailio's parser knows (lower case),
// with whether they carry RTP.
var rtpTransports = map[string]bool{
	"rtp/avp": true, "udptl": false, "rtp/avpf": true, "rtp/savp": true,
	"rtp/savpf": true, "udp": false, "udp/bfcp": false,
}

func parseSession(s string, base int) (*Session, error) {
	limit := len(s)
	v1 := findLine(s, 0, limit, 'v')
	if v1 < 0 {
		return nil, errors.New("sdp: no sessions in SDP")
	}
	o1 := findLine(s, v1, limit, 'o')
	if o1 < 0 {
		return nil, errors.New("sdp: no o= in session")
	}
	m1 := findLine(s, o1, limit, 'm')
	if m1 < 0 {
		return nil, errors.New("sdp: no m= in session")
	}
	if oline := s[o1:lineEnd(s, o1, m1)]; len(oline) < 15 {
		return nil, errors.New("sdp: invalid o= line")
	}
	sess := &Session{PF: IPv4, IP: Field{At: -1}}
	oip, opf, err := MediaIP(s, o1, limit)
	if err != nil {
		return nil, errors.New("sdp: can't extract origin media IP")
	}
	oip.At += base
	sess.OIP, sess.OPF = oip, opf
	if c1 := findLine(s, o1, m1, 'c'); c1 >= 0 {
		ip, pf, err := MediaIP(s, c1, limit)
		if err != nil {
			return nil, errors.New("sdp: can't extract common media IP")
		}
		ip.At += base
		sess.IP, sess.PF = ip, pf
	}
	pf := IPv4
	for m := m1; m >= 0 && m < limit; {
		next := -1
		if limit-m >= 3 {
			next = findLine(s, m+2, limit, 'm')
		}
		end := next
		if end < 0 {
			end = limit
		}
		st := &Stream{IP: Field{At: -1}, RTCPPort: Field{At: -1}, FirstCandidate: -1}
		if c2 := findLine(s, m, end, 'c'); c2 >= 0 {
			ip, p, err := MediaIP(s, c2, limit)
			if err != nil {
				return nil, errors.New("sdp: can't extract media IP")
			}
			ip.At += base
			st.IP, pf = ip, p
		} else if !sess.IP.Present() {
			return nil, errors.New("sdp: can't find media IP")
		}
		st.PF = pf
		if err := mediaAttrs(s, m, end, base, st); err != nil {
			return nil, err
		}
		attrs(s, m, end, base, st)
		sess.Streams = append(sess.Streams, st)
		m = next
	}
	return sess, nil
}

// mediaAttrs reads the m= line at m (Kamailio's extract_media_attr).
func mediaAttrs(s string, m, end, base int, st *Stream) error {
	v, off := lineValue(s, m, 2, end)
	st.MediaAt = base + off
	fields := []int{}
	for i := 0; i < len(v); {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i >= len(v) {
			break
		}
		fields = append(fields, i)
		for i < len(v) && v[i] != ' ' && v[i] != '\t' {
			i++
		}
	}
	tok := func(k int) string {
		t := v[fields[k]:]
		if e := strings.IndexAny(t, " \t"); e >= 0 {
			t = t[:e]
		}
		return t
	}
	if len(fields) < 2 || fields[0] != 0 {
		return errors.New("sdp: no port in m=")
	}
	if len(fields) < 3 {
		return errors.New("sdp: no protocol type in m=")
	}
	st.Media = tok(0)
	st.Port = Field{Text: tok(1), At: base + off + fields[1]}
	st.Transport = tok(2)
	if len(fields) > 3 {
		st.Payloads = v[fields[3]:]
	}
	st.IsRTP = rtpTransports[strings.ToLower(st.Transport)]
	return nil
}

// attrs reads the a= lines of a stream: a=rtcp:, a=candidate: and the
// remote candidates.
func attrs(s string, m, end, base int, st *Stream) {
	payloads := st.Payloads != ""
	for a := findLine(s, m, end, 'a'); a >= 0 && a < end; {
		line := s[a:lineEnd(s, a, end)]
		switch {
		case strings.HasPrefix(line, "a=rtcp:"):
			v, off := lineValue(s, a, len("a=rtcp:"), end)
			st.RTCPPort = Field{Text: v, At: base + off}
		case payloads && len(line) >= 12 && strings.EqualFold(line[:12], "a=candidate:"):
			rest := line[12:]
			sp := strings.IndexByte(rest, ' ')
			if sp >= 0 && sp+3 <= len(rest) && rest[sp+1] >= '0' && rest[sp+1] <= '9' && strings.IndexByte(rest[sp+1:], ' ') >= 0 {
				if st.Candidates == 0 {
					st.FirstCandidate = base + a
				}
				st.Candidates++
			}
		case payloads && strings.HasPrefix(line, "a:remote-candidates:"):
			st.RemoteCands = true
		}
		a = findLine(s, a+2, end, 'a')
	}
}

// IsNullAddr reports whether ip is the unspecified address of its family
// ("0.0.0.0", or only zeros and colons for IPv6), as Kamailio's isnulladdr.
func IsNullAddr(ip string, pf int) bool {
	if pf == IPv6 {
		for i := 0; i < len(ip); i++ {
			if ip[i] != '0' && ip[i] != ':' {
				return false
			}
		}
		return true
	}
	return ip == "0.0.0.0"
}

// MixedPart finds the SDP part of a multipart/mixed body: its text (after
// the part's headers) and offset in body.
func MixedPart(body, contentType string) (string, int, bool) {
	boundary := ""
	for _, p := range strings.Split(contentType, ";") {
		n, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(n), "boundary") {
			boundary = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	if boundary == "" {
		return "", 0, false
	}
	delim := "--" + boundary
	pos := 0
	for {
		i := strings.Index(body[pos:], delim)
		if i < 0 {
			return "", 0, false
		}
		start := pos + i + len(delim)
		next := strings.Index(body[start:], delim)
		end := len(body)
		if next >= 0 {
			end = start + next
		}
		part := body[start:end]
		// Skip the rest of the delimiter line, then read the headers up
		// to the empty line.
		nl := strings.Index(part, "\n")
		if nl < 0 {
			return "", 0, false
		}
		hdrs := part[nl+1:]
		sep := strings.Index(hdrs, "\r\n\r\n")
		skip := 4
		if sep < 0 {
			sep, skip = strings.Index(hdrs, "\n\n"), 2
		}
		if sep >= 0 {
			isSDP := false
			for _, l := range strings.Split(hdrs[:sep], "\n") {
				n, v, ok := strings.Cut(l, ":")
				if ok && strings.EqualFold(strings.TrimSpace(n), "content-type") &&
					strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "application/sdp") {
					isSDP = true
				}
			}
			if isSDP {
				off := start + nl + 1 + sep + skip
				return body[off:end], off, true
			}
		}
		if next < 0 {
			return "", 0, false
		}
		pos = end
	}
}
