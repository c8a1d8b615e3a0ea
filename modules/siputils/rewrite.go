package siputils

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The functions that write what they find or build into a
// pseudo-variable: get_uri_param, tel2sip, set_uri_user and set_uri_host.

// pvString is a pseudo-variable's value as Kamailio's PV_VAL_STR gives
// it: an integer has its string form; ok is false for null.
func pvString(v value.Value) (string, bool) {
	switch {
	case v.IsNull():
		return "", false
	case v.K == value.Str:
		return v.S, true
	}
	return v.String(), true
}

func set(c *event.Context, r *pv.Ref, s string) {
	if err := r.Set(c, value.MakeStr(s)); err != nil {
		logf(c, klog.Err, "%v", err)
	}
}

// compileGetURIParam compiles get_uri_param(name, pv): the name as
// written (fixup_str_null), the result a writable pseudo-variable.
func compileGetURIParam(h module.Host, args []*module.Arg) (module.Call, error) {
	names, err := literals(h, args[:1])
	if err != nil {
		return nil, err
	}
	dst, err := args[1].OutPV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return getURIParam(c, sipmsg.FromContext(c), names[0](c), dst)
	}, nil
}

// getURIParam: the value of the first Request-URI parameter of that name
// (compared with case), "" for one without a value, goes to dst.
func getURIParam(c *event.Context, msg *sipmsg.Msg, name string, dst *pv.Ref) int {
	_, params, ok, valid := uriParams(msg)
	if !ok {
		logf(c, klog.Err, "get_uri_param(): ruri parsing failed")
		return -1
	}
	if !valid {
		logf(c, klog.Err, "get_uri_param(): ruri parameter parsing failed")
		return -1
	}
	for _, p := range params {
		if p[0] == name {
			set(c, dst, p[1])
			return 1
		}
	}
	return -1
}

// strOrPV compiles an argument Kamailio fixes up with fixup_var_str_12:
// a text that is one pseudo-variable reads it, any other text is taken as
// written.
func strOrPV(h module.Host, a *module.Arg) (func(c *event.Context) (string, bool), error) {
	lit, isLit := a.Literal()
	if _, isPV := a.Expr.(*ast.PVar); isPV || isLit && strings.HasPrefix(lit, "$") {
		if r, err := a.PV(h); err == nil {
			return func(c *event.Context) (string, bool) { return pvString(r.Get(c)) }, nil
		} else if !isLit {
			return nil, err
		}
	}
	if isLit {
		return func(*event.Context) (string, bool) { return lit, true }, nil
	}
	f, err := a.Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (string, bool) { return f(c), true }, nil
}

func compileTel2SIP(h module.Host, args []*module.Arg) (module.Call, error) {
	return compileTelToSIP("tel2sip", func(uri, host string) (string, int) {
		s, conv := tel2SIP(uri, host)
		if !conv {
			return "", 2
		}
		return s, 1
	})(h, args)
}

// compileTelToSIP compiles tel2sip and tel2sip2 (fn): the URI and the
// host part are a pseudo-variable or a text, the result a writable
// pseudo-variable. conv gives the SIP URI to store with 1, or the code to
// return without storing anything.
func compileTelToSIP(fn string, conv func(uri, host string) (string, int)) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		uri, err := strOrPV(h, args[0])
		if err != nil {
			return nil, err
		}
		host, err := strOrPV(h, args[1])
		if err != nil {
			return nil, err
		}
		dst, err := args[2].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			u, ok := uri(c)
			if !ok {
				logf(c, klog.Err, "%s(): failed to get uri value", fn)
				return -1
			}
			hp, ok := host(c)
			if !ok {
				logf(c, klog.Err, "%s(): failed to get hostpart value", fn)
				return -1
			}
			s, rc := conv(u, hp)
			if rc != 1 || s == "" {
				return rc
			}
			set(c, dst, s)
			return 1
		}, nil
	}
}

// tel2SIP turns a tel: URI into sip:NUMBER@host;user=phone: the number
// loses its visual separators (- . ( )), the parameters of the tel: URI
// stay in the user part, and the tel: URI is written in lower case. conv
// is false when uri is not a tel: URI (Kamailio returns 2 then).
func tel2SIP(uri, host string) (sip string, conv bool) {
	if len(uri) < 4 || !strings.EqualFold(uri[:4], "tel:") {
		return "", false
	}
	return "sip:" + telUserPart(uri) + "@" + host + ";user=phone", true
}

// telUserPart is a tel: URI after "tel:", in lower case, without the
// visual separators (- . ( )) before its first ';'.
func telUserPart(uri string) string {
	var b strings.Builder
	params := false
	for i := 4; i < len(uri); i++ {
		ch := uri[i]
		params = params || ch == ';'
		if !params && isVisualSeparator(ch) {
			continue
		}
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// compileSetURI compiles set_uri_user and set_uri_host (fn): the URI is
// a writable pseudo-variable, the new part (what, in the log lines) a
// pseudo-variable.
func compileSetURI(fn, what string, run func(c *event.Context, uri, part string) (string, int)) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		ur, err := args[0].OutPV(h)
		if err != nil {
			return nil, err
		}
		vr, err := args[1].PV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			uri, ok := pvString(ur.Get(c))
			if !ok {
				logf(c, klog.Err, "%s(): uri value is not string", fn)
				return -1
			}
			if uri == "" {
				logf(c, klog.Err, "%s(): missing uri value", fn)
				return -1
			}
			part, ok := pvString(vr.Get(c))
			if !ok {
				logf(c, klog.Err, "%s(): %s value is not string", fn, what)
				return -1
			}
			s, rc := run(c, uri, part)
			if rc == 1 && s != "" {
				set(c, ur, s)
			}
			return rc
		}, nil
	}
}

// setURIUser replaces the user part of uri (the text between the first
// ':' and the first '@'); an empty user removes it with its '@'. A URI
// without '@' gets one when the user is not empty, and stays as it is
// otherwise (s is "" then).
func setURIUser(c *event.Context, uri, user string) (s string, rc int) {
	colon := strings.IndexByte(uri, ':')
	if colon < 0 {
		logf(c, klog.Err, "set_uri_user(): uri does not contain ':' character")
		return "", -1
	}
	at := strings.IndexByte(uri, '@')
	switch {
	case at < 0 && user == "":
		return "", 1
	case at < 0:
		return uri[:colon+1] + user + "@" + uri[colon+1:], 1
	case user == "":
		return uri[:colon+1] + uri[at+1:], 1
	}
	return uri[:colon+1] + user + uri[at:], 1
}

// setURIHost replaces the host of uri: the text after the first ':' (and
// after the '@' that follows it, when there is one) up to a ':', ';' or
// '?'.
func setURIHost(c *event.Context, uri, host string) (s string, rc int) {
	if host == "" {
		logf(c, klog.Err, "set_uri_host(): hostpart of uri cannot be empty")
		return "", -1
	}
	colon := strings.IndexByte(uri, ':')
	if colon < 0 {
		logf(c, klog.Err, "set_uri_host(): uri does not contain ':' character")
		return "", -1
	}
	next := colon + 1
	if at := strings.IndexByte(uri[next:], '@'); at >= 0 {
		next += at + 1
	}
	end := next
	for end < len(uri) && strings.IndexByte(":;?", uri[end]) < 0 {
		end++
	}
	return uri[:next] + host + uri[end:], 1
}
