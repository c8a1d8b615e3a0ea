// Package jansson is kamgo's jansson module: jansson_get, jansson_set,
// jansson_append, jansson_array_size and jansson_get_field read and build
// JSON documents held in pseudo-variables, addressed with paths such as
// "a.b[0].c".
package jansson

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

// Module is the jansson module; it has no parameters or state.
type Module struct{}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "jansson", New: func() module.Module { return &Module{} }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{Funcs: []module.Func{
		{Name: "jansson_get", MinArgs: 3, MaxArgs: 3, Compile: compileGet(false)},
		{Name: "jansson_get_field", MinArgs: 3, MaxArgs: 3, Compile: compileGet(true)},
		{Name: "jansson_array_size", MinArgs: 3, MaxArgs: 3, Compile: compileArraySize},
		{Name: "jansson_set", MinArgs: 4, MaxArgs: 4, Compile: compileSet(false)},
		{Name: "jansson_append", MinArgs: 4, MaxArgs: 4, Compile: compileSet(true)},
	}}
}

func logErr(c *event.Context, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(klog.Err, "jansson", format, args...)
	}
}

// toValue converts a JSON value to what jansson_get stores: strings as
// they are, integers as ints (as text beyond 32 bits), reals as text,
// true/false as 1/0, null as null, objects and arrays as compact JSON.
func toValue(n *jsondoc.Node) value.Value {
	switch n.Kind {
	case 's':
		return value.MakeStr(n.Str)
	case 'n':
		if n.IsInt() {
			if i, err := strconv.ParseInt(n.Str, 10, 32); err == nil {
				return value.MakeInt(i)
			}
			return value.MakeStr(n.Str)
		}
		return value.MakeStr(jsondoc.RealText(n.Str))
	case 't':
		return value.MakeInt(1)
	case 'f':
		return value.MakeInt(0)
	case 'z':
		return value.NullValue
	}
	return value.MakeStr(n.Compact())
}

// compileGet builds jansson_get(path, json, dst) and, with field set,
// jansson_get_field(json, field, dst).
func compileGet(field bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		pathArg, docArg := args[0], args[1]
		if field {
			pathArg, docArg = args[1], args[0]
		}
		strs, err := module.Strs(h, pathArg, docArg)
		if err != nil {
			return nil, err
		}
		path, doc := strs[0], strs[1]
		dst, err := args[2].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			text := doc(c)
			root, err := jsondoc.Parse(text)
			if err != nil {
				logErr(c, "failed to parse json: %s", text)
				return -1
			}
			var n *jsondoc.Node
			if field {
				if root.Kind == 'o' {
					n, _ = root.Field(path(c))
				}
			} else {
				steps, err := jsondoc.ParsePath(path(c))
				if err != nil {
					logErr(c, "%v", err)
					return -1
				}
				n = jsondoc.Lookup(root, steps)
			}
			if n == nil {
				return -1
			}
			if err := dst.Set(c, toValue(n)); err != nil {
				return -1
			}
			return 1
		}, nil
	}
}

func compileArraySize(h module.Host, args []*module.Arg) (module.Call, error) {
	path, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	doc, err := args[1].Str(h)
	if err != nil {
		return nil, err
	}
	dst, err := args[2].PV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		root, err := jsondoc.Parse(doc(c))
		if err != nil {
			logErr(c, "failed to parse json")
			return -1
		}
		p := path(c)
		steps, err := jsondoc.ParsePath(p)
		if err != nil {
			return -1
		}
		n := jsondoc.Lookup(root, steps)
		switch {
		case n == nil:
			logErr(c, "failed to find %s in json", p)
			return -1
		case n.Kind != 'a':
			logErr(c, "value at %s is not an array", p)
			return -1
		}
		if err := dst.Set(c, value.MakeInt(int64(len(n.Vals)))); err != nil {
			return -1
		}
		return 1
	}, nil
}

// newValue builds the JSON value jansson_set stores for a type name.
// newValue builds the JSON value jansson_set stores for a type name. The
// names are case-sensitive. Numbers are read as strtoll/strtod read them:
// leading white space, nothing after the number; "" reads as 0.
func newValue(typ, s string) (*jsondoc.Node, error) {
	switch typ {
	case "int", "integer":
		t := strings.TrimLeft(s, " \t\n\v\f\r")
		if t == "" && s == "" {
			return &jsondoc.Node{Kind: 'n', Str: "0"}, nil
		}
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			var ne *strconv.NumError
			if !errors.As(err, &ne) || ne.Err != strconv.ErrRange {
				return nil, fmt.Errorf("parsing int failed for %q", s)
			}
		}
		return &jsondoc.Node{Kind: 'n', Str: strconv.FormatInt(n, 10)}, nil
	case "str", "string":
		return &jsondoc.Node{Kind: 's', Str: s}, nil
	case "real":
		t := strings.TrimLeft(s, " \t\n\v\f\r")
		if t == "" && s == "" {
			t = "0"
		}
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			return nil, fmt.Errorf("parsing real failed for %q", s)
		}
		return &jsondoc.Node{Kind: 'n', Str: jsondoc.RealText(t)}, nil
	case "true":
		return &jsondoc.Node{Kind: 't'}, nil
	case "false":
		return &jsondoc.Node{Kind: 'f'}, nil
	case "null":
		return &jsondoc.Node{Kind: 'z'}, nil
	case "obj", "object", "array":
		n, err := jsondoc.Parse(s)
		want := byte('o')
		if typ == "array" {
			want = 'a'
		}
		if err != nil || n.Kind != want {
			return nil, fmt.Errorf("value is not a JSON %s: %q", typ, s)
		}
		return n, nil
	}
	return nil, errors.New("unrecognized input type")
}

// compileSet builds jansson_set(type, path, value, json_pv) and, with
// appendMode, jansson_append: the value is added to the array at path.
// A json_pv that does not hold a JSON object or array starts a new object.
func compileSet(appendMode bool) func(module.Host, []*module.Arg) (module.Call, error) {
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
			v, err := newValue(typ(c), val(c))
			if err != nil {
				logErr(c, "%v", err)
				return -1
			}
			// A string in the result variable must be a JSON object or
			// array (an empty string fails); anything else (an int, null)
			// starts from {}.
			cur := dst.Get(c)
			root := &jsondoc.Node{Kind: 'o'}
			if cur.K == value.Str {
				r, err := jsondoc.Parse(cur.S)
				if err != nil || r.Kind != 'o' && r.Kind != 'a' {
					logErr(c, "result has json error: '[' or '{' expected")
					return -1
				}
				root = r
			}
			steps, err := jsondoc.ParsePath(path(c))
			if err != nil {
				logErr(c, "%v", err)
				return -1
			}
			if err := setPath(root, steps, v, appendMode); err != nil {
				logErr(c, "%v", err)
				return -1
			}
			if err := dst.Set(c, value.MakeStr(root.Compact())); err != nil {
				return -1
			}
			return 1
		}, nil
	}
}

// setPath stores v at path under root, creating objects for missing keys
// on the way. With appendMode the target must be an existing array.
func setPath(root *jsondoc.Node, path []jsondoc.Step, v *jsondoc.Node, appendMode bool) error {
	if len(path) == 0 {
		if appendMode && root.Kind == 'a' {
			root.Vals = append(root.Vals, v)
			return nil
		}
		return errors.New("JSON array or object expected")
	}
	n := root
	for i, s := range path {
		last := i == len(path)-1
		switch {
		case s.IsIdx && n.Kind == 'a':
			idx := s.Index
			if idx < 0 {
				idx += len(n.Vals)
			}
			if idx < 0 || idx >= len(n.Vals) {
				return errors.New("array index out of range")
			}
			if last && !appendMode {
				n.Vals[idx] = v
				return nil
			}
			n = n.Vals[idx]
		case !s.IsIdx && n.Kind == 'o':
			next, _ := n.Field(s.Key)
			if last && !appendMode {
				n.Set(s.Key, v)
				return nil
			}
			if next == nil {
				if last {
					return errors.New("JSON array or object expected")
				}
				next = &jsondoc.Node{Kind: 'o'}
				n.Set(s.Key, next)
			}
			n = next
		default:
			return errors.New("JSON array or object expected")
		}
	}
	if n.Kind != 'a' {
		return errors.New("JSON array expected")
	}
	n.Vals = append(n.Vals, v)
	return nil
}

var _ module.Exporter = (*Module)(nil)
