package counters

import (
	"context"

	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: the cnt.* commands of Kamailio 5.6.3 (each
// list under two names, as there).
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "cnt.get", Doc: "A counter's value (group and name), or all of a group's (group only).", Handler: m.rpcGet},
		{Name: "cnt.reset", Doc: "Reset a counter (group and name).", Handler: m.rpcReset},
		{Name: "cnt.get_raw", Doc: "A counter's stored value, not computed (group and name).", Handler: m.rpcGetRaw},
		{Name: "cnt.list_groups", Doc: "The names of the counter groups.", Handler: m.rpcGroups, Array: true},
		{Name: "cnt.grps_list", Doc: "The names of the counter groups.", Handler: m.rpcGroups, Array: true},
		{Name: "cnt.list_vars", Doc: "The names of a group's counters.", Handler: m.rpcVars, Array: true},
		{Name: "cnt.var_list", Doc: "The names of a group's counters.", Handler: m.rpcVars, Array: true},
		{Name: "cnt.get_vars", Doc: "The names and values of a group's counters.", Handler: m.rpcGroupAll},
		{Name: "cnt.grp_get_all", Doc: "The names and values of a group's counters.", Handler: m.rpcGroupAll},
		{Name: "cnt.help", Doc: "A counter's description (group and name).", Handler: m.rpcHelp},
	}
}

// registry is the registry the commands read: the one the module
// registered its counters in, else the host's.
func (m *Module) registry() *counters.Registry {
	if m.reg != nil {
		return m.reg
	}
	if h, ok := m.host.(counters.Host); ok {
		return h.Counters()
	}
	return counters.NewRegistry()
}

// named reads a group and a counter name and finds the counter; it faults
// the call when there is none.
func (m *Module) named(c *rpc.Call) (*counters.Counter, bool) {
	group, ok := c.NextStr()
	if !ok {
		return nil, false
	}
	name, ok := c.NextStr()
	if !ok {
		return nil, false
	}
	return m.find(c, group, name)
}

func (m *Module) find(c *rpc.Call, group, name string) (*counters.Counter, bool) {
	k, ok := m.registry().Lookup(group, name)
	if !ok {
		c.Fault(rpc.CodeBadRequest, "no such counter: %s.%s", group, name)
	}
	return k, ok
}

// intValue is a value as the cnt commands send it: a C int.
func intValue(v int64) *rpc.Value { return rpc.NewInt(int64(int32(v))) }

func (m *Module) rpcGet(_ context.Context, c *rpc.Call) {
	group, ok := c.NextStr()
	if !ok {
		return
	}
	name, present, ok := c.OptStr()
	if !ok {
		return
	}
	if !present {
		m.groupAll(c, group)
		return
	}
	if k, ok := m.find(c, group, name); ok {
		c.Add(intValue(k.Value()))
	}
}

func (m *Module) rpcReset(_ context.Context, c *rpc.Call) {
	if k, ok := m.named(c); ok {
		k.Reset()
	}
}

func (m *Module) rpcGetRaw(_ context.Context, c *rpc.Call) {
	if k, ok := m.named(c); ok {
		c.Add(intValue(k.Raw()))
	}
}

func (m *Module) rpcGroups(_ context.Context, c *rpc.Call) {
	for _, g := range m.registry().Groups() {
		c.Add(rpc.NewStr(g))
	}
}

func (m *Module) rpcVars(_ context.Context, c *rpc.Call) {
	group, ok := c.NextStr()
	if !ok {
		return
	}
	for _, k := range m.registry().Vars(group) {
		c.Add(rpc.NewStr(k.Name()))
	}
}

func (m *Module) rpcGroupAll(_ context.Context, c *rpc.Call) {
	group, ok := c.NextStr()
	if !ok {
		return
	}
	m.groupAll(c, group)
}

// groupAll answers one structure, a member per counter of the group (an
// empty structure for a group that does not exist).
func (m *Module) groupAll(c *rpc.Call, group string) {
	s := c.AddStruct()
	for _, k := range m.registry().Vars(group) {
		s.Set(k.Name(), intValue(k.Value()))
	}
}

func (m *Module) rpcHelp(_ context.Context, c *rpc.Call) {
	if k, ok := m.named(c); ok {
		c.Add(rpc.NewStr(k.Doc()))
	}
}

var _ rpc.Provider = (*Module)(nil)
