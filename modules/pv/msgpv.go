package pv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The SIP message pseudo-variables read the event's message
// (sipmsg.FromContext): the received SIP message, or Kamailio's faked
// OPTIONS request in events that do not come from SIP. Values as Kamailio
// 5.6.3 gives them: a missing header is null; a Request-URI without a port
// has port 5060 ($rp is then "5060"); $rP without a transport parameter is
// "UDP".

// msgGetter is a read-only message pseudo-variable.
type msgGetter func(m *sipmsg.Msg) value.Value

func (f msgGetter) Get(c *event.Context) value.Value { return f(sipmsg.FromContext(c)) }

// msgVar is a writable message pseudo-variable.
type msgVar struct {
	get msgGetter
	set func(m *sipmsg.Msg, v value.Value) error
}

func (s msgVar) Get(c *event.Context) value.Value { return s.get(sipmsg.FromContext(c)) }

func (s msgVar) Set(c *event.Context, v value.Value) error { return s.set(sipmsg.FromContext(c), v) }

func strOrNull(s string, ok bool) value.Value {
	if !ok {
		return value.NullValue
	}
	return value.MakeStr(s)
}

func hdr(name string) msgGetter {
	return func(m *sipmsg.Msg) value.Value { return strOrNull(m.Header(name)) }
}

// requestURI parses the current Request-URI.
func requestURI(m *sipmsg.Msg, orig bool) *sipmsg.URI {
	s := m.RequestURI()
	if orig {
		s = m.RURI
	}
	if !m.IsRequest() {
		return nil
	}
	u, err := sipmsg.ParseURI(s)
	if err != nil {
		return nil
	}
	return u
}

// uriPart reads a part of the (original) Request-URI.
func uriPart(orig bool, f func(u *sipmsg.URI) value.Value) msgGetter {
	return func(m *sipmsg.Msg) value.Value {
		u := requestURI(m, orig)
		if u == nil {
			return value.NullValue
		}
		return f(u)
	}
}

func uriUser(u *sipmsg.URI) value.Value {
	if u.User == "" {
		return value.NullValue
	}
	return value.MakeStr(u.User)
}

func uriHost(u *sipmsg.URI) value.Value {
	if u.IsTel() {
		return value.NullValue
	}
	return value.MakeStr(u.Host)
}

func uriPort(u *sipmsg.URI) value.Value {
	if u.Port == "" {
		return value.MakeStrInt("5060", 5060)
	}
	n, _ := strconv.Atoi(u.Port)
	return value.MakeStrInt(u.Port, int64(n))
}

func uriScheme(u *sipmsg.URI) value.Value {
	s := strings.ToLower(u.Scheme)
	n := map[string]int64{"sip": 1, "sips": 2, "tel": 3, "tels": 4}[s]
	return value.MakeStrInt(s, n)
}

func uriTransport(u *sipmsg.URI) value.Value {
	if t, ok := u.Param("transport"); ok && t != "" {
		return value.MakeStr(t)
	}
	return value.MakeStrInt("UDP", 1)
}

// rewriteURI changes a part of the current Request-URI.
func rewriteURI(f func(u *sipmsg.URI, s string, null bool) error) func(m *sipmsg.Msg, v value.Value) error {
	return func(m *sipmsg.Msg, v value.Value) error {
		u := requestURI(m, false)
		if u == nil {
			return fmt.Errorf("no Request-URI to rewrite")
		}
		if err := f(u, value.ToStr(v), v.IsNull()); err != nil {
			return err
		}
		return m.SetRequestURI(u.String())
	}
}

// nameAddrPart reads a part of the From or To header.
func nameAddrPart(header string, f func(na *sipmsg.NameAddr, u *sipmsg.URI) value.Value) msgGetter {
	return func(m *sipmsg.Msg) value.Value {
		h, ok := m.Header(header)
		if !ok {
			return value.NullValue
		}
		na, err := sipmsg.ParseNameAddr(h)
		if err != nil {
			return value.NullValue
		}
		u, _ := sipmsg.ParseURI(na.URI)
		return f(na, u)
	}
}

func naURI(na *sipmsg.NameAddr, _ *sipmsg.URI) value.Value { return value.MakeStr(na.URI) }

func naUser(_ *sipmsg.NameAddr, u *sipmsg.URI) value.Value {
	if u == nil {
		return value.NullValue
	}
	return uriUser(u)
}

func naHost(_ *sipmsg.NameAddr, u *sipmsg.URI) value.Value {
	if u == nil {
		return value.NullValue
	}
	return uriHost(u)
}

func naTag(na *sipmsg.NameAddr, _ *sipmsg.URI) value.Value { return strOrNull(na.Param("tag")) }

func naDisplay(na *sipmsg.NameAddr, _ *sipmsg.URI) value.Value {
	return strOrNull(na.Display, na.Display != "")
}

// msgClasses are the SIP message classes registered by the pv module.
func msgClasses() []*pv.Class {
	fixedMsg := func(name string, s pv.Spec) *pv.Class {
		return &pv.Class{Name: name, Module: "pv", Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name != nil {
				return nil, fmt.Errorf("takes no name")
			}
			return s, nil
		}}
	}
	ruriSet := func(f func(u *sipmsg.URI, s string, null bool) error) msgVar {
		return msgVar{set: rewriteURI(f)}
	}
	ru := msgVar{
		get: func(m *sipmsg.Msg) value.Value {
			if !m.IsRequest() {
				return value.NullValue
			}
			return value.MakeStr(m.RequestURI())
		},
		set: func(m *sipmsg.Msg, v value.Value) error {
			if v.IsNull() {
				return fmt.Errorf("$ru cannot be unset")
			}
			return m.SetRequestURI(value.ToStr(v))
		},
	}
	rU := ruriSet(func(u *sipmsg.URI, s string, null bool) error {
		if null {
			s = ""
		}
		u.User, u.Password = s, ""
		return nil
	})
	rU.get = uriPart(false, uriUser)
	rd := ruriSet(func(u *sipmsg.URI, s string, null bool) error {
		if null || s == "" {
			return fmt.Errorf("$rd cannot be empty")
		}
		u.Host = s
		return nil
	})
	rd.get = uriPart(false, uriHost)
	rp := ruriSet(func(u *sipmsg.URI, s string, null bool) error {
		if null || s == "" || s == "0" {
			u.Port = ""
			return nil
		}
		if n, err := strconv.Atoi(s); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("bad port %q", s)
		}
		u.Port = s
		return nil
	})
	rp.get = uriPart(false, uriPort)
	du := msgVar{
		get: func(m *sipmsg.Msg) value.Value { return strOrNull(m.DstURI, m.DstURI != "") },
		set: func(m *sipmsg.Msg, v value.Value) error {
			if v.IsNull() {
				m.DstURI = ""
				return nil
			}
			s := value.ToStr(v)
			if _, err := sipmsg.ParseURI(s); err != nil {
				return err
			}
			m.DstURI = s
			return nil
		},
	}
	return []*pv.Class{
		fixedMsg("ci", hdr("call-id")),
		fixedMsg("rm", msgGetter(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return value.MakeStr(m.Method)
			}
			_, meth, ok := m.CSeq()
			return strOrNull(meth, ok)
		})),
		fixedMsg("ru", ru),
		fixedMsg("rU", rU),
		fixedMsg("rd", rd),
		fixedMsg("rp", rp),
		fixedMsg("rz", uriPart(false, uriScheme)),
		fixedMsg("rP", uriPart(false, uriTransport)),
		fixedMsg("ou", msgGetter(func(m *sipmsg.Msg) value.Value { return strOrNull(m.RURI, m.IsRequest()) })),
		fixedMsg("oU", uriPart(true, uriUser)),
		fixedMsg("od", uriPart(true, uriHost)),
		fixedMsg("op", uriPart(true, uriPort)),
		fixedMsg("rv", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Version) })),
		fixedMsg("du", du),
		fixedMsg("fu", nameAddrPart("from", naURI)),
		fixedMsg("fU", nameAddrPart("from", naUser)),
		fixedMsg("fd", nameAddrPart("from", naHost)),
		fixedMsg("ft", nameAddrPart("from", naTag)),
		fixedMsg("fn", nameAddrPart("from", naDisplay)),
		fixedMsg("tu", nameAddrPart("to", naURI)),
		fixedMsg("tU", nameAddrPart("to", naUser)),
		fixedMsg("td", nameAddrPart("to", naHost)),
		fixedMsg("tt", nameAddrPart("to", naTag)),
		fixedMsg("tn", nameAddrPart("to", naDisplay)),
		fixedMsg("ua", hdr("user-agent")),
		fixedMsg("ct", hdr("contact")),
		fixedMsg("cT", hdr("content-type")),
		fixedMsg("cs", msgGetter(func(m *sipmsg.Msg) value.Value {
			n, _, ok := m.CSeq()
			return strOrNull(n, ok)
		})),
		fixedMsg("cl", msgGetter(func(m *sipmsg.Msg) value.Value {
			h, ok := m.Header("content-length")
			if !ok {
				return value.NullValue
			}
			n, _ := strconv.Atoi(strings.TrimSpace(h))
			return value.MakeInt(int64(n))
		})),
		fixedMsg("si", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Src.IP) })),
		fixedMsg("sp", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeInt(int64(m.Src.Port)) })),
		fixedMsg("pr", msgGetter(protoValue)),
		fixedMsg("proto", msgGetter(protoValue)),
		fixedMsg("ml", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeInt(int64(len(m.Buf))) })),
		fixedMsg("mb", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Buf) })),
		fixedMsg("rb", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeStr(m.Body) })),
		fixedMsg("bs", msgGetter(func(m *sipmsg.Msg) value.Value { return value.MakeInt(int64(len(m.Body))) })),
		fixedMsg("mt", msgGetter(func(m *sipmsg.Msg) value.Value {
			if m.IsRequest() {
				return value.MakeInt(1)
			}
			return value.MakeInt(2)
		})),
		{Name: "hdr", Module: "pv", Compile: compileHdr},
	}
}

var protoIDs = map[string]int64{"udp": 1, "tcp": 2, "tls": 3, "sctp": 4, "ws": 5, "wss": 6}

func protoValue(m *sipmsg.Msg) value.Value {
	return value.MakeStrInt(m.Proto, protoIDs[m.Proto])
}

// compileHdr is $hdr(name) with an optional index: [n] the n-th value
// (negative from the end), [*] all values joined with ",". Header values
// written as comma-separated lists in one line count as one value.
func compileHdr(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	all, idx := false, func(*event.Context) int { return 0 }
	if ix := p.Index; ix != nil {
		switch {
		case ix.All:
			all = true
		case ix.PV != nil:
			r, err := t.Compile(ix.PV)
			if err != nil {
				return nil, err
			}
			idx = func(c *event.Context) int { n, _ := value.ToInt(r.Get(c)); return int(n) }
		default:
			n := ix.N
			idx = func(*event.Context) int { return n }
		}
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		vals := sipmsg.FromContext(c).HeaderValues(name(c))
		if len(vals) == 0 {
			return value.NullValue
		}
		if all {
			return value.MakeStr(strings.Join(vals, ","))
		}
		i := idx(c)
		if i < 0 {
			i += len(vals)
		}
		if i < 0 || i >= len(vals) {
			return value.NullValue
		}
		return value.MakeStr(vals[i])
	}), nil
}
