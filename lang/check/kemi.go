package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
)

// CodeKEMICallback is a module parameter naming a KEMI function (evapi's
// event_callback ...) in a configuration whose routes are native.
const CodeKEMICallback = "KC1012"

func init() {
	diag.Register("lang/check", diag.Code{
		ID:    CodeKEMICallback,
		Title: "event callback without a KEMI engine",
		Explain: `Parameters named event_callback (and sl's and tm's event_callback_*) name a
function of an embedded language (KEMI) that the module calls for its
events, instead of event_route blocks. Kamailio calls it only when the
config selects such a language with cfgengine ("lua" with app_lua); with
native routes (no cfgengine, or "native") evapi, htable, dispatcher, sl,
tm and the others silently call nothing, so the events go unhandled.
xhttp, xmlrpc and kazoo refuse to start instead ("failed to find kemi
engine"), which is an error. Select the engine, or handle the events in
event_route blocks and drop the parameter.`,
		Example: `loadmodule "evapi.so"
modparam("evapi", "event_callback", "ksr_evapi_event")`,
		Fix: `loadmodule "evapi.so"
loadmodule "app_lua.so"
modparam("evapi", "event_callback", "ksr_evapi_event")
modparam("app_lua", "load", "/etc/kamailio/kamailio.lua")
cfgengine "lua"`,
	})
}

// kemiRefused are the modules whose start fails when their callback is
// set without a KEMI engine (their mod_init: "failed to find kemi
// engine"); the others never call it.
var kemiRefused = map[string]bool{"xhttp": true, "xmlrpc": true, "kazoo": true}

// kemiCallbacks reports each callback parameter set to a function name
// in a configuration without a KEMI engine. It needs the declarations
// pass: the loaded modules resolve the parameters.
func (c *checker) kemiCallbacks(cfg *ast.Config) {
	var params []*ast.ModParam
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.CfgEngine:
			// Kamailio keeps the last engine other than native (or
			// default) a cfgengine line selects.
			if !strings.EqualFold(n.Name, "native") && !strings.EqualFold(n.Name, "default") {
				return
			}
		case *ast.ModParam:
			if s, ok := n.Value.(*ast.StrLit); ok && s.Value != "" && isCallbackParam(n.Param) {
				params = append(params, n)
			}
		}
	}
	for _, n := range params {
		for _, m := range c.paramModules(n) {
			if p := m.Param(n.Param); p == nil || p.Type&catalog.Str == 0 {
				continue
			}
			fn := n.Value.(*ast.StrLit).Value
			if kemiRefused[m.Name] {
				d := c.errorf(CodeKEMICallback, n.Value.Span(), "%s's %s %q needs a KEMI engine: Kamailio does not start without one", m.Name, n.Param, fn)
				d.Detail = "select one with cfgengine (loadmodule \"app_lua.so\" and cfgengine \"lua\"), or drop the parameter and use event_route[" + m.Name + ":...]"
				continue
			}
			d := c.warnf(CodeKEMICallback, n.Value.Span(), "%s's %s %q is never called: the config's routes are native (no cfgengine)", m.Name, n.Param, fn)
			d.Detail = "Kamailio calls event callbacks only through a KEMI engine: add loadmodule \"app_lua.so\" and cfgengine \"lua\", or handle the events in event_route[" + m.Name + ":...] blocks"
		}
	}
}

// isCallbackParam reports whether a parameter name is one of Kamailio's
// KEMI callback parameters: event_callback, or event_callback_ and what
// the callback is for (sl's event_callback_fl_ack). htable's integer
// event_callback_mode has the prefix too; the catalog's type tells it
// apart.
func isCallbackParam(name string) bool {
	return name == "event_callback" || strings.HasPrefix(name, "event_callback_")
}

// paramModules are the loaded modules a modparam sets: the module it
// names, or those its pattern matches.
func (c *checker) paramModules(n *ast.ModParam) []*catalog.Module {
	re, err := n.ModulePattern()
	if err != nil {
		return nil
	}
	if re == nil {
		if lm, ok := c.loaded[n.Module]; ok {
			return []*catalog.Module{lm.mod}
		}
		return nil
	}
	var out []*catalog.Module
	for _, lm := range c.sortedLoaded() {
		if re.MatchString(lm.mod.Name) {
			out = append(out, lm.mod)
		}
	}
	return out
}
