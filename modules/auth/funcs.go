package auth

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

func (m *Module) funcs() []module.Func {
	auth := func(cname string, proxy bool) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			return m.compileAuthenticate(h, args, cname, proxy)
		}
	}
	return []module.Func{
		{Name: "consume_credentials", Compile: m.compileConsume},
		{Name: "www_challenge", MinArgs: 2, MaxArgs: 2, Compile: m.compileChallenge("www_challenge", kindWWW)},
		{Name: "proxy_challenge", MinArgs: 2, MaxArgs: 2, Compile: m.compileChallenge("proxy_challenge", kindProxy)},
		{Name: "auth_challenge", MinArgs: 2, MaxArgs: 2, Compile: m.compileChallenge("w_auth_challenge", kindByMethod)},
		{Name: "pv_www_authorize", MinArgs: 3, MaxArgs: 3, Compile: auth("pv_www_authenticate", false)},
		{Name: "pv_www_authenticate", MinArgs: 3, MaxArgs: 4, Compile: auth("pv_www_authenticate", false)},
		{Name: "pv_proxy_authorize", MinArgs: 3, MaxArgs: 3, Compile: auth("pv_proxy_authenticate", true)},
		{Name: "pv_proxy_authenticate", MinArgs: 3, MaxArgs: 3, Compile: auth("pv_proxy_authenticate", true)},
		{Name: "auth_get_www_authenticate", MinArgs: 3, MaxArgs: 3, Compile: m.compileGetWWW},
		{Name: "has_credentials", MinArgs: 1, MaxArgs: 1, Compile: m.compileHasCredentials},
		{Name: "pv_auth_check", MinArgs: 4, MaxArgs: 4, Compile: m.compileAuthCheck},
	}
}

// strArg reads a string argument; ok is false (after the core's error
// line) when a pseudo-variable argument holds no string.
type strArg func(c *event.Context) (s string, ok bool)

// notEmpty refuses an empty argument at load, as the auth fixups do.
func (m *Module) notEmpty(args []*module.Arg) error {
	for i, a := range args {
		if s, ok := a.Literal(); ok && s == "" {
			m.logf(errLevel, "empty parameter %d not allowed", i+1)
			return fmt.Errorf("empty parameter %d not allowed", i+1)
		}
	}
	return nil
}

// singlePV returns the pseudo-variable an argument is, bare or as the
// whole of a string, or nil.
func singlePV(h module.Host, a *module.Arg) *pv.Ref {
	switch e := a.Expr.(type) {
	case *ast.PVar:
		if r, err := a.PV(h); err == nil {
			return r
		}
	case *ast.StrLit:
		if strings.HasPrefix(e.Value, "$") {
			if r, err := a.PV(h); err == nil {
				return r
			}
		}
	}
	return nil
}

// pvString reads a pseudo-variable as a string parameter; null is an
// error (Kamailio's get_str_fparam).
func pvString(r *pv.Ref) strArg {
	return func(c *event.Context) (string, bool) {
		v := r.Get(c)
		if v.IsNull() {
			if c.Log != nil {
				c.Log.Log(klog.Err, "core", "get_str_fparam(): Could not convert PV to str")
			}
			return "", false
		}
		if v.K == value.Str {
			return v.S, true
		}
		return v.String(), true
	}
}

// strVar compiles an argument Kamailio fixes up with fixup_var_str_12:
// one pseudo-variable is read; any other text is taken as written.
func strVar(h module.Host, a *module.Arg) (strArg, error) {
	if r := singlePV(h, a); r != nil {
		return pvString(r), nil
	}
	if lit, ok := a.Literal(); ok {
		return func(*event.Context) (string, bool) { return lit, true }, nil
	}
	f, err := a.Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (string, bool) { return f(c), true }, nil
}

// strFormat compiles an argument Kamailio fixes up with
// fixup_var_pve_str_12: one pseudo-variable is read; any other text is a
// format string.
func strFormat(h module.Host, a *module.Arg) (strArg, error) {
	if r := singlePV(h, a); r != nil {
		return pvString(r), nil
	}
	f, err := a.Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (string, bool) { return f(c), true }, nil
}

// intArg compiles an integer argument (fixup_var_int_12); ok is false,
// after the core's error line, when it holds no integer.
func intArg(h module.Host, a *module.Arg) (func(c *event.Context) (int64, bool), error) {
	f, err := a.Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (int64, bool) {
		n, ok := f(c)
		if !ok {
			module.NotInt(c)
		}
		return n, ok
	}, nil
}

// Where a challenge function takes its header kind from.
const (
	kindWWW = iota
	kindProxy
	kindByMethod // 401 for REGISTER, else 407
)

// credentialArgs compiles the realm, password and flags arguments (the
// first three) that pv_*_authenticate and pv_auth_check share.
func credentialArgs(h module.Host, args []*module.Arg) (realm, passwd strArg, flags func(*event.Context) (int64, bool), err error) {
	if realm, err = strFormat(h, args[0]); err != nil {
		return
	}
	if passwd, err = strFormat(h, args[1]); err != nil {
		return
	}
	flags, err = intArg(h, args[2])
	return
}

// compileChallenge compiles www_challenge, proxy_challenge and
// auth_challenge (realm, flags).
func (m *Module) compileChallenge(cname string, kind int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		if err := m.notEmpty(args); err != nil {
			return nil, err
		}
		realm, err := strVar(h, args[0])
		if err != nil {
			return nil, err
		}
		flags, err := intArg(h, args[1])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			msg := sipmsg.FromContext(c)
			if kind == kindByMethod && isOneOf(msg, "ACK", "CANCEL") {
				return 1
			}
			r, ok := realm(c)
			if !ok {
				m.logf(errLevel, "%s(): failed to get realm value", cname)
				return m.internalError(c, 0)
			}
			if r == "" {
				m.logf(errLevel, "%s(): invalid realm value - empty content", cname)
				return m.internalError(c, 0)
			}
			f, ok := flags(c)
			if !ok {
				m.logf(errLevel, "%s(): invalid flags value", cname)
				return m.internalError(c, 0)
			}
			proxy := kind == kindProxy || kind == kindByMethod && msg.Method != "REGISTER"
			return m.challenge(c, r, f, proxy)
		}, nil
	}
}

// compileAuthenticate compiles pv_www_authenticate (3 or 4 arguments),
// pv_proxy_authenticate and their pv_*_authorize names (realm, password,
// flags[, method]).
func (m *Module) compileAuthenticate(h module.Host, args []*module.Arg, cname string, proxy bool) (module.Call, error) {
	if err := m.notEmpty(args); err != nil {
		return nil, err
	}
	realm, passwd, flags, err := credentialArgs(h, args)
	if err != nil {
		return nil, err
	}
	var method strArg
	if len(args) == 4 {
		cname = "pv_www_authenticate2"
		if method, err = strFormat(h, args[3]); err != nil {
			return nil, err
		}
	}
	kind := wwwAuth
	if proxy {
		kind = proxyAuth
	}
	return func(c *event.Context) int {
		r, p, f, ok := m.authArgs(c, cname, realm, passwd, flags)
		if !ok {
			return authError
		}
		msg := sipmsg.FromContext(c)
		meth := msg.Method
		if method != nil {
			if meth, ok = method(c); !ok {
				m.logf(errLevel, "%s(): failed to get method value", cname)
				return authError
			}
			if meth == "" {
				m.logf(errLevel, "%s(): invalid method value - empty content", cname)
				return authError
			}
		}
		return m.authenticate(c, msg, r, p, f, kind, meth)
	}, nil
}

// authArgs reads realm, password and flags, with Kamailio's error lines.
func (m *Module) authArgs(c *event.Context, cname string, realm, passwd strArg, flags func(*event.Context) (int64, bool)) (r, p string, f int64, ok bool) {
	if r, ok = realm(c); !ok {
		m.logf(errLevel, "%s(): failed to get realm value", cname)
		return
	}
	if r == "" {
		m.logf(errLevel, "%s(): invalid realm value - empty content", cname)
		return r, p, f, false
	}
	if p, ok = passwd(c); !ok {
		m.logf(errLevel, "%s(): failed to get passwd value", cname)
		return
	}
	if p == "" {
		m.logf(errLevel, "%s(): invalid password value - empty content", cname)
		return r, p, f, false
	}
	if f, ok = flags(c); !ok {
		m.logf(errLevel, "%s(): invalid flags value", cname)
	}
	return
}

// compileAuthCheck compiles pv_auth_check(realm, password, flags, checks).
func (m *Module) compileAuthCheck(h module.Host, args []*module.Arg) (module.Call, error) {
	if err := m.notEmpty(args); err != nil {
		return nil, err
	}
	realm, passwd, flags, err := credentialArgs(h, args)
	if err != nil {
		return nil, err
	}
	checks, err := intArg(h, args[3])
	if err != nil {
		return nil, err
	}
	const cname = "w_pv_auth_check"
	return func(c *event.Context) int {
		msg := sipmsg.FromContext(c)
		if isOneOf(msg, "ACK", "CANCEL") {
			return authOK
		}
		r, p, f, ok := m.authArgs(c, cname, realm, passwd, flags)
		if !ok {
			return authError
		}
		ch, ok := checks(c)
		if !ok {
			m.logf(errLevel, "%s(): invalid checks value", cname)
			return authError
		}
		return m.authCheck(c, msg, r, p, f, ch)
	}, nil
}

// compileGetWWW compiles auth_get_www_authenticate(realm, flags, $dst):
// the WWW-Authenticate header a challenge would carry (with its CRLF),
// made without the request (no extra checks), into $dst.
func (m *Module) compileGetWWW(h module.Host, args []*module.Arg) (module.Call, error) {
	if err := m.notEmpty(args); err != nil {
		return nil, err
	}
	realm, err := strVar(h, args[0])
	if err != nil {
		return nil, err
	}
	flags, err := intArg(h, args[1])
	if err != nil {
		return nil, err
	}
	dst, err := args[2].PV(h)
	if err != nil {
		m.logf(errLevel, "fixup_auth_get_www_authenticate(): failed to fixup result pvar")
		return nil, err
	}
	if !dst.Writable() {
		m.logf(errLevel, "fixup_auth_get_www_authenticate(): result pvar is not writeble")
		return nil, fmt.Errorf("%s is read-only", dst.Node.Text)
	}
	const cname = "w_auth_get_www_authenticate"
	return func(c *event.Context) int {
		r, ok := realm(c)
		if !ok {
			m.logf(errLevel, "%s(): failed to get realm value", cname)
			return -1
		}
		if r == "" {
			m.logf(errLevel, "%s(): invalid realm value - empty content", cname)
			return -1
		}
		f, ok := flags(c)
		if !ok {
			m.logf(errLevel, "%s(): invalid flags value", cname)
			return -1
		}
		return m.getWWW(c, r, f, dst)
	}, nil
}

// getWWW stores the challenge header for realm in dst.
func (m *Module) getWWW(c *event.Context, realm string, flags int64, dst *pv.Ref) int {
	hf := m.challengeHeader(c, nil, flags&chStale != 0, realm, flagsQOP(flags), false)
	if err := dst.Set(c, value.MakeStr(hf)); err != nil {
		m.logf(errLevel, "auth_get_www_authenticate(): cannot set the result: %v", err)
		return -1
	}
	return 1
}

// compileHasCredentials compiles has_credentials(realm).
func (m *Module) compileHasCredentials(h module.Host, args []*module.Arg) (module.Call, error) {
	realm, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		return m.hasCredentials(sipmsg.FromContext(c), realm(c))
	}, nil
}

// compileConsume compiles consume_credentials().
func (m *Module) compileConsume(module.Host, []*module.Arg) (module.Call, error) {
	return func(c *event.Context) int { return m.consume(c, sipmsg.FromContext(c)) }, nil
}
