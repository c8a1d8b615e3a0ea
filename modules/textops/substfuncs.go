package textops

import (
	"errors"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// substArg compiles a subst expression argument (fixup_substre): a
// constant, parsed at load time.
func substArg(h module.Host, fn string, a *module.Arg) (*subst, error) {
	s, ok := literal(a)
	if !ok {
		return nil, argErr(fn, "the subst expression must be a constant")
	}
	se, err := parseSubst(h, s)
	if err != nil {
		return nil, argErr(fn, "bad subst. re %s: %v", s, err)
	}
	return se, nil
}

func (m *Module) compileSubst(run func(c *event.Context, se *subst) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		se, err := substArg(h, "subst", args[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return run(c, se) }, nil
	}
}

// replaceMatches turns the matches of se in text (at offset off of the
// message) into edits; -1 when there is none or se failed.
func (m *Module) replaceMatches(c *event.Context, msg *sipmsg.Msg, se *subst, text string, off int) int {
	ms, err := se.run(c, msg, text)
	if err != nil {
		m.logSubstErr(err)
		return -1
	}
	if len(ms) == 0 {
		return -1
	}
	for _, x := range ms {
		msg.Replace(off+x.at, x.n, x.text)
	}
	return 1
}

func (m *Module) logSubstErr(err error) {
	if errors.Is(err, errEmptyMatch) {
		m.logf(klog.Err, "subst_run(): Matched string is empty, invalid regexp?")
	}
	m.logf(klog.Err, "textops: subst_run failed")
}

// substMsg is subst(): the message after its first line.
func (m *Module) substMsg(c *event.Context, se *subst) int {
	msg := sipmsg.FromContext(c)
	text, off, _ := region(msg, areaMsg)
	return m.replaceMatches(c, msg, se, text, off)
}

// substBody is subst_body().
func (m *Module) substBody(c *event.Context, se *subst) int {
	msg := sipmsg.FromContext(c)
	text, off, ok := region(msg, areaBody)
	if !ok {
		return -1
	}
	return m.replaceMatches(c, msg, se, text, off)
}

// substURI is subst_uri(): the Request-URI (the rewritten one, if any)
// is replaced by the result.
func (m *Module) substURI(c *event.Context, se *subst) int {
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		return -1
	}
	out, ok, err := se.apply(c, msg, msg.RequestURI())
	if err != nil || !ok {
		return -1
	}
	msg.SetRequestURI(out)
	return 1
}

// substUser is subst_user(): the user part of the Request-URI, set as
// setuser() sets it.
func (m *Module) substUser(c *event.Context, se *subst) int {
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		return -1
	}
	u, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		return -1
	}
	out, ok, err := se.apply(c, msg, u.User)
	if err != nil {
		m.logf(klog.Err, "subst_user(): subst_str() failed")
		return -1
	}
	if !ok {
		return -1
	}
	nu, err := sipmsg.RewriteURI(msg.RequestURI(), sipmsg.PartUser, out)
	if err != nil {
		return -1
	}
	msg.SetRequestURI(nu)
	return 1
}

func (m *Module) compileSubstHF(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := nameArg("subst_hf", args[0])
	if err != nil {
		return nil, err
	}
	se, err := substArg(h, "subst_hf", args[1])
	if err != nil {
		return nil, err
	}
	flags := plainArg(args[2])
	return func(c *event.Context) int { return m.substHF(c, name, se, flags(c)) }, nil
}

// substHF applies se to the values of the headers named name: every one
// (a), the first only (f) or the last only (l).
func (m *Module) substHF(c *event.Context, name string, se *subst, flags string) int {
	msg := sipmsg.FromContext(c)
	first, last := strings.HasPrefix(flags, "f"), strings.HasPrefix(flags, "l")
	ret := -1
	var lastH *sipmsg.Header
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is(name) {
			continue
		}
		if last {
			lastH = h
			continue
		}
		at, body := rawBody(msg, h)
		ms, err := se.run(c, msg, body)
		if err != nil {
			m.logSubstErr(err)
			return -1
		}
		if len(ms) == 0 && first {
			return -1
		}
		if len(ms) > 0 {
			ret = 1
		}
		for _, x := range ms {
			msg.Replace(at+x.at, x.n, x.text)
		}
		if first {
			return ret
		}
	}
	if lastH != nil {
		at, body := rawBody(msg, lastH)
		return m.replaceMatches(c, msg, se, body, at)
	}
	return ret
}

// reTrans is the {re.subst,expr} transformation: expr is a subst
// expression, or a pseudo-variable holding one.
func (m *Module) reTrans() *pv.TransClass {
	return &pv.TransClass{Name: "re", Module: Name, Ops: []string{"subst"},
		Compile: func(t *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
			if !strings.EqualFold(tr.Op, "subst") {
				return nil, errors.New("unknown transformation re." + tr.Op)
			}
			if len(tr.Params) != 1 {
				return nil, errors.New("re.subst takes 1 parameter")
			}
			p := tr.Params[0]
			var fixed *subst
			var ref *pv.Ref
			if p.PV != nil {
				r, err := t.Compile(p.PV)
				if err != nil {
					return nil, err
				}
				ref = r
			} else {
				se, err := parseSubst(m.host, p.Text)
				if err != nil {
					return nil, err
				}
				fixed = se
			}
			return func(c *event.Context, in value.Value) (value.Value, error) {
				if in.K != value.Str || in.S == "" {
					return value.NullValue, pv.ErrTransNull
				}
				se := fixed
				if ref != nil {
					v := ref.Get(c)
					if v.K != value.Str || v.S == "" {
						return value.NullValue, errors.New("can't evaluate regexp")
					}
					var err error
					if se, err = parseSubst(m.host, v.S); err != nil {
						return value.NullValue, errors.New("can't compile regexp")
					}
				}
				out, _, err := se.apply(c, sipmsg.FromContext(c), in.S)
				if err != nil {
					return value.NullValue, err
				}
				return value.MakeStr(out), nil
			}, nil
		}}
}
