package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// eventRoute warns about event_route names no loaded module raises.
func (c *checker) eventRoute(r *ast.Route) {
	owner, ok := c.cat.EventOwner(r.Name)
	if ok && (owner == "core" || c.loadedByName(owner)) {
		return
	}
	d := c.warnf(CodeUnknownEvent, r.NameRange, "no loaded module raises event_route[%s]", r.Name)
	if ok {
		d.Detail = "it is raised by module " + owner + ": missing loadmodule \"" + owner + ".so\"?"
	} else if i := strings.IndexByte(r.Name, ':'); i > 0 {
		var names []string
		if m := c.cat.Module(r.Name[:i]); m != nil {
			names = m.Events
		}
		if s := diag.Suggest(r.Name, names); s != "" {
			d.Detail = "did you mean event_route[" + s + "]?"
		}
	}
}

func (c *checker) loadedByName(name string) bool {
	_, ok := c.loaded[name]
	return ok
}
