// Package json is kamgo's json module: json_get_field and json_get_string
// read a top-level field of a JSON object, printing nested values the way
// json-c does ({ "a": 1 }).
package json

import (
	"fmt"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

// Module is the json module.
type Module struct{}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "json", New: func() module.Module { return &Module{} }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{{Name: "json_escape_char", Type: module.ParamStr}},
		Funcs: []module.Func{
			{Name: "json_get_field", MinArgs: 3, MaxArgs: 3, Compile: compileGet(false)},
			{Name: "json_get_string", MinArgs: 3, MaxArgs: 3, Compile: compileGet(true)},
		},
	}
}

// SetParam implements module.ParamSetter. json_escape_char belongs to the
// {json.*} transformations, which kamgo does not implement yet.
func (m *Module) SetParam(name string, v value.Value) error {
	if name == "json_escape_char" {
		return nil
	}
	return fmt.Errorf("json: unknown parameter %q", name)
}

// compileGet builds json_get_field(json, field, dst) (the field printed as
// JSON, strings quoted) and json_get_string (strings unquoted). A missing
// or null field returns -1 and leaves dst alone.
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
			root, err := jsondoc.Parse(doc(c))
			if err != nil || root.Kind != 'o' {
				if c.Log != nil {
					c.Log.Logf(klog.Err, "json", "empty or invalid JSON")
				}
				return -1
			}
			n, _ := root.Field(field(c))
			if n == nil || n.Kind == 'z' {
				return -1
			}
			out := n.Spaced()
			if unquote && n.Kind == 's' {
				out = n.Str
			}
			if err := dst.Set(c, value.MakeStr(out)); err != nil {
				return -1
			}
			return 1
		}, nil
	}
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
)
