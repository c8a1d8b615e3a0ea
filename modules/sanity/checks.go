package sanity

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// checker runs the checks on one message.
type checker struct {
	m   *Module
	c   *event.Context
	msg *sipmsg.Msg
	st  *state
}

// fail answers the request with code and reason, as Kamailio's
// sanity_reply helper: never a reply or an ACK, nothing once the message
// is marked as not to be answered; with noreply the reply is kept for
// sanity_reply instead.
func (k *checker) fail(code int, reason string) int {
	if !k.msg.IsRequest() || isACK(k.msg) {
		return failed
	}
	if k.m.noreply != 0 {
		k.st.code, k.st.reason = code, reason
		return failed
	}
	if !k.st.noReply && k.m.reply(k.c, code, reason) < 0 {
		k.warn("failed to send %d via sl reply", code)
	}
	return failed
}

// silent fails without a reply, marking the message as not to be
// answered.
func (k *checker) silent() int {
	k.st.noReply = true
	return failed
}

func (k *checker) warn(format string, args ...any) {
	logf(k.c, klog.Warn, format, args...)
}

// firstLine returns the request line's method, URI and version. For a
// reply they are what Kamailio's first-line union holds there: the
// version, the status code and the reason phrase.
func (k *checker) firstLine() (method, uri, version string) {
	if k.msg.IsRequest() {
		return k.msg.Method, k.msg.RequestURI(), k.msg.Version
	}
	return k.msg.Version, strconv.Itoa(k.msg.Status), k.msg.Reason
}

func (k *checker) ruriVersion() int {
	_, _, version := k.firstLine()
	if version == "" {
		return passed
	}
	_, v, ok := strings.Cut(version, "/")
	if !ok {
		k.warn("check_ruri_sip_version(): failed to find / in ruri version")
		return failed
	}
	if v != "2.0" {
		return k.fail(505, "Version Not Supported (R-URI)")
	}
	return passed
}

func (k *checker) ruriScheme() int {
	_, uri, _ := k.firstLine()
	if _, err := sipmsg.ParseURI(uri); err != nil {
		k.warn("check_ruri_scheme(): failed to parse request uri [%s]", uri)
		return k.fail(400, "Bad Request URI")
	}
	return passed
}

// requiredHeaders: From, To, Call-ID and CSeq are there, once each. A
// message without them cannot be answered.
func (k *checker) requiredHeaders() int {
	seen := map[string]int{}
	for _, h := range k.msg.Headers {
		switch n := sipmsg.CanonName(h.Name); n {
		case "from", "to", "call-id", "cseq":
			seen[n]++
		}
	}
	for _, n := range []string{"from", "to", "call-id", "cseq"} {
		switch seen[n] {
		case 0:
			return k.silent()
		case 1:
		default:
			return failed
		}
	}
	return passed
}

func (k *checker) via1() int {
	v, _, ok := k.msg.TopVia()
	if !ok || v.Host == "" {
		k.warn("check_via1_header(): failed to parse the Via1 header")
		return k.silent()
	}
	return passed
}

func (k *checker) cseqMethod() int {
	_, cmethod, ok := k.msg.CSeq()
	if !ok {
		k.warn("check_cseq_method(): missing CSeq header")
		return failed
	}
	if cmethod == "" {
		return k.fail(400, "Missing method in CSeq header")
	}
	if method, _, _ := k.firstLine(); cmethod != method {
		return k.fail(400, "CSeq method does not match request method")
	}
	return passed
}

func (k *checker) cseqValue() int {
	num, _, ok := k.msg.CSeq()
	if !ok {
		k.warn("check_cseq_value(): missing CSeq header")
		return k.silent()
	}
	if num == "" {
		return k.fail(400, "Missing number in CSeq header")
	}
	if !validUint(num) {
		return k.fail(400, "CSeq number is illegal")
	}
	return passed
}

// validUint is Kamailio's str2valid_uint: digits only, at most ten, and
// not above 4294967296 (one more than fits, which it lets through).
func validUint(s string) bool {
	if len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) < 10 || s <= "4294967296"
}

func (k *checker) contentLength() int {
	v, ok := writtenValue(k.msg, "content-length")
	if !ok {
		k.warn("check_cl(): content length header missing in request")
		return passed
	}
	cl, err := strconv.Atoi(v)
	if err != nil {
		return k.fail(400, "Content-Length Failure")
	}
	body, ok := bodyStart(k.msg.Buf)
	if !ok {
		return k.fail(400, "Content-Length Body Failure")
	}
	if len(k.msg.Buf)-body != cl {
		return k.fail(400, "Content-Length mis-match")
	}
	return passed
}

// writtenValue is the value of the first header named name as the
// message text has it, trimmed. sipmsg's Content-Length value is the
// length of the body the parser found, not the number written, which is
// what this check compares.
func writtenValue(msg *sipmsg.Msg, name string) (string, bool) {
	for _, h := range msg.Headers {
		if h.Is(name) {
			_, v, _ := strings.Cut(msg.Buf[h.Start:h.End], ":")
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// bodyStart is where the body starts in buf: after the empty line that
// ends the headers.
func bodyStart(buf string) (int, bool) {
	for i := 0; i < len(buf); i++ {
		if buf[i] != '\n' {
			continue
		}
		switch {
		case strings.HasPrefix(buf[i+1:], "\r\n"):
			return i + 3, true
		case strings.HasPrefix(buf[i+1:], "\n"):
			return i + 2, true
		}
	}
	return 0, false
}

func (k *checker) expires() int {
	v, ok := k.msg.Header("expires")
	if !ok {
		return passed
	}
	text := strings.TrimSpace(v)
	if text == "" || strings.ContainsAny(text, " \t\r\n") {
		if k.c.Log != nil {
			k.c.Log.Log(klog.Err, "core", "expires_parser(): Empty body")
			k.c.Log.Log(klog.Err, "core", "parse_expires(): Error while parsing")
		}
		k.warn("check_expires_value(): parse_expires failed")
		return k.fail(400, "Bad Expires Header")
	}
	if !validUint(text) {
		return k.fail(400, "Expires value is illegal")
	}
	return passed
}

// proxyRequire: every option of the first Proxy-Require header is in
// proxy_require (compared with case); the reply to one that is not names
// it in an Unsupported header.
func (k *checker) proxyRequire() int {
	v, ok := k.msg.Header("proxy-require")
	if !ok {
		return passed
	}
	opts := splitList(v)
	if opts == nil {
		logf(k.c, klog.Err, "parse_proxyrequire(): Error while parsing")
		k.warn("check_proxy_require(): parse proxy require failed")
		return k.fail(400, "Bad Proxy Require Header")
	}
	for _, o := range opts {
		if !contains(k.m.supported, o) {
			if k.msg.IsRequest() {
				k.msg.ReplyHeaders += "Unsupported: " + o + "\r\n"
			}
			return k.fail(420, "Bad Proxy Require Extension")
		}
	}
	return passed
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (k *checker) parseURIs(uris int) int {
	if uris&URIRequest != 0 {
		_, uri, _ := k.firstLine()
		if _, err := sipmsg.ParseURI(uri); err != nil {
			k.warn("check_parse_uris(): failed to parse request uri")
			return k.fail(400, "Bad Request URI")
		}
	}
	for _, h := range []struct {
		bit          int
		name, reason string
	}{
		{URIFrom, "From", "Invalid From Header"},
		{URITo, "To", "Ivalid To Header"}, // sic: Kamailio's reason phrase
	} {
		if uris&h.bit == 0 {
			continue
		}
		v, ok := k.msg.Header(h.name)
		if !ok || v == "" {
			k.warn("check_parse_uris(): invalid %s header or uri", h.name)
			return k.silent()
		}
		if na, err := sipmsg.ParseNameAddr(v); err != nil || parseURI(na.URI) != nil {
			if k.c.Log != nil {
				k.c.Log.Logf(klog.Err, "core", "parse_%s_uri(): failed to parse %s uri", strings.ToLower(h.name), h.name)
			}
			k.warn("check_parse_uris(): invalid %s header or uri", h.name)
			return k.fail(400, h.reason)
		}
	}
	if uris&URIContact != 0 {
		v, ok := k.msg.Header("contact")
		if !ok || strings.TrimSpace(v) == "*" {
			return passed
		}
		list := sipmsg.SplitList(v)
		if len(list) == 0 {
			k.warn("check_parse_uris(): failed to parse Contact header")
			return k.fail(400, "Bad Contact Header")
		}
		// Kamailio's contact parser lists a header's contacts last first,
		// and only the head of that list is parsed.
		na, err := sipmsg.ParseNameAddr(list[len(list)-1])
		if err != nil {
			k.warn("check_parse_uris(): failed to parse Contact header")
			return k.fail(400, "Bad Contact Header")
		}
		if parseURI(na.URI) != nil {
			k.warn("check_parse_uris(): failed to parse Contact uri")
			return k.fail(400, "Bad Contact URI")
		}
	}
	return passed
}

func parseURI(s string) error {
	_, err := sipmsg.ParseURI(strings.TrimSpace(s))
	return err
}

// digest: the digest credentials of every Authorization header, then of
// every Proxy-Authorization header, are complete. Credentials of another
// scheme make it fail without a reply.
func (k *checker) digest() int {
	if rc := k.credentials(); rc != passed {
		return failed
	}
	return passed
}

// authorization is digest, except that credentials of another scheme
// pass.
func (k *checker) authorization() int {
	if rc := k.credentials(); rc != passed && rc != notApplicable {
		return failed
	}
	return passed
}

func (k *checker) credentials() int {
	hdrs := k.msg.HeaderValues("authorization")
	hdrs = append(hdrs, k.msg.HeaderValues("proxy-authorization")...)
	for _, h := range hdrs {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "digest") {
			return notApplicable
		}
		p, ok := digestParams(rest)
		if !ok {
			return k.fail(400, "Bad Auth Header")
		}
		complete := true
		for _, n := range []string{"username", "realm", "nonce", "uri", "response"} {
			if _, ok := p[n]; !ok {
				complete = false
			}
		}
		if q := strings.ToLower(p["qop"]); q == "auth" || q == "auth-int" {
			_, cn := p["cnonce"]
			_, nc := p["nc"]
			complete = complete && cn && nc
		}
		switch {
		case !complete:
			return k.fail(400, "Bad Auth Credentials")
		case p["username"] == "":
			return k.fail(400, "Auth Empty User")
		case p["nonce"] == "":
			return k.fail(400, "Auth Empty Nonce")
		case p["response"] == "":
			return k.fail(400, "Auth Empty Response")
		}
	}
	return passed
}

// digestParams reads the name=value parameters of digest credentials,
// with the quotes taken off the values. sipmsg.ParseCredentials does not
// say which parameters are present, which these checks need.
func digestParams(s string) (map[string]string, bool) {
	p := map[string]string{}
	for _, e := range sipmsg.SplitList(s) {
		n, v, ok := strings.Cut(e, "=")
		if !ok {
			return nil, false
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		p[strings.ToLower(strings.TrimSpace(n))] = v
	}
	return p, true
}

func (k *checker) dupTags() int {
	for _, h := range []struct{ name, reason string }{
		{"from", "Many From Tag Params"},
		{"to", "Many To Tag Params"},
	} {
		v, ok := k.msg.Header(h.name)
		if !ok {
			return k.silent()
		}
		na, err := sipmsg.ParseNameAddr(v)
		if err != nil {
			return k.silent()
		}
		n := 0
		for _, p := range strings.Split(na.Params, ";") {
			name, _, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(name), "tag") {
				n++
			}
		}
		if n > 1 {
			return k.fail(400, h.reason)
		}
	}
	return passed
}
