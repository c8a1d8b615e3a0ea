// Package kex is kamgo's kex module: the core extensions Kamailio keeps in
// a module. setsflag, resetsflag and issflagset work on the script flags
// ($sf); setbflag, resetbflag and isbflagset on the branch flags of the
// Request-URI ($bf) or of an appended branch; setdsturi, resetdsturi and
// isdsturiset on the destination URI ($du); pv_printf (and its alias
// avp_printf) assigns a format string to a variable; is_myself tests a URI
// or host against the server's sockets and aliases; setdebug and
// resetdebug change the log level; $sruid is a unique id per read.
//
// Return codes and log lines follow Kamailio 5.6.3's kex module; the
// package README lists where kamgo differs.
package kex

import (
	"sync"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "kex.so"` names it.
const Name = "kex"

func init() { module.Register(new(Module)) }

// Module is one loaded kex module.
type Module struct {
	host module.Host
	log  *klog.Logger

	// debug is the core's debug level, which resetdebug restores.
	debug klog.Level

	sfOnce sync.Once
	sf     *pv.Ref // $sf of the pv module, nil when pv is not loaded

	uid sruid
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return new(Module) }}
}

// Exports implements module.Exporter. kex has no parameters.
func (m *Module) Exports() module.Exports {
	f := func(name string, min, max int, compile func(module.Host, []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: min, MaxArgs: max, Compile: compile}
	}
	return module.Exports{
		Funcs: []module.Func{
			f("setsflag", 1, 1, m.compileSFlag(opSet)),
			f("resetsflag", 1, 1, m.compileSFlag(opReset)),
			f("issflagset", 1, 1, m.compileSFlag(opTest)),
			f("setbflag", 1, 2, m.compileBFlag(opSet)),
			f("resetbflag", 1, 2, m.compileBFlag(opReset)),
			f("isbflagset", 1, 2, m.compileBFlag(opTest)),
			f("setdsturi", 1, 1, compileSetDstURI),
			f("resetdsturi", 0, 0, plain(resetDstURI)),
			f("isdsturiset", 0, 0, plain(isDstURISet)),
			f("pv_printf", 2, 2, compilePVPrintf),
			f("avp_printf", 2, 2, compilePVPrintf),
			f("is_myself", 1, 1, compileIsMyself),
			f("setdebug", 1, 1, m.compileSetDebug),
			f("resetdebug", 0, 0, plain(m.resetDebug)),
		},
		Classes: []*pv.Class{m.sruidClass()},
	}
}

// Provision implements module.Provisioner: it notes the core's debug
// level for resetdebug and starts the $sruid generator.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	m.debug = klog.Level(2)
	if v, ok := h.CoreParam("debug"); ok && v.K == value.Int {
		m.debug = klog.Level(v.I)
	} else if m.log != nil {
		m.debug = m.log.Threshold()
	}
	var serverID int64
	if v, ok := h.CoreParam("server_id"); ok && v.K == value.Int {
		serverID = v.I
	}
	m.uid.init(serverID)
	return nil
}

// plain adapts a function of the event alone to a compiled call.
func plain(f func(c *event.Context) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) { return f, nil }
}

// logf logs a line of the module on the event's logger.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}

// scriptFlags returns $sf, the pv module's script flags, compiled once;
// nil when the configuration does not load pv.
func (m *Module) scriptFlags(h module.Host) *pv.Ref {
	m.sfOnce.Do(func() {
		if r, err := h.CompilePV("$sf", diag.Range{}); err == nil && r.Writable() {
			m.sf = r
		}
	})
	return m.sf
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
