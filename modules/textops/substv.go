package textops

import (
	"errors"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileSubstV is subst_v(text, subst, $dst): both strings may hold
// pseudo-variables (fixup_spve), the destination must be writable (the
// fixup refuses one that is not).
func (m *Module) compileSubstV(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args[0], args[1])
	if err != nil {
		return nil, err
	}
	dst, err := args[2].OutPV(h)
	if err != nil {
		return nil, err
	}
	// A constant expression is parsed once; its outcome is the same at
	// every call, so a bad one still fails (and logs) only when called.
	var fixed *subst
	var fixedErr error
	if s, ok := literal(args[1]); ok && !strings.Contains(s, "$") {
		fixed, fixedErr = parseSubst(h, s)
	}
	return func(c *event.Context) int {
		expr := fs[1](c)
		se, perr := fixed, fixedErr
		if fixed == nil && fixedErr == nil {
			se, perr = parseSubst(h, expr)
		}
		return m.substV(c, fs[0](c), expr, se, perr, dst)
	}, nil
}

// substV stores in dst the text with the subst expression applied: 1, or
// -1 when the expression does not parse, nothing matches (dst is left
// alone) or the substitution fails.
func (m *Module) substV(c *event.Context, text, expr string, se *subst, perr error, dst *pv.Ref) int {
	if !dst.Writable() {
		m.logf(klog.Err, "subst_v_helper_f(): the variable is read only")
		return -1
	}
	if perr != nil {
		m.logSubstParseErr(perr)
		m.logf(klog.Err, "subst_v_helper_f(): bad subst re: %s", expr)
		return -1
	}
	out, ok, err := se.apply(c, sipmsg.FromContext(c), text)
	if err != nil {
		if errors.Is(err, errEmptyMatch) {
			m.corelogf(klog.Err, "subst_run(): Matched string is empty, invalid regexp?")
		}
		m.logf(klog.Err, "subst_v_helper_f(): substitution failed")
		return -1
	}
	if !ok {
		return -1
	}
	_ = dst.Set(c, value.MakeStr(out))
	return 1
}

// logSubstParseErr logs a subst parse error as the core's parser logs it:
// the replacement part's errors from parse_repl, the others from
// subst_parser.
func (m *Module) logSubstParseErr(err error) {
	fn, t := "subst_parser", err.Error()
	switch {
	case strings.HasPrefix(t, "missing separator"), strings.HasPrefix(t, "bad specifier"):
		fn = "parse_repl"
	case t == "string too short":
		t = "String too short"
	}
	m.corelogf(klog.Err, "%s(): %s", fn, t)
}
