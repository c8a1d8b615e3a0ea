package interp

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The core's tests of the message, as Kamailio's eval_elem runs them:
// `method`, `uri` (also written `status`: the same word, which reads a
// reply's status code), `from_uri` and `to_uri` compared with `==` or `!=`
// (without case), `=~` (a POSIX extended regular expression, without
// case), or with `myself` (the host and port are one of this server's
// sockets or aliases; a URI without a port stands for 5060, 5061 over
// TLS). A test that fails to read its part of the message is false (true
// for !=). The other words (src_ip, dst_ip, proto ...) are not run yet.

// msgTestWords are the words msgTest compiles.
var msgTestWords = map[string]bool{"method": true, "uri": true, "status": true, "from_uri": true, "to_uri": true}

// msgTest compiles n when it is such a test; ok is false when it is not.
func (cp *compiler) msgTest(n *ast.Binary) (e *cexpr, ok bool) {
	id, isIdent := n.X.(*ast.Ident)
	if !isIdent || !msgTestWords[id.Name] || (n.Op != "==" && n.Op != "!=" && n.Op != "=~") {
		return nil, false
	}
	word, op := id.Name, n.Op
	read := msgPart(word)
	if y, self := n.Y.(*ast.Ident); self && y.Name == "myself" {
		if word == "method" {
			return nil, false
		}
		return intExpr(func(c *event.Context) (int64, bool) {
			me := selfTest(c, word)
			if op == "!=" {
				me = !me
			}
			return b2i(me), true
		}, n), true
	}
	right := cp.expr(n.Y)
	var fixed func(string) bool
	if op == "=~" && right.konst && right.kv.K == value.Str {
		re, err := ere.Compile(right.kv.S, true)
		if err != nil {
			cp.notImplemented(n.Y.Span(), "regular expression %q: %v", right.kv.S, err)
			return cp.constExpr(value.MakeInt(0), n), true
		}
		fixed = re.MatchString
	}
	return intExpr(func(c *event.Context) (int64, bool) {
		left, ok := read(sipmsg.FromContext(c))
		if !ok {
			return b2i(op == "!="), true
		}
		r, ok := right.val(c)
		if !ok {
			return b2i(op == "!="), true
		}
		switch {
		case r.K == value.Int && op != "=~":
			// A number on the right compares numbers (comp_num).
			l, err := strconv.ParseInt(strings.TrimSpace(left), 10, 64)
			if err != nil {
				return b2i(op == "!="), true
			}
			return b2i((l == r.I) == (op == "==")), true
		case op == "=~":
			match := fixed
			if match == nil {
				re, err := ere.Compile(value.ToStr(r), true)
				if err != nil {
					coreLog(c, klog.Err, "comp_str(): bad regular expression %q", value.ToStr(r))
					return 0, true
				}
				match = re.MatchString
			}
			return b2i(match(left)), true
		}
		return b2i(strings.EqualFold(left, value.ToStr(r)) == (op == "==")), true
	}, n), true
}

// msgPart reads the part of the message a word names.
func msgPart(word string) func(m *sipmsg.Msg) (string, bool) {
	switch word {
	case "method":
		return func(m *sipmsg.Msg) (string, bool) {
			if m.IsRequest() {
				return m.Method, true
			}
			_, method, ok := m.CSeq()
			return method, ok
		}
	case "uri", "status":
		return func(m *sipmsg.Msg) (string, bool) {
			if m.IsRequest() {
				return m.RequestURI(), true
			}
			return strconv.Itoa(m.Status), true
		}
	}
	header := "from"
	if word == "to_uri" {
		header = "to"
	}
	return func(m *sipmsg.Msg) (string, bool) {
		v, ok := m.Header(header)
		if !ok {
			return "", false
		}
		na, err := sipmsg.ParseNameAddr(v)
		if err != nil {
			return "", false
		}
		return na.URI, true
	}
}

// selfTest is `word == myself`: the host and port of the URI the word
// reads are this server's.
func selfTest(c *event.Context, word string) bool {
	uri, ok := msgPart(word)(sipmsg.FromContext(c))
	if !ok || !sipmsg.FromContext(c).IsRequest() && (word == "uri" || word == "status") {
		return false
	}
	u, err := sipmsg.ParseURI(uri)
	if err != nil || u.IsTel() || u.Host == "" {
		return false
	}
	port := 5060
	if u.Port != "" {
		port = u.PortNumber()
	} else if u.Proto() == sipmsg.ProtoTLS || strings.EqualFold(u.Scheme, "sips") {
		port = 5061
	}
	t := sip.From(c)
	return t != nil && t.Myself(u.Host, port, sipmsg.ProtoNone)
}
