package jansson

import (
	"errors"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileSet builds jansson_set(type, path, value, json_pv) and, with
// appendMode, jansson_append. The document is json_pv's string, or "{}"
// when json_pv holds anything but a plain string (an int, null, a value
// that is also a number such as $rp); it must parse as a JSON object or
// array. The value is built from type and value (see newValue) and
// stored at path (see pathSet); json_pv then gets the compact document.
// Any failure gives -1 and leaves json_pv unchanged.
func compileSet(appendMode bool) func(module.Host, []*module.Arg) (module.Call, error) {
	const fn = "janssonmod_set"
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		strs, err := module.Strs(h, args[:3]...)
		if err != nil {
			return nil, err
		}
		typ, path, val := strs[0], strs[1], strs[2]
		dst, err := args[3].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			p := cString(path(c))
			v, err := newValue(typ(c), val(c), p)
			if err != nil {
				logErr(c, fn, "%v", err)
				return -1
			}
			text := "{}"
			if cur := dst.Get(c); cur.K == value.Str && !cur.Num {
				text = cur.S
			}
			root, err := jsondoc.ParseJansson(text)
			if err != nil {
				var je *jsondoc.JanssonError
				if errors.As(err, &je) {
					logErr(c, fn, "result has json error at line %d: %s", je.Line, je.Text)
				}
				return -1
			}
			if err := pathSet(root, p, v, appendMode); err != nil {
				logErr(c, "json_path_set", "%v", err)
				return -1
			}
			if err := dst.Set(c, value.MakeStr(root.Jansson(true))); err != nil {
				return -1
			}
			return 1
		}, nil
	}
}
