package json

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileTrans compiles {json.parse,path}: the input, read as a JSON
// document, gives the value at path (see lookup) as json-c's
// json_object_get_string prints it: a string's text, anything else as
// spaced JSON. A document json-c cannot read is logged and, like a
// missing or null value, gives "" (the transformation still succeeds).
// A null input fails. The path is a pseudo-variable, which must hold a
// non-empty string, or text whose pseudo-variables are expanded per
// call. The operator's name is compared without case.
//
// {json.encode} is in Kamailio's export table but its parser never
// accepts the name, so Kamailio refuses every use of it at startup; so
// does kamgo.
//
// {json.parsex,path} (Kamailio 6.1) is {json.parse} whose separator is the
// path's first character ({json.parsex,/a/b} is {json.parse,a.b});
// the escape character still stands for '.'. A path that is empty before
// the separator is taken off fails, as json_tr_eval's length check does.
// Read from Kamailio 6.1.4's json_trans.c and json_funcs.c (no Kamailio
// 6.1 runs here to record it).
func compileTrans(t *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
	extended := strings.EqualFold(tr.Op, "parsex")
	if !extended && !strings.EqualFold(tr.Op, "parse") {
		return nil, fmt.Errorf("unknown JSON transformation %s (Kamailio 5.6.3 accepts only parse; 6.1 adds parsex)", tr.Op)
	}
	if len(tr.Params) != 1 {
		return nil, fmt.Errorf("{json.%s} takes one parameter, the path", strings.ToLower(tr.Op))
	}
	path, err := pathParam(t, tr.Params[0], tr.Rng)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context, in value.Value) (value.Value, error) {
		if in.IsNull() {
			return value.NullValue, pv.ErrTransNull
		}
		p, err := path(c)
		if err != nil {
			// Logged here as the module does; Kamailio's core adds no
			// line of its own, so the failure is reported as a silent one.
			logErr(c, "json_tr_eval", "%v", err)
			return value.NullValue, pv.ErrTransNull
		}
		sep := byte('.')
		if extended {
			if p == "" {
				logErr(c, "json_tr_eval", "invalid value for: %s", tr.Params[0].Text)
				return value.NullValue, pv.ErrTransNull
			}
			sep, p = p[0], p[1:]
		}
		root, perr := jsondoc.ParseJSONC(value.ToStr(in))
		if perr != nil || root.Kind == jsondoc.Null {
			logErr(c, "tr_json_get_field_object", "empty or invalid JSON")
			return value.MakeStr(""), nil
		}
		n := lookup(root, p, sep)
		if n == nil || n.Kind == jsondoc.Null {
			return value.MakeStr(""), nil
		}
		return value.MakeStr(n.JSONCString()), nil
	}, nil
}

var errPathValue = errors.New("value cannot get spec value in json transform")

// pathParam compiles the path parameter. Kamailio skips white space
// before it; a parameter starting with '$' is a pseudo-variable, anything
// else is text (trailing spaces included) read as a format string.
func pathParam(t *pv.Table, p *ast.TransParam, rng diag.Range) (func(c *event.Context) (string, error), error) {
	ref := p.PV
	text := strings.TrimLeft(p.Text, " \t\n")
	if ref == nil && strings.HasPrefix(text, "$") {
		parsed, d := pvsyntax.ParsePV(strings.TrimRight(text, " \t\n"), rng)
		if d != nil {
			return nil, fmt.Errorf("invalid path parameter %q", p.Text)
		}
		ref = parsed
	}
	if ref != nil {
		r, err := t.Compile(ref)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) (string, error) {
			v := r.Get(c)
			if v.IsNull() || value.ToStr(v) == "" {
				return "", errPathValue
			}
			return value.ToStr(v), nil
		}, nil
	}
	f, l := pvsyntax.ParseFormat(text, rng)
	if l.HasErrors() {
		return nil, l
	}
	cf, err := t.CompileFormat(f)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (string, error) { return cString(cf.String(c)), nil }, nil
}
