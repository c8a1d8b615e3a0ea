package pv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Header pseudo-variables: $hdr, $hdrc, $hfl and $hflc, and the classes
// for one header each ($ci, $ct, $cs ...). Header names match in any case
// and in compact form ($hdr(v) is $hdr(Via)); $hdr(*) matches every
// header.

// headerValues returns the values of the headers named name; "*" names
// every header.
func headerValues(m *sipmsg.Msg, name string) []string {
	if name != "*" {
		return m.HeaderValues(name)
	}
	out := make([]string, len(m.Headers))
	for i, h := range m.Headers {
		out[i] = h.Value
	}
	return out
}

// pick returns element idx of vals; a negative idx counts from the end.
func pick(vals []string, idx int) value.Value {
	if idx < 0 {
		idx += len(vals)
	}
	if idx < 0 || idx >= len(vals) {
		return value.NullValue
	}
	return value.MakeStr(vals[idx])
}

// compileHeaderClass compiles $hdr and $hfl (lists true: Via, Route,
// Record-Route and Contact values are split into their elements).
func compileHeaderClass(lists bool) func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	return func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		name, err := nameOf(t, p)
		if err != nil {
			return nil, err
		}
		idx, err := compileIndex(t, p.Index)
		if err != nil {
			return nil, err
		}
		return msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			n := name(c)
			if idx.all {
				vals := headerValues(m, n)
				if len(vals) == 0 {
					return value.NullValue
				}
				return value.MakeStr(strings.Join(vals, ","))
			}
			i, ok := idx.eval(c)
			if !ok {
				return value.NullValue
			}
			if lists && isListHeader(n) {
				return listElement(m, sipmsg.CanonName(n), i)
			}
			return pick(headerValues(m, n), i)
		}), nil
	}
}

func isListHeader(name string) bool {
	switch sipmsg.CanonName(name) {
	case "via", "route", "record-route", "contact":
		return true
	}
	return false
}

// listElements returns the elements of the list headers named name as
// Kamailio's parsers keep them: the contacts of one Contact header in
// reverse order, and a Via element followed by another in the same header
// with its separating comma.
func listElements(m *sipmsg.Msg, name string) []string {
	var out []string
	for _, v := range m.HeaderValues(name) {
		elems := sipmsg.SplitList(v)
		switch name {
		case "contact":
			// "*" (remove all bindings) has no contacts.
			for i := len(elems) - 1; i >= 0; i-- {
				if elems[i] != "*" {
					out = append(out, elems[i])
				}
			}
		case "via":
			for i, e := range elems {
				if i < len(elems)-1 {
					e += ","
				}
				out = append(out, e)
			}
		default:
			out = append(out, elems...)
		}
	}
	return out
}

// listElement is $hfl for a list header. Kamailio 5.6.3 counts one
// element too many for a negative index, so [-1] is past the end and
// reads null; kamgo does the same.
func listElement(m *sipmsg.Msg, name string, idx int) value.Value {
	elems := listElements(m, name)
	if len(elems) == 0 {
		return value.NullValue
	}
	if idx < 0 {
		n := len(elems) + 1
		if -idx > n {
			return value.NullValue
		}
		idx = n + idx
	}
	if idx >= len(elems) {
		return value.NullValue
	}
	return value.MakeStr(elems[idx])
}

// compileHeaderCount compiles $hdrc and $hflc (lists true).
func compileHeaderCount(lists bool) func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	return func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		name, err := nameOf(t, p)
		if err != nil {
			return nil, err
		}
		return msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			n := name(c)
			if lists && isListHeader(n) {
				return intValue(len(listElements(m, sipmsg.CanonName(n))))
			}
			if n == "*" {
				return intValue(0)
			}
			return intValue(len(m.HeaderValues(n)))
		}), nil
	}
}

// hdrValue reads the first header named name; null when there is none or
// it is empty.
func hdrValue(name string) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		v, ok := m.Header(name)
		return strOrNull(v, ok && v != "")
	})
}

// nameAddrURI reads the URI of the first name-addr header named name.
func nameAddrURI(name string) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		na := firstNameAddr(m, name)
		if na == nil {
			return value.NullValue
		}
		return value.MakeStr(na.URI)
	})
}

func firstNameAddr(m *sipmsg.Msg, name string) *sipmsg.NameAddr {
	v, ok := m.Header(name)
	if !ok {
		return nil
	}
	bodies := sipmsg.SplitList(v)
	if len(bodies) == 0 {
		return nil
	}
	na, err := sipmsg.ParseNameAddr(bodies[0])
	if err != nil {
		return nil
	}
	return na
}

// cseq reads the CSeq header: number, method or the whole value.
func cseq(part string) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		v, ok := m.Header("cseq")
		if !ok {
			logf(c, klog.Err, "cannot parse CSEQ header")
			return value.NullValue
		}
		if part == "body" {
			return value.MakeStr(v)
		}
		n, _, _ := m.CSeq()
		return value.MakeStr(n)
	}
}

// diversion is $di (the URI) and $dir, $dip, $dic (the reason, privacy
// and counter parameters) of the first Diversion header.
func diversion(param string) msgGetter {
	return msg(func(m *sipmsg.Msg) value.Value {
		na := firstNameAddr(m, "diversion")
		if na == nil {
			return value.NullValue
		}
		if param == "" {
			return value.MakeStr(na.URI)
		}
		return strOrNull(na.Param(param))
	})
}

// identities returns the name-addrs of every header named name, in order
// (P-Asserted-Identity, P-Preferred-Identity).
func identities(m *sipmsg.Msg, name string) []*sipmsg.NameAddr {
	var out []*sipmsg.NameAddr
	for _, b := range m.Bodies(name) {
		if na, err := sipmsg.ParseNameAddr(b); err == nil {
			out = append(out, na)
		}
	}
	return out
}

// compileIdentity compiles $ai (attr "uri" of P-Asserted-Identity) and
// $pu, $pU, $pd, $pn (P-Preferred-Identity).
func compileIdentity(header, attr string) func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	return func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name != nil {
			return nil, fmt.Errorf("takes no name")
		}
		idx, err := compileIndex(t, p.Index)
		if err != nil {
			return nil, err
		}
		return msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			if idx.all {
				logf(c, klog.Err, "unable to return 'all' %s values", header)
				return value.NullValue
			}
			i, ok := idx.eval(c)
			if !ok {
				return value.NullValue
			}
			ids := identities(m, header)
			if i < 0 {
				// Kamailio walks forward idx times: a negative index
				// reads the first identity.
				i = 0
			}
			if i >= len(ids) {
				return value.NullValue
			}
			na := ids[i]
			switch attr {
			case "uri":
				return value.MakeStr(na.URI)
			case "display":
				return nonEmpty(na.Display)
			}
			u, err := sipmsg.ParseURI(na.URI)
			if err != nil {
				logf(c, klog.Err, "cannot parse %s URI", header)
				return value.NullValue
			}
			if attr == "user" {
				return nonEmpty(u.User)
			}
			return attrHost(u)
		}), nil
	}
}

// expires is $expires(min|max): the smallest and largest expiry of the
// Contact expires parameters and the Expires header (which stands for
// contacts without one); null when there is none.
func expires(max bool) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		var vals []uint64
		hdr, hasHdr := m.Header("expires")
		var hv uint64
		if hasHdr {
			n, err := strconv.ParseUint(strings.TrimSpace(hdr), 10, 32)
			if err != nil {
				logf(c, klog.Err, "failed to parse hdr expires body")
				return value.NullValue
			}
			hv = n
		}
		for _, b := range m.Bodies("contact") {
			na, err := sipmsg.ParseNameAddr(b)
			if err != nil {
				logf(c, klog.Err, "failed to parse Contact body")
				return value.NullValue
			}
			if e, ok := na.Param("expires"); ok && e != "" {
				n, err := strconv.ParseUint(e, 10, 32)
				if err != nil {
					logf(c, klog.Err, "failed to parse expires")
					return value.NullValue
				}
				vals = append(vals, n)
			} else if hasHdr {
				vals = append(vals, hv)
			}
		}
		if len(vals) == 0 && hasHdr {
			vals = append(vals, hv)
		}
		if len(vals) == 0 {
			return value.NullValue
		}
		r := vals[0]
		for _, v := range vals[1:] {
			if max && v > r || !max && v < r {
				r = v
			}
		}
		return uintValue(int64(r))
	}
}

func headerClasses() []*pv.Class {
	ident := func(class, header, attr string) *pv.Class {
		return &pv.Class{Name: class, Module: "pv", Compile: compileIdentity(header, attr)}
	}
	return []*pv.Class{
		{Name: "hdr", Module: "pv", Compile: compileHeaderClass(false)},
		{Name: "hfl", Module: "pv", Compile: compileHeaderClass(true)},
		{Name: "hdrc", Module: "pv", Compile: compileHeaderCount(false)},
		{Name: "hflc", Module: "pv", Compile: compileHeaderCount(true)},
		specClass("ci", msgGetter(func(c *event.Context, m *sipmsg.Msg) value.Value {
			v, ok := m.Header("call-id")
			if !ok {
				logf(c, klog.Err, "cannot parse Call-Id header")
			}
			return strOrNull(v, ok)
		})),
		specClass("ct", hdrValue("contact")),
		specClass("cT", hdrValue("content-type")),
		specClass("ua", hdrValue("user-agent")),
		specClass("cs", cseq("number")),
		specClass("csb", cseq("body")),
		specClass("cl", msg(func(m *sipmsg.Msg) value.Value {
			h, ok := m.Header("content-length")
			if !ok {
				return value.NullValue
			}
			n, _ := strconv.Atoi(strings.TrimSpace(h))
			return intValue(n)
		})),
		specClass("rt", nameAddrURI("refer-to")),
		specClass("re", nameAddrURI("remote-party-id")),
		specClass("di", diversion("")),
		specClass("dir", diversion("reason")),
		specClass("dip", diversion("privacy")),
		specClass("dic", diversion("counter")),
		ident("ai", "p-asserted-identity", "uri"),
		ident("pu", "p-preferred-identity", "uri"),
		ident("pU", "p-preferred-identity", "user"),
		ident("pd", "p-preferred-identity", "host"),
		ident("pn", "p-preferred-identity", "display"),
		namedClass("expires", map[string]pv.Spec{"min": expires(false), "max": expires(true)}),
	}
}
