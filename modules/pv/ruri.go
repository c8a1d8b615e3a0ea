package pv

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The Request-URI ($ru, its parts, the original $ou), the destination URI
// ($du) and the next hop ($nh). A reply has no Request-URI: they read
// null. A Request-URI that does not parse (assigning $ru does not check
// it) reads null with an error, as in Kamailio.

// parsedURI parses a URI the script reads, logging failure, Kamailio's
// line for the pseudo-variable's getter.
func parsedURI(c *event.Context, s, failure string) *sipmsg.URI {
	u, err := sipmsg.ParseURI(s)
	if err != nil {
		logf(c, klog.Err, "%s", failure)
		return nil
	}
	return u
}

// uriOf returns the message's current (or original) Request-URI, parsed;
// attr says whether a part of it is read ($rU ...) or the whole ($ru),
// which Kamailio's failure line names.
func uriOf(c *event.Context, m *sipmsg.Msg, orig, attr bool) (string, *sipmsg.URI) {
	if !m.IsRequest() {
		return "", nil
	}
	s, fn := m.RequestURI(), "pv_get_ruri"
	if orig {
		s, fn = m.RURI, "pv_get_ouri"
	}
	if attr {
		fn += "_attr"
	}
	u, err := sipmsg.ParseURI(s)
	if err != nil {
		if orig && c.Log != nil {
			// The core's parser of the original Request-URI speaks first.
			c.Log.Logf(klog.Err, "core", "_parse_ruri(): bad uri <%s>", s)
			c.Log.Log(klog.Err, "core", "parse_orig_ruri(): parse orig ruri failed")
		}
		logf(c, klog.Err, "%s(): failed to parse the R-URI", fn)
		return s, nil
	}
	return s, u
}

// uriAttr is one part of a parsed URI, as pv_get_xuri_attr reads it.
type uriAttr func(u *sipmsg.URI) value.Value

func attrUser(u *sipmsg.URI) value.Value { return nonEmpty(u.UserName()) }

func attrHost(u *sipmsg.URI) value.Value {
	if u.IsTel() {
		return value.NullValue
	}
	return nonEmpty(u.Host)
}

// attrPort is the port, or 5060 (5061 with transport=tls) when none.
func attrPort(u *sipmsg.URI) value.Value {
	if u.Port == "" {
		if u.Proto() == sipmsg.ProtoTLS {
			return strInt("5061", 5061)
		}
		return strInt("5060", 5060)
	}
	n, _ := strconv.Atoi(u.Port)
	return strInt(u.Port, n)
}

// attrTransport is the transport parameter as written, "UDP" when none.
func attrTransport(u *sipmsg.URI) value.Value {
	if t, ok := u.Param("transport"); ok {
		return strInt(t, u.Proto())
	}
	return strInt("UDP", sipmsg.ProtoUDP)
}

func attrScheme(u *sipmsg.URI) value.Value {
	return strInt(u.SchemeName(), u.SchemeNumber())
}

func attrUserLen(u *sipmsg.URI) value.Value { return intValue(len(u.UserName())) }

// ruriAttr reads a part of the (original) Request-URI.
func ruriAttr(orig bool, f uriAttr) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if _, u := uriOf(c, m, orig, true); u != nil {
			return f(u)
		}
		return value.NullValue
	}
}

func getRuri(orig bool) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if s, u := uriOf(c, m, orig, false); u != nil {
			return value.MakeStr(s)
		}
		return value.NullValue
	}
}

var errStrRequired = errors.New("str value required")

// setRuri is `$ru = v`: any string is stored; $null and integers fail.
func setRuri(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	if v.IsNull() {
		logf(c, klog.Err, "pv_set_ruri(): bad parameters")
		return errors.New("bad parameters")
	}
	if v.K != value.Str {
		logf(c, klog.Err, "pv_set_ruri(): str value required to set R-URI")
		return errStrRequired
	}
	m.SetRequestURI(v.S)
	return nil
}

// rewriteRuri replaces a part of the current Request-URI.
func rewriteRuri(c *event.Context, m *sipmsg.Msg, part sipmsg.URIPart, s string) error {
	u, err := sipmsg.RewriteURI(m.RequestURI(), part, s)
	if err != nil {
		logf(c, klog.Err, "do_action(): %v", err)
		return err
	}
	m.SetRequestURI(u)
	return nil
}

func setRuriUser(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	if v.IsNull() || v.K == value.Str && v.S == "" {
		return rewriteRuri(c, m, sipmsg.PartUser, "")
	}
	if v.K != value.Str {
		logf(c, klog.Err, "pv_set_ruri_user(): str value required to set R-URI user")
		return errStrRequired
	}
	return rewriteRuri(c, m, sipmsg.PartUser, v.S)
}

func setRuriHost(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	if v.IsNull() {
		logf(c, klog.Err, "pv_set_ruri_host(): bad parameters")
		return errors.New("bad parameters")
	}
	if v.K != value.Str {
		logf(c, klog.Err, "pv_set_ruri_host(): str value required to set R-URI hostname")
		return errStrRequired
	}
	return rewriteRuri(c, m, sipmsg.PartHost, v.S)
}

func setRuriPort(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	if v.IsNull() {
		return rewriteRuri(c, m, sipmsg.PartPort, "")
	}
	return rewriteRuri(c, m, sipmsg.PartPort, value.ToStr(v))
}

func getDstURI(_ *event.Context, m *sipmsg.Msg) value.Value { return nonEmpty(m.DstURI) }

// setDstURI is `$du = v`: $null or "" resets it; the text is not checked.
func setDstURI(c *event.Context, m *sipmsg.Msg, v value.Value) error {
	if v.IsNull() {
		m.DstURI = ""
		return nil
	}
	if v.K != value.Str {
		logf(c, klog.Err, "pv_set_dsturi(): error - str value required to set dst uri")
		return errStrRequired
	}
	m.DstURI = v.S
	return nil
}

// dstAttr reads a part of the destination URI.
func dstAttr(f uriAttr) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if m.DstURI == "" {
			return value.NullValue
		}
		if u := parsedURI(c, m.DstURI, "pv_get_dsturi_attr(): failed to parse dst uri"); u != nil {
			return f(u)
		}
		return value.NullValue
	}
}

// ipFamily is 4 or 6 for an IP literal host, 0 otherwise.
func ipFamily(host string) int {
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	switch {
	case ip == nil:
		return 0
	case ip.To4() != nil && !strings.Contains(host, ":"):
		return 4
	}
	return 6
}

// nextHop is $nh(name): the destination URI, else the Request-URI; a
// reply's next hop is its second Via.
func nextHop(name string) msgGetter {
	return func(c *event.Context, m *sipmsg.Msg) value.Value {
		if !m.IsRequest() {
			return replyHop(m, name)
		}
		uri := m.DstURI
		if uri == "" {
			uri = m.RequestURI()
		}
		if name == "u" {
			return value.MakeStr(uri)
		}
		u := parsedURI(c, uri, "pv_get_nh(): failed to parse nh uri ["+uri+"]")
		if u == nil {
			return value.NullValue
		}
		switch name {
		case "U":
			return attrUser(u)
		case "d":
			return nonEmpty(u.Host)
		case "p":
			if u.Port == "" {
				return strInt("5060", 5060)
			}
			return attrPort(u)
		case "P":
			return attrTransport(u)
		}
		return uintValue(int64(ipFamily(u.Host)))
	}
}

func ruriClasses() []*pv.Class {
	ru := msgVar{get: getRuri(false), set: setRuri}
	rU := msgVar{get: ruriAttr(false, attrUser), set: setRuriUser}
	rd := msgVar{get: ruriAttr(false, attrHost), set: setRuriHost}
	du := msgVar{get: getDstURI, set: setDstURI}
	nh := map[string]pv.Spec{}
	for _, n := range []string{"u", "U", "d", "p", "P", "i"} {
		nh[n] = nextHop(n)
	}
	var out []*pv.Class
	for _, g := range [][]*pv.Class{
		specAliases(ru, "ru", "ruri"),
		specAliases(rU, "rU", "ruri.user"),
		specAliases(rd, "rd", "ruri.domain"),
		specAliases(du, "du", "duri"),
		specAliases(getRuri(true), "ou", "ouri"),
		{
			specClass("rUl", ruriAttr(false, attrUserLen)),
			specClass("rp", msgVar{get: ruriAttr(false, attrPort), set: setRuriPort}),
			specClass("rP", ruriAttr(false, attrTransport)),
			specClass("rz", ruriAttr(false, attrScheme)),
			specClass("oU", ruriAttr(true, attrUser)),
			specClass("oUl", ruriAttr(true, attrUserLen)),
			specClass("od", ruriAttr(true, attrHost)),
			specClass("op", ruriAttr(true, attrPort)),
			specClass("oP", ruriAttr(true, attrTransport)),
			specClass("dd", dstAttr(func(u *sipmsg.URI) value.Value { return nonEmpty(u.Host) })),
			specClass("dp", dstAttr(attrPort)),
			specClass("dP", dstAttr(attrTransport)),
			namedClass("nh", nh),
		},
	} {
		out = append(out, g...)
	}
	return out
}
