// Package rtjson is kamgo's rtjson module: routing a request by a JSON
// document that names its destinations, as routing applications answer
// over evapi or HTTP. rtjson_init_routes keeps the document and a route
// index in an XAVP; rtjson_push_routes sets the Request-URI and the
// destination set from it (serial: the first route; parallel: every
// route), rtjson_next_route adds the next route of a serial document as a
// branch (failure_route), and rtjson_update_branch applies a route's
// per-branch settings (timers, extra headers) in branch_route.
//
// Return codes and log lines follow Kamailio 5.6.3's rtjson module; the
// package README lists where kamgo differs.
package rtjson

import (
	"errors"
	"fmt"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "rtjson.so"` names it.
const Name = "rtjson"

// defaultXavp is xavp_cfg's default: the XAVP that holds the document.
const defaultXavp = "rtjson"

func init() { module.Register(new(Module)) }

// Module is one loaded rtjson module.
type Module struct {
	xavp string // modparam xavp_cfg
	log  *klog.Logger

	// idxRef writes the route index: the first idx member of the first
	// XAVP named xavp.
	idxRef *pv.Ref
	// setFr is tm's t_set_fr (fr_inv, fr in milliseconds), nil without
	// tm: the timers of a route are then not applied, as in Kamailio.
	setFr func(c *event.Context, frInv, fr uint32)
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{xavp: defaultXavp} }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	none := func(run func(c *event.Context) int) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int { return rc(run(c)) }, nil
		}
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "xavp_cfg", Type: module.ParamStr, Default: value.MakeStr(defaultXavp)},
		},
		Funcs: []module.Func{
			{Name: "rtjson_init_routes", MinArgs: 1, MaxArgs: 1, Compile: m.compileInitRoutes},
			{Name: "rtjson_push_routes", Compile: none(m.pushRoutes)},
			{Name: "rtjson_next_route", Compile: none(m.nextRoute)},
			{Name: "rtjson_update_branch", Compile: none(m.updateBranch)},
		},
	}
}

// rc turns an internal result (0 done, <0 failed) into the functions'
// return code: 1 or -1.
func rc(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

// compileInitRoutes compiles rtjson_init_routes(doc): doc is a string
// with pseudo-variables (fixup_spve_null); an empty one is refused at run
// time.
func (m *Module) compileInitRoutes(h module.Host, args []*module.Arg) (module.Call, error) {
	doc, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		d := doc(c)
		if d == "" {
			m.logf(klog.Err, "w_rtjson_init_routes(): no routing information")
			return -1
		}
		return rc(m.initRoutes(c, d))
	}, nil
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "xavp_cfg":
		m.xavp = v.S
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: it checks the XAVP name and
// binds to tm, as Kamailio's mod_init does. Kamailio also binds to the
// uac module, for the From and To replacements of a route; kamgo has no
// uac module, so it logs what Kamailio logs when uac is not loaded.
func (m *Module) Provision(h module.Host) error {
	m.log = h.Log()
	if m.xavp == "" {
		m.logf(klog.Err, "mod_init(): invalid xavp name")
		return errors.New("rtjson: invalid xavp name")
	}
	ref, err := h.CompilePV("$xavp("+m.xavp+"[0]=>idx[0])", diag.Range{})
	if err != nil || !ref.Writable() {
		m.logf(klog.Err, "mod_init(): invalid xavp name")
		return fmt.Errorf("rtjson: invalid xavp name %q", m.xavp)
	}
	m.idxRef = ref
	m.setFr = bindSetFr(h)
	if m.setFr == nil {
		m.logf(klog.Warn, "load_tm_api(): Cannot import load_tm function from tm module")
		m.logf(klog.Notice, "rtjson_init(): cannot load the TM API - some features are disabled")
	}
	m.logf(klog.Warn, "load_uac_api(): failed to import bind_uac")
	m.logf(klog.Notice, "rtjson_init(): cannot bind to UAC API - some features are disabled")
	return nil
}

// bindSetFr finds tm's t_set_fr among the functions tm offers to other
// callers (its KEMI exports, which are Kamailio's tm API function of the
// same name), or nil when tm is not loaded.
func bindSetFr(h module.Host) func(c *event.Context, frInv, fr uint32) {
	mod, ok := h.Module("tm")
	if !ok {
		return nil
	}
	ke, ok := mod.(module.KEMIExporter)
	if !ok {
		return nil
	}
	for _, f := range ke.KEMI() {
		if f.Path() != "tm.t_set_fr" || len(f.Params) != 2 {
			continue
		}
		call := f.Call
		return func(c *event.Context, frInv, fr uint32) {
			call(h, c, []value.Value{value.MakeInt(int64(frInv)), value.MakeInt(int64(fr))})
		}
	}
	return nil
}

func (m *Module) logf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
