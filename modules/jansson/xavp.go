package jansson

import (
	"unicode/utf8"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileXdecode builds jansson_xdecode(json, name): a JSON object
// becomes a new $xavp(name) list with one member per key, valued as
// jansson_get values them (nested objects and arrays as compact JSON,
// null as a null member); an array adds one list per element, the last
// element ending up at index 0, and elements that are not objects add
// empty lists. Members are added in document order, each in front, so
// the last key is the list's first member.
func compileXdecode(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	doc, name := strs[0], strs[1]
	return func(c *event.Context) int {
		root := parseDoc(c, "jansson_xdecode", doc(c))
		if root == nil {
			return -1
		}
		n := name(c)
		if root.Kind == jsondoc.Object {
			pv.AddXavpList(c, n, objectFields(root))
			return 1
		}
		for _, el := range root.Vals {
			pv.AddXavpList(c, n, objectFields(el))
		}
		return 1
	}, nil
}

// objectFields lists an object's members as XAVP fields; anything that
// is not an object has none.
func objectFields(n *jsondoc.Node) []pv.XavpField {
	if n.Kind != jsondoc.Object {
		return nil
	}
	out := make([]pv.XavpField, len(n.Keys))
	for i, k := range n.Keys {
		out[i] = pv.XavpField{Name: k, Value: toValue(n.Vals[i])}
	}
	return out
}

// compileXencode builds jansson_xencode(name, dst): the members of the
// newest $xavp(name) list become a JSON object, printed as jansson's
// json_dumps does without flags ({"a": 1, "b": "x"}). Members are taken
// first to last; a repeated name keeps its first position and takes the
// value of its last member; a nested list prints as "<<xavp>>". It
// returns -1 when there is no such $xavp or it holds a value.
func compileXencode(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	dst, err := args[1].OutPV(h)
	if err != nil {
		return nil, err
	}
	const fn = "jansson_xencode"
	return func(c *event.Context) int {
		fields, ok := pv.XavpList(c, name(c))
		if !ok {
			return -1
		}
		obj := &jsondoc.Node{Kind: jsondoc.Object}
		for _, f := range fields {
			v := fieldNode(f)
			if v == nil {
				logErr(c, "jansson_xavp2object", "failed to create json value")
				logErr(c, fn, "json encoding failed")
				return -1
			}
			if !utf8.ValidString(f.Name) {
				logErr(c, "jansson_xavp2object", "failed to add member to object")
				logErr(c, fn, "json encoding failed")
				return -1
			}
			obj.Set(cString(f.Name), v)
		}
		if err := dst.Set(c, value.MakeStr(obj.Jansson(false))); err != nil {
			return -1
		}
		return 1
	}, nil
}

// fieldNode is the JSON value of one XAVP member, nil for a string that
// is not UTF-8 (jansson refuses it).
func fieldNode(f pv.XavpField) *jsondoc.Node {
	switch {
	case f.List:
		return &jsondoc.Node{Kind: jsondoc.String, Str: "<<xavp>>"}
	case f.Value.K == value.Int:
		return &jsondoc.Node{Kind: jsondoc.Int, Int: f.Value.I}
	case f.Value.K == value.Str:
		if !utf8.ValidString(f.Value.S) {
			return nil
		}
		return &jsondoc.Node{Kind: jsondoc.String, Str: f.Value.S}
	}
	return &jsondoc.Node{Kind: jsondoc.Null}
}
