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

// The uri transformation class, over URIs parsed by runtime/sipmsg. The
// named parameters (transport, ttl ...) are those of sip: and sips: URIs;
// a tel: URI has none.

// sipParam returns the value of a parameter of a sip: or sips: URI, ""
// when absent.
func sipParam(u *sipmsg.URI, name string) string {
	if u.IsTel() {
		return ""
	}
	v, _ := findParam(u.Params, name, ';')
	return v
}

func transportSuffix(u *sipmsg.URI) string {
	if t := sipParam(u, "transport"); t != "" {
		return ";transport=" + t
	}
	return ""
}

func uriOp(f func(u *sipmsg.URI) value.Value) opSpec {
	return simple(func(s string) (value.Value, error) {
		u, err := sipmsg.ParseURI(s)
		if err != nil {
			return value.NullValue, errTrans
		}
		return f(u), nil
	})
}

func uriStr(f func(u *sipmsg.URI) string) opSpec {
	return uriOp(func(u *sipmsg.URI) value.Value { return value.MakeStr(f(u)) })
}

func uriParam(name string) opSpec {
	return uriStr(func(u *sipmsg.URI) string { return sipParam(u, name) })
}

var uriOps = map[string]opSpec{
	"user":   uriStr(func(u *sipmsg.URI) string { return u.UserName() }),
	"host":   uriStr(func(u *sipmsg.URI) string { return u.Host }),
	"domain": uriStr(func(u *sipmsg.URI) string { return u.Host }),
	"passwd": uriStr(func(u *sipmsg.URI) string { return u.Password }),
	"port": uriOp(func(u *sipmsg.URI) value.Value {
		if n, err := strconv.Atoi(u.Port); err == nil {
			return value.MakeInt(int64(n))
		}
		return value.MakeStr("")
	}),
	"params": uriStr(func(u *sipmsg.URI) string {
		if u.IsTel() {
			return ""
		}
		return u.Params
	}),
	"headers":   uriStr(func(u *sipmsg.URI) string { return u.Headers }),
	"uparam":    uriParam("user"),
	"transport": uriParam("transport"),
	"ttl":       uriParam("ttl"),
	"maddr":     uriParam("maddr"),
	"method":    uriParam("method"),
	"lr":        uriParam("lr"),
	"r2":        uriParam("r2"),
	"scheme":    uriStr(func(u *sipmsg.URI) string { return u.Scheme }),
	"saor": uriStr(func(u *sipmsg.URI) string {
		if u.User != "" {
			return u.Scheme + ":" + u.User + "@" + u.Host
		}
		return u.Scheme + ":" + u.Host
	}),
	"suri": uriStr(func(u *sipmsg.URI) string {
		s := u.Scheme + ":"
		if u.User != "" {
			s += u.User + "@"
		}
		s += u.Host
		if u.Port != "" {
			s += ":" + u.Port
		}
		return s + transportSuffix(u)
	}),
	"duri": uriStr(func(u *sipmsg.URI) string {
		s := u.Scheme + ":" + u.Host
		if u.Port != "" {
			s += ":" + u.Port
		}
		return s + transportSuffix(u)
	}),
	"param": {min: 1, max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		name, err := strParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			u, err := sipmsg.ParseURI(s)
			if err != nil {
				return value.NullValue, errTrans
			}
			return value.MakeStr(sipParam(u, name(c))), nil
		}, nil
	}},
	// rmparam (Kamailio 6.1, read from pv_trans.c and the core's
	// ksr_uri_remove_param at 6.1.4; no Kamailio 6.1 runs here) drops the
	// first URI parameter of that name (compared without case) with its
	// ';' and value; a URI without it comes back as it is.
	"rmparam": {min: 1, max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		name, err := strParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			u, err := sipmsg.ParseURI(s)
			if err != nil {
				return value.NullValue, errTrans
			}
			return value.MakeStr(removeURIParam(s, u, name(c))), nil
		}, nil
	}},
	// tosocket is proto:host:port, for the transport the URI names; a URI
	// without a known transport gives "" (with a warning), as in Kamailio.
	"tosocket": {build: func(*pv.Table, []*ast.TransParam) (strOp, error) {
		return func(c *event.Context, s string) (value.Value, error) {
			u, err := sipmsg.ParseURI(s)
			if err != nil {
				return value.NullValue, errTrans
			}
			proto := sipmsg.ProtoName(u.Proto(), true)
			if proto == "" {
				logf(c, klog.Warn, "unknown transport protocol")
				return value.MakeStr(""), nil
			}
			port := u.PortNumber()
			if u.Port == "" {
				port = 5060
			}
			return value.MakeStr(fmt.Sprintf("%s:%s:%d", proto, u.Host, port)), nil
		}, nil
	}},
}

// removeURIParam returns s, whose parts are u, without its first
// parameter called name: from the ';' before it to the end of its value,
// spaces after the value kept.
func removeURIParam(s string, u *sipmsg.URI, name string) string {
	if u.Params == "" {
		return s
	}
	end := len(s)
	if !u.IsTel() {
		colon := strings.IndexByte(s, ':')
		if q := strings.IndexByte(s[colon+1:], '?'); q >= 0 {
			end = colon + 1 + q
		}
	}
	start := end - len(u.Params)
	if start < 1 || s[start-1] != ';' || s[start:end] != u.Params {
		return s
	}
	for off := start; off <= end; {
		segEnd := strings.IndexByte(s[off:end], ';')
		if segEnd < 0 {
			segEnd = end
		} else {
			segEnd += off
		}
		seg := s[off:segEnd]
		pname, _, _ := strings.Cut(seg, "=")
		if strings.EqualFold(strings.TrimSpace(pname), name) {
			cut := off + len(strings.TrimRight(seg, " \t\r\n"))
			return s[:off-1] + s[cut:]
		}
		off = segEnd + 1
	}
	return s
}
