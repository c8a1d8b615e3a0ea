// Package jansson is kamgo's jansson module: jansson_get, jansson_set,
// jansson_append, jansson_array_size, jansson_get_field and
// jansson_pv_get read and build
// JSON documents held in pseudo-variables, addressed with paths such as
// "a.b[0].c"; jansson_xdecode and jansson_xencode move a JSON object to
// and from an $xavp list. JSON is read and printed with jansson's rules
// (modules/internal/jsondoc).
package jansson

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

func init() { module.Register(&Module{}) }

// Module is the jansson module; it has no parameters or state.
type Module struct{}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "jansson", New: func() module.Module { return &Module{} }}
}

// Exports implements module.Exporter. jansson_to_val is an API for other
// C modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{Funcs: []module.Func{
		{Name: "jansson_get", MinArgs: 3, MaxArgs: 3, Compile: compileGet(false)},
		{Name: "jansson_get_field", MinArgs: 3, MaxArgs: 3, Compile: compileGet(true)},
		{Name: "jansson_pv_get", MinArgs: 3, MaxArgs: 3, Compile: compilePVGet, Ext: "Kamailio 5.7", Routes: routetype.Any},
		{Name: "jansson_array_size", MinArgs: 3, MaxArgs: 3, Compile: compileArraySize},
		{Name: "jansson_set", MinArgs: 4, MaxArgs: 4, Compile: compileSet(false)},
		{Name: "jansson_append", MinArgs: 4, MaxArgs: 4, Compile: compileSet(true)},
		{Name: "jansson_xdecode", MinArgs: 2, MaxArgs: 2, Compile: compileXdecode},
		{Name: "jansson_xencode", MinArgs: 2, MaxArgs: 2, Compile: compileXencode},
	}}
}

// logErr logs an error as the module's C functions do, naming the
// function the way Kamailio's log line does ("janssonmod_set(): ...").
func logErr(c *event.Context, fn, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(klog.Err, "jansson", "%s(): %s", fn, fmt.Sprintf(format, args...))
	}
}

var _ module.Exporter = (*Module)(nil)
