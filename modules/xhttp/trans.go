package xhttp

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// urlTrans is the {url.*} transformation class: {url.path} is a URL up to
// its first '?', {url.querystring} what follows it ("" without one). A
// number is read as its text; a null value fails.
func urlTrans() *pv.TransClass {
	return &pv.TransClass{Name: "url", Module: Name, Ops: []string{"path", "querystring"}, Compile: compileURLTrans}
}

func compileURLTrans(_ *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
	query := false
	switch strings.ToLower(tr.Op) {
	case "path":
	case "querystring":
		query = true
	default:
		return nil, fmt.Errorf("unknown transformation: url.%s", tr.Op)
	}
	if len(tr.Params) != 0 {
		return nil, fmt.Errorf("{url.%s} takes no parameter", strings.ToLower(tr.Op))
	}
	return func(_ *event.Context, in value.Value) (value.Value, error) {
		if in.IsNull() {
			return value.NullValue, pv.ErrTransNull
		}
		s := value.ToStr(in)
		path, rest, found := strings.Cut(s, "?")
		if query {
			if !found {
				return value.MakeStr(""), nil
			}
			return value.MakeStr(rest), nil
		}
		return value.MakeStr(path), nil
	}, nil
}
