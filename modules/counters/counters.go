// Package counters is kamgo's counters module: counters the script
// defines (script_counter) and changes (cnt_inc, cnt_add, cnt_reset), and
// the cnt.* RPC commands that read and reset any counter of the server's
// registry (runtime/counters): the script's, the core's and the modules'
// statistics.
//
// Names, return codes and RPC replies follow Kamailio 5.6.3's counters
// module; the package README lists where kamgo differs.
package counters

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "counters.so"` names it.
const Name = "counters"

// defaultGroup is script_cnt_grp_name's default.
const defaultGroup = "script"

// defaultDoc describes a script counter defined without a description.
const defaultDoc = "counter defined by the script."

func init() { module.Register(new(Module)) }

// Module is one loaded counters module.
type Module struct {
	// group is script_cnt_grp_name: the group of names without one.
	group string
	// defs are the script_counter values, each with the group current
	// when it was set (Kamailio registers them as the modparam is read).
	defs []scriptCounter

	host module.Host
	log  *klog.Logger
	reg  *counters.Registry
}

type scriptCounter struct{ group, spec string }

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{group: defaultGroup} }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "script_cnt_grp_name", Type: module.ParamStr, Default: value.MakeStr(defaultGroup)},
			{Name: "script_counter", Type: module.ParamStr, Multi: true},
		},
		Funcs: []module.Func{
			{Name: "cnt_inc", MinArgs: 1, MaxArgs: 1, Compile: m.compileInc},
			{Name: "cnt_add", MinArgs: 2, MaxArgs: 2, Compile: m.compileAdd},
			{Name: "cnt_reset", MinArgs: 1, MaxArgs: 1, Compile: m.compileReset},
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "script_cnt_grp_name":
		m.group = value.ToStr(v)
	case "script_counter":
		m.defs = append(m.defs, scriptCounter{group: m.group, spec: value.ToStr(v)})
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	return nil
}

// RegisterCounters implements counters.Registrant: the script_counter
// definitions, "[group.]name[ description]" or "[group.]name:description".
// A counter defined twice is logged and kept, as Kamailio does.
func (m *Module) RegisterCounters(r *counters.Registry) error {
	m.reg = r
	for _, d := range m.defs {
		group, name, doc := parseDef(d.group, d.spec)
		_, err := r.Register(group, counters.Def{Name: name, Doc: doc})
		switch {
		case errors.Is(err, counters.ErrExists):
			m.log.Logf(klog.Err, Name, "add_script_counter(): counter %s.%s is defined twice", group, name)
		case err != nil:
			return fmt.Errorf("script_counter %q: %v", d.spec, err)
		}
	}
	return nil
}

// parseDef splits a script_counter value: the description follows the
// first ':' (or, without one, the first space), after blanks; the group
// precedes the first '.' of what is left.
func parseDef(group, spec string) (grp, name, doc string) {
	name, doc = spec, defaultDoc
	i := strings.IndexByte(spec, ':')
	if i < 0 {
		i = strings.IndexByte(spec, ' ')
	}
	if i >= 0 {
		name = spec[:i]
		if d := strings.TrimLeft(spec[i+1:], " \t"); d != "" {
			doc = d
		}
	}
	grp = group
	if g, n, ok := strings.Cut(name, "."); ok {
		grp, name = g, n
	}
	return grp, name, doc
}

// splitName splits a counter name as the functions take it: "group.name",
// or "name" in script_cnt_grp_name's group.
func (m *Module) splitName(s string) (group, name string) {
	if g, n, ok := strings.Cut(s, "."); ok {
		return g, n
	}
	return m.group, s
}

// lookup finds the counter a function names.
func (m *Module) lookup(s string) (*counters.Counter, error) {
	group, name := m.splitName(s)
	if m.reg != nil {
		if c, ok := m.reg.Lookup(group, name); ok {
			return c, nil
		}
	}
	return nil, fmt.Errorf("counter %s.%s is not defined (is there a script_counter for it?)", group, name)
}

var (
	_ module.Module       = (*Module)(nil)
	_ module.Exporter     = (*Module)(nil)
	_ module.ParamSetter  = (*Module)(nil)
	_ module.Provisioner  = (*Module)(nil)
	_ counters.Registrant = (*Module)(nil)
)
