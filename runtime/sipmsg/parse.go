package sipmsg

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	sipgo "github.com/emiago/sipgo/sip"
)

// Messages are parsed by sipgo: it decides what is a SIP message (first
// line, header lines with their folding, the empty line, the body), for
// messages from the network and for the faked request alike. sipgo is told
// to interpret no header: the pseudo-variables read names and values as
// written, and the reply and forwarding code copies header fields byte for
// byte, which sipgo's typed headers would re-render. fill reads each
// header's name and value from the text, where sipgo found the line; the
// values are then read by this package's own small parsers (URI, Via,
// name-addr, credentials), which keep every part as written, as Kamailio's
// parsers do.
var parser = sipgo.NewParser(sipgo.WithHeadersParsers(keepNothingParsers()))

// keepNothingParsers are sipgo header parsers, for the headers most
// messages carry, that keep nothing of the header: fill reads it from the
// text, so sipgo's copy of its name and value would be garbage at once
// (two thirds of what parsing a message allocated). Other names get
// sipgo's plain header, which fill does not read either. Content-Length
// is left to sipgo, which may add one to a message that has a body and
// none.
func keepNothingParsers() map[string]sipgo.HeaderParser {
	opaque := sipgo.NewHeader("", "")
	keep := func([]byte, string) (sipgo.Header, error) { return opaque, nil }
	m := map[string]sipgo.HeaderParser{}
	for _, name := range []string{"via", "from", "to", "call-id", "cseq", "contact", "max-forwards",
		"route", "record-route", "content-type", "user-agent", "server", "allow", "supported",
		"require", "proxy-require", "unsupported", "subject", "expires", "min-expires", "date",
		"accept", "accept-encoding", "accept-language", "authorization", "proxy-authorization",
		"www-authenticate", "proxy-authenticate", "event", "allow-events", "path", "reason",
		"session-expires", "min-se", "p-asserted-identity", "p-preferred-identity", "privacy",
		"refer-to", "referred-by", "content-disposition", "organization", "timestamp", "x-evapi"} {
		m[name] = keep
	}
	return m
}

// parseBufs hold the bytes sipgo parses (it takes a []byte and keeps
// none of it: every part it returns is a copy), so that a message costs no
// allocation for them.
var parseBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBuf bounds the buffers parseBufs keeps.
const maxPooledBuf = 64 << 10

// ErrNotSIP wraps every reason Parse refuses a text.
var ErrNotSIP = errors.New("sipmsg: not a SIP message")

// Parse parses a SIP request or reply. Lines end with CRLF; continuation
// lines (starting with a space or tab) are folded into the header they
// continue. The body is everything after the empty line.
func Parse(buf string) (*Msg, error) {
	bp := parseBufs.Get().(*[]byte)
	*bp = append((*bp)[:0], buf...)
	sm, err := parser.ParseSIP(*bp)
	if cap(*bp) <= maxPooledBuf {
		parseBufs.Put(bp)
	}
	if err != nil {
		// Kamailio parses a request's URI only when something reads its
		// parts, so a request line with a URI sipgo refuses ("*", no
		// scheme, a bad port) is still a request: it is parsed with a
		// URI sipgo takes in its place, and keeps its own as RURI.
		sm2, err2 := parseStandIn(buf)
		if err2 != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotSIP, err)
		}
		sm = sm2
	}
	m := &Msg{Buf: buf, Proto: "udp", RuriQ: QUnspecified}
	if err := m.fill(sm); err != nil {
		return nil, err
	}
	m.ID = NextID()
	return m, nil
}

// standInURI replaces a Request-URI sipgo refuses for parsing.
const standInURI = "sip:invalid"

// parseStandIn parses buf with its Request-URI replaced by standInURI;
// it fails when buf's first line is not a request line (three fields,
// the last one SIP's version).
func parseStandIn(buf string) (sipgo.Message, error) {
	eol := strings.Index(buf, "\r\n")
	if eol < 0 {
		return nil, errors.New("no line end")
	}
	f := strings.SplitN(buf[:eol], " ", 3)
	if len(f) != 3 || f[1] == "" || !strings.EqualFold(f[2], "SIP/2.0") {
		return nil, errors.New("not a request line")
	}
	return parser.ParseSIP([]byte(f[0] + " " + standInURI + " " + f[2] + buf[eol:]))
}

// fill copies what sipgo found into m, reading each part as written from
// m.Buf.
func (m *Msg) fill(sm sipgo.Message) error {
	buf := m.Buf
	eol := strings.Index(buf, "\r\n")
	if eol < 0 {
		return fmt.Errorf("%w: no line end", ErrNotSIP)
	}
	f0, f1, f2, ok := splitFirstLine(buf[:eol])
	if !ok {
		return fmt.Errorf("%w: bad first line %q", ErrNotSIP, buf[:eol])
	}
	switch r := sm.(type) {
	case *sipgo.Request:
		m.Method, m.RURI, m.Version = f0, f1, f2
	case *sipgo.Response:
		if r.StatusCode < 100 || r.StatusCode > 699 || len(f1) != 3 {
			return fmt.Errorf("%w: bad status code %s", ErrNotSIP, strconv.Quote(f1))
		}
		m.Version, m.Status, m.Reason = f0, r.StatusCode, f2
	default:
		return fmt.Errorf("%w: unknown message type", ErrNotSIP)
	}
	hs, ok := sm.(interface{ Headers() []sipgo.Header })
	if !ok {
		return fmt.Errorf("%w: no headers", ErrNotSIP)
	}
	pos := eol + 2
	m.Headers = make([]Header, 0, len(hs.Headers()))
	for _, h := range hs.Headers() {
		if strings.HasPrefix(buf[pos:], "\r\n") {
			// sipgo gives a message with a body and no Content-Length
			// one of its own; it is not in the text.
			if _, ok := h.(*sipgo.ContentLengthHeader); ok {
				break
			}
			return fmt.Errorf("%w: header lines do not end where sipgo's do", ErrNotSIP)
		}
		next, folded := fieldEnd(buf, pos)
		hdr, ok := headerAt(buf, pos, next, folded)
		if !ok {
			return fmt.Errorf("%w: header without ':'", ErrNotSIP)
		}
		m.Headers = append(m.Headers, hdr)
		pos = next
	}
	if !strings.HasPrefix(buf[pos:], "\r\n") {
		return fmt.Errorf("%w: header lines do not end where sipgo's do", ErrNotSIP)
	}
	m.Body = buf[pos+2:]
	m.keepTopVia()
	return nil
}

// Lean returns a copy of m without its header list and parsed top Via,
// for a message kept long and read rarely (a transaction waiting out its
// wt_timer): they are most of a parsed message's memory and of the
// pointers the collector follows. Full gives them back.
func (m *Msg) Lean() *Msg {
	cp := *m
	cp.Headers = nil
	cp.via1.v, cp.via1.known = nil, false
	cp.via1.lean = true
	return &cp
}

// Full returns m when it has its headers, else a copy with the headers
// and the top Via read again from the text, as Parse read them (the text
// was parsed before: it is not checked again).
func (m *Msg) Full() *Msg {
	if !m.via1.lean {
		return m
	}
	cp := *m
	cp.via1.lean = false
	buf := cp.Buf
	pos := strings.Index(buf, "\r\n") + 2
	cp.Headers = make([]Header, 0, 16)
	for pos >= 2 && pos < len(buf) && !strings.HasPrefix(buf[pos:], "\r\n") {
		next, folded := fieldEnd(buf, pos)
		hdr, ok := headerAt(buf, pos, next, folded)
		if !ok || next <= pos {
			break
		}
		cp.Headers = append(cp.Headers, hdr)
		pos = next
	}
	cp.keepTopVia()
	return &cp
}

// splitFirstLine splits a request or status line at its first two
// spaces; the third part is the rest of the line.
func splitFirstLine(line string) (f0, f1, f2 string, ok bool) {
	a := strings.IndexByte(line, ' ')
	if a < 0 {
		return "", "", "", false
	}
	b := strings.IndexByte(line[a+1:], ' ')
	if b < 0 {
		return "", "", "", false
	}
	b += a + 1
	return line[:a], line[a+1 : b], line[b+1:], true
}

// headerAt reads the header field buf[pos:end] (its CRLF included) as
// sipgo reads it: the name before the first ':' and the value after it,
// without surrounding white space, continuation lines folded into one
// with a space.
func headerAt(buf string, pos, end int, folded bool) (Header, bool) {
	line := strings.TrimSuffix(buf[pos:end], "\r\n")
	base := pos
	if folded {
		line, base = unfold(line), -1
	}
	colon := strings.IndexByte(line, ':')
	if colon < 0 {
		return Header{}, false
	}
	raw := line[colon+1:]
	h := Header{Name: strings.TrimSpace(line[:colon]), Value: strings.TrimSpace(raw), At: -1, Start: pos, End: end}
	if base >= 0 && h.Value != "" {
		h.At = base + colon + 1 + len(raw) - len(strings.TrimLeftFunc(raw, unicode.IsSpace))
	}
	return h, true
}

// unfold joins a header field's lines as sipgo does: each line without
// the blanks at its end, the continuation lines without those at their
// start, one space between them.
func unfold(field string) string {
	var b strings.Builder
	for i, l := range strings.Split(field, "\r\n") {
		l = strings.TrimRight(l, " \t")
		if i > 0 {
			b.WriteByte(' ')
			l = strings.TrimLeft(l, " \t")
		}
		b.WriteString(l)
	}
	return b.String()
}

// fieldEnd returns where the header field starting at pos ends: after the
// CRLF of its last line, continuation lines included. folded is set when
// the field has continuation lines.
func fieldEnd(buf string, pos int) (end int, folded bool) {
	for {
		n := strings.Index(buf[pos:], "\r\n")
		if n < 0 {
			return len(buf), folded
		}
		pos += n + 2
		if pos >= len(buf) || (buf[pos] != ' ' && buf[pos] != '\t') {
			return pos, folded
		}
		folded = true
	}
}

// headEnd returns where the header section ends (after the last header's
// line end, at the empty line) and where the body starts; end is -1 when
// there is no empty line. A text edited after parsing ($msgbuf) may have
// lost its CRLFs, so bare LFs count too.
func headEnd(buf string) (end, body int) {
	crlf := strings.Index(buf, "\r\n\r\n")
	lf := strings.Index(buf, "\n\n")
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return crlf + 2, crlf + 4
	case lf >= 0:
		return lf + 1, lf + 2
	}
	return -1, -1
}
