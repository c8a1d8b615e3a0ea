package textops

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// header returns the first header of msg named name (canonical), or nil.
func header(msg *sipmsg.Msg, name string) *sipmsg.Header {
	for i := range msg.Headers {
		if msg.Headers[i].Is(name) {
			return &msg.Headers[i]
		}
	}
	return nil
}

// setBody is set_body(body, content_type): the body is replaced (earlier
// body changes dropped), a Content-Length added when the message has none,
// and the Content-Type replaced when it differs.
func (m *Module) setBody(c *event.Context, s []string) int {
	nb, nc := s[0], s[1]
	if nb == "" {
		m.logf(klog.Err, "ki_set_body(): invalid body parameter")
		return -1
	}
	if nc == "" {
		m.logf(klog.Err, "ki_set_body(): invalid content-type parameter")
		return -1
	}
	return m.replaceBody(sipmsg.FromContext(c), nb, nc, false)
}

// replaceBody is the body replacement of set_body and set_body_hex. The
// old body is what the Content-Length says (Kamailio 5.6), or, with
// toEnd, everything after the headers (Kamailio 6.1's set_body, which
// set_body_hex, new in 6.1, calls).
func (m *Module) replaceBody(msg *sipmsg.Msg, nb, nc string, toEnd bool) int {
	msg.DropBodyEdits()
	start := msg.BodyStart()
	cl := header(msg, "content-length")
	switch {
	case toEnd:
		if start < len(msg.Buf) {
			msg.Remove(start, len(msg.Buf)-start)
		}
	case cl != nil:
		if n, err := strconv.Atoi(strings.TrimSpace(cl.Value)); err == nil && n > 0 {
			if start+n > len(msg.Buf) {
				m.logf(klog.Err, "ki_set_body(): invalid content length: %d", n)
				return -1
			}
			msg.Remove(start, n)
		}
	}
	// Both headers go after one anchor at the end of the headers, each in
	// front of the one added before it.
	var add string
	if cl == nil {
		add = "Content-Length: " + strconv.Itoa(len(nb)) + "\r\n"
	}
	ct := header(msg, "content-type")
	if ct == nil || ct.Value != nc {
		if ct != nil {
			msg.Remove(ct.Start, ct.End-ct.Start)
		}
		add = "Content-Type: " + nc + "\r\n" + add
	}
	if add != "" {
		msg.Insert(msg.HeadersEnd(), add)
	}
	msg.Insert(start, nb)
	return 1
}

// setReplyBody is set_reply_body(body, content_type): the Content-Type
// header for local replies. The reply body itself needs a place in the
// message that sl sends (see the README).
func (m *Module) setReplyBody(c *event.Context, s []string) int {
	if s[0] == "" {
		m.logf(klog.Err, "ki_set_rpl_body(): invalid body parameter")
		return -1
	}
	if s[1] == "" {
		m.logf(klog.Err, "ki_set_rpl_body(): invalid content-type parameter")
		return -1
	}
	msg := sipmsg.FromContext(c)
	msg.ReplyHeaders += "Content-Type: " + s[1] + "\r\n"
	return 1
}

// mimeKey reads a media type as Kamailio's decode_mime_type does: the
// types and subtypes it knows by name, every other one as "unknown", so
// that two unknown types compare equal. ok is false for text that is not
// one media type.
func mimeKey(s string) (key string, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	t, sub, found := strings.Cut(strings.ToLower(s), "/")
	if !found || t == "" || sub == "" || strings.ContainsAny(sub, ", \t") {
		return "", false
	}
	switch t {
	case "text", "message", "application", "multipart", "*":
	default:
		t = "?"
	}
	switch sub {
	case "plain", "cpim", "sdp", "cpl+xml", "pidf+xml", "rlmi+xml", "related", "lpidf+xml",
		"xpidf+xml", "watcherinfo+xml", "external-body", "xml+msrtc.pidf", "cpim-pidf+xml",
		"mixed", "isup", "*":
	default:
		sub = "?"
	}
	return t + "/" + sub, true
}

func (m *Module) compileHasBody(_ module.Host, args []*module.Arg) (module.Call, error) {
	want := ""
	if len(args) == 1 {
		s, _ := literal(args[0])
		if s != "" {
			k, ok := mimeKey(s)
			if !ok {
				return nil, argErr("has_body", "unsupported mime <%s>", s)
			}
			want = k
		}
	}
	return func(c *event.Context) int { return hasBody(sipmsg.FromContext(c), want) }, nil
}

// hasBody: the message has a Content-Length above 0 and, when want is
// set, a Content-Type of that media type (application/sdp when it has
// none).
func hasBody(msg *sipmsg.Msg, want string) int {
	cl := header(msg, "content-length")
	if cl == nil {
		return -1
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(cl.Value)); n <= 0 {
		return -1
	}
	if want == "" {
		return 1
	}
	got := "application/sdp"
	if ct := header(msg, "content-type"); ct != nil {
		k, ok := mimeKey(ct.Value)
		if !ok {
			return -1
		}
		got = k
	}
	return rc(got == want)
}

// boundary returns the boundary parameter of a multipart Content-Type,
// with the leading "--" the body lines carry.
func boundary(msg *sipmsg.Msg) (string, bool) {
	ct := header(msg, "content-type")
	if ct == nil {
		return "", false
	}
	_, params, _ := strings.Cut(ct.Value, ";")
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "boundary") {
			return "--" + strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return "", false
}

func isMultipartMixed(msg *sipmsg.Msg) bool {
	ct := header(msg, "content-type")
	if ct == nil {
		return false
	}
	k, _ := mimeKey(ct.Value)
	return k == "multipart/mixed"
}

// part is one part of a multipart body: start (its first header line)
// and end (the start of the boundary line after it) are offsets in the
// body; hdrEnd is where its Content-Type line ends.
type part struct {
	start, hdrEnd, end int
}

// findPart finds the first part of body whose Content-Type line (as
// "Content-Type: " at a line start) names ctype, and the boundary line
// after it.
func findPart(body, bnd, ctype string) (part, bool) {
	pos := 0
	for pos < len(body) {
		line := body[pos:]
		eol := strings.Index(line, "\r\n")
		if len(line) >= 14 && strings.EqualFold(line[:14], "Content-Type: ") {
			v := line[14:]
			if len(v) > len(ctype)+2 && strings.EqualFold(v[:len(ctype)], ctype) {
				if !strings.HasPrefix(v[len(ctype):], "\r\n") {
					return part{}, false
				}
				p := part{start: pos, hdrEnd: pos + 14 + len(ctype) + 2}
				rest := p.hdrEnd
				for rest < len(body) {
					if strings.HasPrefix(body[rest:], bnd) {
						p.end = rest
						return p, true
					}
					n := strings.Index(body[rest:], "\r\n")
					if n < 0 {
						return part{}, false
					}
					rest += n + 2
				}
				return part{}, false
			}
		}
		if eol < 0 {
			return part{}, false
		}
		pos += eol + 2
	}
	return part{}, false
}

func (m *Module) compileGetBodyPart(content bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		ctype, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		dst, err := args[1].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			out, r := m.bodyPart(sipmsg.FromContext(c), ctype(c), content)
			if r > 0 {
				_ = dst.Set(c, value.MakeStr(out))
			}
			return r
		}, nil
	}
}

// bodyPart is get_body_part (content: the part's content, without its
// headers) and get_body_part_raw (the part with its headers and the
// boundary line after it). A body that is not multipart is returned
// whole.
func (m *Module) bodyPart(msg *sipmsg.Msg, ctype string, content bool) (string, int) {
	body, _, ok := region(msg, areaBody)
	if !ok {
		return "", -1
	}
	bnd, ok := boundary(msg)
	if !ok {
		return body, 1
	}
	p, ok := findPart(body, bnd, ctype)
	if !ok {
		return "", -1
	}
	if content {
		return body[p.hdrEnd:p.end], 1
	}
	end := p.end + len(bnd)
	if n := strings.Index(body[end:], "\r\n"); n >= 0 {
		end += n + 2
	} else {
		end = len(body)
	}
	return body[p.start:end], 1
}

// removeBodyPart is remove_body_part(content_type): the first part of
// that type and the boundary line after it are removed.
func (m *Module) removeBodyPart(c *event.Context, s []string) int {
	msg := sipmsg.FromContext(c)
	body, off, ok := region(msg, areaBody)
	if !ok {
		return -1
	}
	bnd, ok := boundary(msg)
	if !ok {
		m.logf(klog.Err, "ki_remove_multibody(): Cannot get boundary from Content type header. Is body multipart?")
		return -1
	}
	p, ok := findPart(body, bnd, s[0])
	if !ok {
		return -1
	}
	end := p.end + len(bnd)
	if n := strings.Index(body[end:], "\r\n"); n >= 0 {
		end += n + 2
	} else {
		end = len(body)
	}
	msg.Remove(off+p.start, end-p.start)
	return 1
}

func (m *Module) compileFilterBody(_ module.Host, args []*module.Arg) (module.Call, error) {
	ctype := plainArg(args[0])
	return func(c *event.Context) int { return m.filterBody(sipmsg.FromContext(c), ctype(c)) }, nil
}

// filterBody is filter_body(content_type): of a multipart/mixed body only
// the content of the first part of that type stays.
func (m *Module) filterBody(msg *sipmsg.Msg, ctype string) int {
	body, off, ok := region(msg, areaBody)
	if !ok {
		return -1
	}
	if !isMultipartMixed(msg) {
		m.logf(klog.Warn, "ki_filter_body(): body not multipart")
		return -1
	}
	bnd, ok := boundary(msg)
	if !ok {
		return -1
	}
	p, ok := findPart(body, bnd, ctype)
	if !ok {
		return -1
	}
	start := p.hdrEnd
	for start < len(body) && (body[start] == '\r' || body[start] == '\n') {
		start++
	}
	msg.Remove(off, start)
	// The line end before the boundary goes too.
	msg.Remove(off+p.end-2, len(body)-p.end+2)
	return 1
}

// partText is one body part as Kamailio's generate_boundary writes it:
// an opening boundary line when first, the Content-Type and
// Content-Disposition lines, the text (followed by CRLF when it does not
// end in an empty line) and the closing delimiter line.
func partText(text, ctype, cd, delim string, first bool) string {
	var b strings.Builder
	if first {
		b.WriteString("--" + delim + "\r\n")
	}
	b.WriteString("Content-Type: " + ctype + "\r\n")
	if cd != "" {
		b.WriteString("Content-Disposition: " + cd + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(text)
	if !strings.HasSuffix(text, "\r\n\r\n") {
		b.WriteString("\r\n")
	}
	b.WriteString("--" + delim + "\r\n")
	return b.String()
}

func (m *Module) compileSetMultipart(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		var nb, nc, bnd string
		switch len(fs) {
		case 1:
			bnd = fs[0](c)
		case 2:
			nb, nc = fs[0](c), fs[1](c)
		case 3:
			nb, nc, bnd = fs[0](c), fs[1](c), fs[2](c)
		}
		return m.setMultipart(sipmsg.FromContext(c), nb, nc, bnd)
	}, nil
}

// setMultipart is set_body_multipart([[body, content_type,] boundary]):
// the body becomes a multipart/mixed one whose first part is the new body
// or the old one.
func (m *Module) setMultipart(msg *sipmsg.Msg, nb, nc, delim string) int {
	convert := !isMultipartMixed(msg)
	if !convert && nb == "" {
		return 1
	}
	if nc == "" {
		nc = "text/plain"
	}
	if delim == "" {
		delim = "unique-boundary-1"
	}
	start := msg.BodyStart()
	body := msg.Buf[start:]
	msg.DropBodyEdits()
	oldBody, oldType := "", ""
	if body != "" {
		if convert && nb == "" {
			oldBody = body
			if ct := header(msg, "content-type"); ct != nil {
				_, oldType = rawBody(msg, ct)
			}
		}
		msg.Remove(start, len(body))
	}
	if nb == "" && oldBody == "" {
		m.logf(klog.Warn, "ki_set_multibody(): no body to be set in the message")
		return -1
	}
	if delim[0] == '-' {
		m.logf(klog.Err, "generate_boundary(): delimiter with initial '-'. Invalid parameter.")
		return -1
	}
	var nbb string
	switch {
	case nb != "":
		nbb = partText(nb, nc, "", delim, true)
	case oldType == "":
		nbb = partText(oldBody, nc, "", delim, true)
	default:
		nbb = partText(oldBody, oldType, "", delim, true)
	}
	var add string
	if header(msg, "content-length") == nil {
		add = "Content-Length: " + strconv.Itoa(len(nbb)) + "\r\n"
	}
	if convert {
		if ct := header(msg, "content-type"); ct != nil {
			msg.Remove(ct.Start, ct.End-ct.Start)
		}
		add = "Content-Type: multipart/mixed;boundary=\"" + delim + "\"\r\n" + add
	}
	eoh := msg.HeadersEnd()
	if add != "" {
		msg.Insert(eoh, add)
	}
	if convert {
		// add_hf_helper's own anchor, after the one above.
		msg.Insert(eoh, "Mime-Version: 1.0\r\n")
	}
	msg.Insert(start, nbb)
	return 1
}

func (m *Module) compileAppendPart(hex bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			cd := ""
			if len(fs) == 3 {
				cd = fs[2](c)
			}
			return m.appendPart(sipmsg.FromContext(c), fs[0](c), fs[1](c), cd, hex)
		}, nil
	}
}

// appendPart is append_body_part(text, content_type[, disposition]) and
// its _hex form (text written in hex digits, blanks ignored): a part
// added at the end of a multipart body.
func (m *Module) appendPart(msg *sipmsg.Msg, text, ctype, cd string, hex bool) int {
	if hex {
		raw, ok := unhex(text)
		if !ok {
			m.logf(klog.Err, "ki_append_multibody_hex_cd(): invalid input hex data [%s]", text)
			return -1
		}
		text = raw
	}
	if text == "" {
		m.logf(klog.Err, "ki_append_multibody_cd(): invalid body parameter")
		return -1
	}
	if ctype == "" {
		m.logf(klog.Err, "ki_append_multibody_cd(): invalid content-type parameter")
		return -1
	}
	body, off, ok := region(msg, areaBody)
	if !ok {
		return -1
	}
	bnd, ok := boundary(msg)
	if !ok {
		m.logf(klog.Err, "ki_append_multibody_cd(): Cannot get boundary. Is body multipart?")
		return -1
	}
	msg.Insert(off+len(body), partText(text, ctype, cd, bnd[2:], false))
	return 1
}

// unhex decodes hex digits, skipping blanks.
func unhex(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return "", false
		}
		b.WriteByte(hi<<4 | lo)
		i++
	}
	return b.String(), b.Len() > 0
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// isAudioOnHold is is_audio_on_hold(): 2 when an audio stream, or the
// session it belongs to, is sendonly or inactive (RFC 3264); 1 when the
// stream's connection address (or else the session's) is 0.0.0.0 (RFC
// 2543); -1 otherwise.
func isAudioOnHold(msg *sipmsg.Msg) int {
	body, _, ok := region(msg, areaBody)
	if !ok {
		return -1
	}
	if ct := header(msg, "content-type"); ct != nil {
		if k, _ := mimeKey(ct.Value); k != "application/sdp" {
			return -1
		}
	}
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	// Kamailio's SDP parser refuses a session without an o= line.
	hasOrigin := false
	for _, l := range lines {
		if strings.HasPrefix(l, "m=") {
			break
		}
		hasOrigin = hasOrigin || strings.HasPrefix(l, "o=")
	}
	if !hasOrigin {
		return -1
	}
	sessHold, sessZero, inMedia := 0, false, false
	type stream struct {
		audio      bool
		hold       int
		zero, hasC bool
	}
	var streams []*stream
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "m="):
			inMedia = true
			streams = append(streams, &stream{audio: strings.HasPrefix(l, "m=audio ")})
		case strings.HasPrefix(l, "a="):
			h := 0
			lv := strings.ToLower(l)
			if strings.HasPrefix(lv, "a=sendonly") || strings.HasPrefix(lv, "a=inactive") {
				h = 2
			}
			if h == 0 {
				continue
			}
			if inMedia {
				streams[len(streams)-1].hold = h
			} else {
				sessHold = h
			}
		case strings.HasPrefix(l, "c="):
			f := strings.Fields(l[2:])
			zero := len(f) == 3 && f[1] == "IP4" && f[2] == "0.0.0.0"
			if inMedia {
				s := streams[len(streams)-1]
				s.hasC, s.zero = true, zero
			} else {
				sessZero = zero
			}
		}
	}
	for _, s := range streams {
		if !s.audio {
			continue
		}
		switch {
		case s.hold != 0:
			return s.hold
		case (s.hasC && s.zero) || (!s.hasC && sessZero):
			return 1
		case sessHold != 0:
			return sessHold
		}
	}
	return -1
}

func (m *Module) compileAudioOnHold(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return isAudioOnHold(sipmsg.FromContext(c)) }, nil
}
