package module

import (
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI is Kamailio's Embedded Interface: the functions a configuration
// written in an embedded language (Lua with app_lua) calls as
// KSR.<module>.<name>(...). A module declares its KEMI functions once,
// beside its native ones, by implementing KEMIExporter; the engine (a
// module implementing KEMIEngine) builds its KSR table from what the host
// lists (KEMIHost.KEMIExports), so nothing is declared twice.

// KEMIType is the type of a KEMI parameter or result, as Kamailio's
// sr_kemi_t tables declare them.
type KEMIType uint8

// KEMI types.
const (
	KEMINone KEMIType = iota // no value (a function that returns nothing)
	KEMIInt                  // a number; as a result, Kamailio's return code
	KEMIStr                  // a string
	KEMIBool                 // a result: true when the code is not 0
	KEMIXVal                 // a result known when the function returns: int, string, null, array or dict
)

func (t KEMIType) String() string {
	switch t {
	case KEMIInt:
		return "int"
	case KEMIStr:
		return "str"
	case KEMIBool:
		return "bool"
	case KEMIXVal:
		return "xval"
	}
	return "none"
}

// KEMIMaxParams is the most parameters a KEMI function takes
// (SR_KEMI_PARAMS_MAX).
const KEMIMaxParams = 6

// KEMIFunc declares one KEMI function: KSR.<Module>.<Name>, or KSR.<Name>
// when Module is empty (the core's logging and message functions). Module
// is the KSR sub-table, which need not be the module's own name (the pv
// module's functions are KSR.pvx). Call receives one value per parameter:
// an int for KEMIInt, a string for KEMIStr (the engine converts what the
// script passed, as Kamailio's engines do). A Call must not keep args.
// Ext is empty for a function Kamailio 5.6 exports to KEMI; otherwise it
// says where the function comes from (a newer release, "Kamailio 5.8", or
// "kamgo"), as Func.Ext does.
type KEMIFunc struct {
	Module string
	Name   string
	Params []KEMIType
	Ret    KEMIType
	Call   func(h Host, c *event.Context, args []value.Value) KEMIValue
	Ext    string
}

// Path returns the name scripts call the function by: "evapi.relay",
// "info".
func (f *KEMIFunc) Path() string {
	if f.Module == "" {
		return f.Name
	}
	return f.Module + "." + f.Name
}

// KEMIValue is what a KEMI function returns. For KEMIInt and KEMIBool
// results it is the return code (an int); for KEMIXVal an int, a string,
// null (nil in Lua), an Array or a Dict; for KEMINone it is ignored.
type KEMIValue struct {
	value.Value
	Array []KEMIValue   // an array when not nil
	Dict  []KEMIElement // a dict when not nil
	None  bool          // no value at all: the script gets nothing
}

// KEMIElement is one named member of a dict result.
type KEMIElement struct {
	Name  string
	Value KEMIValue
}

// KEMIRC returns a return code as a KEMI result.
func KEMIRC(rc int) KEMIValue { return KEMIValue{Value: value.MakeInt(int64(rc))} }

// KEMIOf returns a script value as a KEMI result.
func KEMIOf(v value.Value) KEMIValue { return KEMIValue{Value: v.Plain()} }

// KEMIVoid is the result of functions declared KEMINone.
var KEMIVoid = KEMIValue{None: true}

// KEMIExporter is implemented by modules that export functions to KEMI
// engines. KEMI is called on the loaded (provisioned) instance whose
// functions the Calls run, once per load; it must have no side effects, so
// that tools can list the declarations of a fresh instance too.
type KEMIExporter interface {
	KEMI() []KEMIFunc
}

// KEMIEngine is implemented by a module that runs routes written in an
// embedded language: app_lua for `cfgengine "lua"`.
type KEMIEngine interface {
	// KEMIEngineName is the name cfgengine selects the engine by ("lua").
	KEMIEngineName() string
	// KEMIRun runs the scripts' function fn on c (c.Worker set), with the
	// string argument arg when it is not empty (the event name for an
	// event callback). It returns the engine's result code: 1 when the
	// function ran or ended the script (KSR.x.exit), -1 when it failed (the
	// engine logged why). When the scripts define no function fn, ok is
	// false, and, when required, that is logged as an error.
	KEMIRun(c *event.Context, fn, arg string, required bool) (rc int, ok bool)
}

// KEMIHost is implemented by hosts that can run KEMI: runtime/server's.
type KEMIHost interface {
	// KEMIEngine returns the engine `cfgengine` selected, or nil when the
	// configuration's routes are native.
	KEMIEngine() KEMIEngine
	// KEMIExports returns every KEMI function the configuration offers:
	// the core's and those of each loaded module, in load order.
	KEMIExports() []KEMIFunc
}

// EngineOf returns the KEMI engine of the configuration h runs, or nil.
func EngineOf(h Host) KEMIEngine {
	if kh, ok := h.(KEMIHost); ok {
		return kh.KEMIEngine()
	}
	return nil
}

// RunEvent runs event route name on c the way Kamailio's modules raise
// events: the configuration's event_route[name] block when it has one,
// otherwise, when callback (the module's event_callback parameter) names a
// function and the configuration runs a KEMI engine, that function with the
// event name. ran is false when neither ran. With the native engine no
// callback runs, as in Kamailio (modules warn about that at load).
func RunEvent(h Host, c *event.Context, name, callback string) (rc int, ran bool) {
	if rc, ok := h.Run(c, event.Event(name)); ok {
		return rc, true
	}
	if callback == "" {
		return 0, false
	}
	eng := EngineOf(h)
	if eng == nil {
		return 0, false
	}
	c.Event = name
	c.Route = routetype.Event
	rc, _ = eng.KEMIRun(c, callback, name, false)
	return rc, true
}

// KEMICache compiles the pseudo-variables and format strings KEMI scripts
// name at run time ("$var(x)", "id=$evapi(conidx)\n"), once per text, as
// Kamailio's pv_cache does. It is safe for concurrent use. Texts beyond
// kemiCacheMax are compiled each time instead of kept.
type KEMICache struct {
	mu   sync.RWMutex
	pvs  map[string]*pv.Ref
	fmts map[string]*pv.Format
}

// kemiCacheMax bounds what a cache keeps, so that scripts building names
// from data cannot grow it without end.
const kemiCacheMax = 4096

// PV returns the compiled pseudo-variable text names. The text must be
// one pseudo-variable and nothing else.
func (kc *KEMICache) PV(h Host, text string) (*pv.Ref, error) {
	kc.mu.RLock()
	r, ok := kc.pvs[text]
	kc.mu.RUnlock()
	if ok {
		return r, nil
	}
	r, err := h.CompilePV(text, diag.Range{})
	if err != nil {
		return nil, err
	}
	kc.mu.Lock()
	if kc.pvs == nil {
		kc.pvs = map[string]*pv.Ref{}
	}
	if len(kc.pvs) < kemiCacheMax {
		kc.pvs[text] = r
	}
	kc.mu.Unlock()
	return r, nil
}

// Format returns the compiled format string text.
func (kc *KEMICache) Format(h Host, text string) (*pv.Format, error) {
	if !strings.Contains(text, "$") {
		return pv.ConstFormat(text), nil
	}
	kc.mu.RLock()
	f, ok := kc.fmts[text]
	kc.mu.RUnlock()
	if ok {
		return f, nil
	}
	f, err := h.CompileFormat(text, diag.Range{})
	if err != nil {
		return nil, err
	}
	kc.mu.Lock()
	if kc.fmts == nil {
		kc.fmts = map[string]*pv.Format{}
	}
	if len(kc.fmts) < kemiCacheMax {
		kc.fmts[text] = f
	}
	kc.mu.Unlock()
	return f, nil
}

// KEMIReloader is implemented by modules that keep scripts of their own
// (app_lua's load files): a reload of the configuration reads them again.
// PrepareReload reads and compiles them without touching the ones events
// run; commit makes the next events use the new ones. An error refuses
// the reload, and the running configuration and scripts are kept.
type KEMIReloader interface {
	PrepareReload() (commit func(), err error)
}
