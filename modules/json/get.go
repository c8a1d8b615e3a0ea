package json

import (
	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileGet builds json_get_field(json, field, dst), which stores the
// field printed as JSON (strings keep their quotes), and, with unquote
// set, json_get_string, which stores a string field's text (up to a NUL)
// and anything else as JSON. A document json-c cannot read (or one that
// is just null) is logged and gives -1; a document that is not an
// object, a missing field and a null field give -1 silently. dst is left
// unchanged on -1.
func compileGet(unquote bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		strs, err := module.Strs(h, args[0], args[1])
		if err != nil {
			return nil, err
		}
		doc, field := strs[0], strs[1]
		dst, err := args[2].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			root, err := jsondoc.ParseJSONC(doc(c))
			if err != nil || root.Kind == jsondoc.Null {
				logErr(c, "_json_get_field", "empty or invalid JSON")
				return -1
			}
			n, _ := root.Field(cString(field(c)))
			if n == nil || n.Kind == jsondoc.Null {
				return -1
			}
			out := n.JSONC()
			if unquote {
				out = n.JSONCString()
			}
			if err := dst.Set(c, value.MakeStr(out)); err != nil {
				return -1
			}
			return 1
		}, nil
	}
}
