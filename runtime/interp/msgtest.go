package interp

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

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
// for !=). The tests of addresses, ports, transport, family and length
// follow (numTest, addrTest).

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

// numTests are the numeric tests of the message: the source and
// destination port, the address family of the source (2 or 10, which
// the words inet and inet6 stand for), the length of the message and its
// transport (1 udp, 2 tcp, 3 tls, 4 sctp, 5 ws, 6 wss).
var numTests = map[string]func(m *sipmsg.Msg) int64{
	"src_port": func(m *sipmsg.Msg) int64 { return int64(m.Src.Port) },
	"dst_port": func(m *sipmsg.Msg) int64 { return int64(dstAddr(m).Port) },
	"af": func(m *sipmsg.Msg) int64 {
		if strings.Contains(m.Src.IP, ":") {
			return afInet6
		}
		return afInet
	},
	"msg:len": func(m *sipmsg.Msg) int64 { return int64(len(m.Buf)) },
	"proto": func(m *sipmsg.Msg) int64 {
		if m.Rcv != nil {
			return int64(m.Rcv.Proto)
		}
		return int64(sipmsg.ProtoNumber(m.Proto))
	},
}

// The address families, as Kamailio's words inet (ipv4) and inet6 (ipv6)
// give them anywhere in a config.
const afInet, afInet6 = 2, 10

// familyWords are those words, in the spellings Kamailio reads.
var familyWords = map[string]int64{
	"inet": afInet, "INET": afInet, "ipv4": afInet, "IPv4": afInet, "IPV4": afInet,
	"inet6": afInet6, "INET6": afInet6, "ipv6": afInet6, "IPv6": afInet6, "IPV6": afInet6,
}

// dstAddr is the local address and port the message arrived on.
func dstAddr(m *sipmsg.Msg) sipmsg.Addr {
	if m.Rcv != nil {
		return sipmsg.Addr{IP: m.Rcv.IP, Port: m.Rcv.Port}
	}
	return m.Dst
}

// numTest compiles a numeric test: `proto` only with == and != (against
// udp, tcp, tls, sctp, ws, wss or a number), the others with any
// comparison against a number.
func (cp *compiler) numTest(n *ast.Binary) (e *cexpr, ok bool) {
	id, isIdent := n.X.(*ast.Ident)
	if !isIdent {
		return nil, false
	}
	read, known := numTests[id.Name]
	cmp, isCmp := portOps[n.Op]
	if !known || !isCmp || (id.Name == "proto" && n.Op != "==" && n.Op != "!=") {
		return nil, false
	}
	var right *cexpr
	if y, word := n.Y.(*ast.Ident); word && id.Name == "proto" && sipmsg.ProtoNumber(y.Name) != sipmsg.ProtoNone {
		right = cp.constExpr(value.MakeInt(int64(sipmsg.ProtoNumber(y.Name))), n.Y)
	} else {
		right = cp.expr(n.Y)
	}
	op := n.Op
	return intExpr(func(c *event.Context) (int64, bool) {
		r, ok := right.i(c)
		if !ok {
			return b2i(op == "!="), true
		}
		return b2i(cmp(read(sipmsg.FromContext(c)), r)), true
	}, n), true
}

// addrTest compiles `src_ip` and `dst_ip` compared with `==` or `!=` to an
// address or a network (10.0.0.0/8), to `myself`, or to an expression
// holding either (a name is resolved, as Kamailio resolves it), and with
// `=~` to a regular expression over the address text.
func (cp *compiler) addrTest(n *ast.Binary) (e *cexpr, ok bool) {
	id, isIdent := n.X.(*ast.Ident)
	if !isIdent || (id.Name != "src_ip" && id.Name != "dst_ip") {
		return nil, false
	}
	op := n.Op
	src := id.Name == "src_ip"
	addr := func(c *event.Context) sipmsg.Addr {
		m := sipmsg.FromContext(c)
		if src {
			return m.Src
		}
		return dstAddr(m)
	}
	if op != "==" && op != "!=" && op != "=~" {
		return nil, false
	}
	want := op != "!="
	if y, self := n.Y.(*ast.Ident); self && y.Name == "myself" && op != "=~" {
		return intExpr(func(c *event.Context) (int64, bool) {
			t := sip.From(c)
			me := t != nil && t.Myself(addr(c).IP, 0, sipmsg.ProtoNone)
			return b2i(me == want), true
		}, n), true
	}
	if lit, isAddr := n.Y.(*ast.AddrLit); isAddr && op != "=~" {
		match, err := netMatcher(lit.Text)
		if err != nil {
			cp.notImplemented(lit.Rng, "the address %s: %v", lit.Text, err)
			return cp.constExpr(value.MakeInt(0), n), true
		}
		return intExpr(func(c *event.Context) (int64, bool) {
			return b2i(match(addr(c).IP) == want), true
		}, n), true
	}
	if lit, isStr := n.Y.(*ast.StrLit); isStr && op == "=~" {
		// A string literal after =~ is a regular expression and nothing
		// else: no network, no name.
		re, err := ere.Compile(lit.Value, true)
		if err != nil {
			cp.notImplemented(lit.Rng, "the regular expression %q: %v", lit.Value, err)
			return cp.constExpr(value.MakeInt(0), n), true
		}
		return intExpr(func(c *event.Context) (int64, bool) {
			return b2i(re.MatchString(addr(c).IP)), true
		}, n), true
	}
	right := cp.expr(n.Y)
	return intExpr(func(c *event.Context) (int64, bool) {
		r, ok := right.val(c)
		if !ok || r.K != value.Str {
			return b2i(op == "!="), true
		}
		ip := addr(c).IP
		// A value is tried as an address or network, then (=~ only) as a
		// regular expression over the address text, then as a name.
		if match, err := netMatcher(r.S); err == nil {
			return b2i(match(ip) == want), true
		}
		if op == "=~" {
			if re, err := ere.Compile(r.S, true); err == nil && re.MatchString(ip) {
				return 1, true
			}
		}
		return b2i(resolvesTo(r.S, ip) == want), true
	}, n), true
}

// portOps are the comparisons of the port tests.
var portOps = map[string]func(a, b int64) bool{
	"==": func(a, b int64) bool { return a == b }, "!=": func(a, b int64) bool { return a != b },
	"<": func(a, b int64) bool { return a < b }, "<=": func(a, b int64) bool { return a <= b },
	">": func(a, b int64) bool { return a > b }, ">=": func(a, b int64) bool { return a >= b },
}

// netMatcher reads an address or a network ("10.0.0.0/8"; an address
// alone is a /32 or /128).
func netMatcher(text string) (func(ip string) bool, error) {
	text = strings.Trim(strings.TrimSpace(text), "[]")
	if p, err := netip.ParsePrefix(text); err == nil {
		p = p.Masked()
		return func(ip string) bool {
			a, err := netip.ParseAddr(ip)
			return err == nil && p.Contains(a.Unmap())
		}, nil
	}
	a, err := netip.ParseAddr(text)
	if err != nil {
		return nil, err
	}
	a = a.Unmap()
	return func(ip string) bool {
		b, err := netip.ParseAddr(ip)
		return err == nil && b.Unmap() == a
	}, nil
}

// resolveTimeout bounds the name lookup of an address test.
const resolveTimeout = 2 * time.Second

// resolvesTo reports whether the name host resolves to ip, as Kamailio's
// comp_ip resolves a name it is compared with.
func resolvesTo(host, ip string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return false
	}
	want, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if a.Unmap() == want.Unmap() {
			return true
		}
	}
	return false
}
