package cfgrpc

import (
	"context"
	"errors"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/value"
)

// The fault texts. The codes are Kamailio's; the texts say the same
// thing in kamgo's words.
const (
	faultGroupSyntax   = `Bad group name: give "group" or "group[id]"`
	faultInstSyntax    = `Bad group name: give "group[id]"`
	faultSet           = "Cannot set the variable"
	faultDel           = "Cannot delete the value"
	faultCommit        = "Cannot commit the prepared changes"
	faultGet           = "Cannot read the variable"
	faultUnreadable    = "The variable exists but cannot be read through RPC"
	faultParams        = "Cannot read the parameters"
	faultHelp          = "Cannot read the description of the variable"
	faultDiff          = "Cannot list the prepared changes"
	faultAddInst       = "Cannot add the group instance"
	faultDelInst       = "Cannot delete the group instance"
	faultReset         = "Cannot reset the group"
	helpInt, helpStr   = "(the value is an integer)", "(the value is a string)"
	docSetNow          = "Sets a configuration variable and commits it at once: group or group[id], variable, value."
	docSetDelayed      = "Prepares the change of a configuration variable without committing it: group or group[id], variable, value."
	docDelNow          = "Removes the value a group instance set for a variable, at once: group[id], variable."
	docDelDelayed      = "Prepares the removal of the value a group instance set for a variable: group[id], variable."
	docCommit          = "Commits the prepared changes together."
	docRollback        = "Drops the prepared changes."
	docGet             = "The value of a configuration variable, or of all the variables of a group: group or group[id] [, variable]."
	docReset           = "Sets every variable of a group back to its declared value, at once: group or group[id]."
	docHelp            = "The description and the type of a configuration variable: group, variable."
	docList            = "The configuration variables, as \"group: variable\", of every group or of one: [group]."
	docDiff            = "The prepared changes that are not committed yet."
	docAddInst         = "Adds an instance to a configuration group: group[id]."
	docDelInst         = "Deletes an instance of a configuration group: group[id]."
	setInt, setStr     = 1, 2
	setAny             = setInt | setStr
	nowMode, delayMode = false, true
)

// RPC implements rpc.Provider: Kamailio 5.6.3's cfg_rpc table.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "cfg.set", Doc: docSetNow, Handler: m.set(nowMode, setAny)},
		{Name: "cfg.set_now_int", Doc: docSetNow, Handler: m.set(nowMode, setInt)},
		{Name: "cfg.seti", Doc: docSetNow, Handler: m.set(nowMode, setInt)},
		{Name: "cfg.set_now_string", Doc: docSetNow, Handler: m.set(nowMode, setStr)},
		{Name: "cfg.sets", Doc: docSetNow, Handler: m.set(nowMode, setStr)},
		{Name: "cfg.del", Doc: docDelNow, Handler: m.del(nowMode)},
		{Name: "cfg.set_delayed", Doc: docSetDelayed, Handler: m.set(delayMode, setAny)},
		{Name: "cfg.set_delayed_int", Doc: docSetDelayed, Handler: m.set(delayMode, setInt)},
		{Name: "cfg.set_delayed_string", Doc: docSetDelayed, Handler: m.set(delayMode, setStr)},
		{Name: "cfg.del_delayed", Doc: docDelDelayed, Handler: m.del(delayMode)},
		{Name: "cfg.commit", Doc: docCommit, Handler: m.commit},
		{Name: "cfg.rollback", Doc: docRollback, Handler: m.rollback},
		{Name: "cfg.get", Doc: docGet, Handler: m.get},
		{Name: "cfg.reset", Doc: docReset, Handler: m.reset},
		{Name: "cfg.help", Doc: docHelp, Handler: m.help},
		{Name: "cfg.list", Doc: docList, Handler: m.list, Array: true},
		{Name: "cfg.diff", Doc: docDiff, Handler: m.diff},
		{Name: "cfg.add_group_inst", Doc: docAddInst, Handler: m.addInst},
		{Name: "cfg.del_group_inst", Doc: docDelInst, Handler: m.delInst},
	}
}

// target reads the group parameter; ok is false when the call faulted.
// needID asks for the group[id] form.
func target(c *rpc.Call, needID bool) (cfgvars.Target, bool) {
	s, ok := c.NextStr()
	if !ok {
		return cfgvars.Target{}, false
	}
	t, err := cfgvars.ParseTarget(s)
	switch {
	case needID && (err != nil || !t.Inst):
		c.Fault(rpc.CodeBadRequest, faultInstSyntax)
		return t, false
	case err != nil:
		c.Fault(rpc.CodeBadRequest, faultGroupSyntax)
		return t, false
	}
	return t, true
}

// newValue reads the value parameter: an integer for setInt, a string for
// setStr; setAny takes an integer when the parameter is one, else a string,
// as Kamailio's cfg.set tries both.
func newValue(c *rpc.Call, kinds int) (value.Value, bool) {
	if kinds == setAny {
		if v := c.Param(len(c.Params) - c.Remaining()); v != nil && (v.Kind == rpc.Int || v.Kind == rpc.Bool || (v.Kind == rpc.Double && c.Convert)) {
			kinds = setInt
		} else {
			kinds = setStr
		}
	}
	if kinds == setInt {
		n, ok := c.NextInt()
		// The parameter is a C int.
		return value.MakeInt(int64(int32(n))), ok
	}
	s, ok := c.NextStr()
	return value.MakeStr(s), ok
}

func (m *Module) set(delayed bool, kinds int) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		grp, ok := c.NextStr()
		if !ok {
			return
		}
		name, ok := c.NextStr()
		if !ok {
			return
		}
		t, err := cfgvars.ParseTarget(grp)
		if err != nil {
			c.Fault(rpc.CodeBadRequest, faultGroupSyntax)
			return
		}
		v, ok := newValue(c, kinds)
		if !ok {
			return
		}
		if delayed {
			err = m.ctx.SetDelayed(t, name, v)
		} else {
			err = m.store.SetNow(t, name, v)
		}
		if err != nil {
			c.Fault(rpc.CodeBadRequest, faultSet)
		}
	}
}

func (m *Module) del(delayed bool) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		grp, ok := c.NextStr()
		if !ok {
			return
		}
		name, ok := c.NextStr()
		if !ok {
			return
		}
		t, err := cfgvars.ParseTarget(grp)
		if err != nil || !t.Inst {
			c.Fault(rpc.CodeBadRequest, faultInstSyntax)
			return
		}
		if delayed {
			err = m.ctx.DelDelayed(t, name)
		} else {
			err = m.store.DelNow(t, name)
		}
		if err != nil {
			c.Fault(rpc.CodeBadRequest, faultDel)
		}
	}
}

func (m *Module) commit(_ context.Context, c *rpc.Call) {
	if err := m.ctx.Commit(); err != nil {
		c.Fault(rpc.CodeBadRequest, faultCommit)
	}
}

func (m *Module) rollback(_ context.Context, _ *rpc.Call) {
	m.ctx.Rollback()
}

// rpcValue is a variable's value as a reply value.
func rpcValue(v value.Value) *rpc.Value {
	if v.K == value.Int {
		return rpc.NewInt(v.I)
	}
	return rpc.NewStr(v.S)
}

// get answers one variable's value, or a structure of every readable
// variable of the group (empty for a group that does not exist).
func (m *Module) get(_ context.Context, c *rpc.Call) {
	if c.Remaining() == 0 {
		c.Fault(rpc.CodeInternal, faultParams)
		return
	}
	t, ok := target(c, false)
	if !ok {
		return
	}
	name, present, ok := c.OptStr()
	if !ok {
		return
	}
	if present && name != "" {
		v, _, err := m.store.Get(t, name)
		switch {
		case errors.Is(err, cfgvars.ErrUnreadable):
			c.Fault(rpc.CodeBadRequest, faultUnreadable)
		case err != nil:
			c.Fault(rpc.CodeBadRequest, faultGet)
		default:
			c.Add(rpcValue(v))
		}
		return
	}
	st := c.AddStruct()
	g, found := m.store.Group(t.Group)
	if !found {
		return
	}
	for _, d := range g.Defs() {
		if !d.Readable() {
			continue
		}
		v, _, err := m.store.Get(t, d.Name)
		if err != nil {
			c.Fault(rpc.CodeBadRequest, faultGet)
			return
		}
		st.Set(d.Name, rpcValue(v))
	}
}

// reset sets each variable of the group that can be read back to the
// value it was declared with, at once, stopping at the first one refused.
func (m *Module) reset(_ context.Context, c *rpc.Call) {
	t, ok := target(c, false)
	if !ok {
		return
	}
	g, found := m.store.Group(t.Group)
	if !found {
		return
	}
	for _, d := range g.Defs() {
		v, err := m.store.Declared(t.Group, d.Name)
		if err != nil {
			continue
		}
		if err := m.store.SetNow(t, d.Name, v); err != nil {
			c.Fault(rpc.CodeInternal, faultReset)
			return
		}
	}
}

// help answers the description (null when there is none) and the type.
func (m *Module) help(_ context.Context, c *rpc.Call) {
	grp, ok := c.NextStr()
	if !ok {
		return
	}
	name, ok := c.NextStr()
	if !ok {
		return
	}
	d, err := m.store.Help(grp, name)
	if err != nil {
		c.Fault(rpc.CodeBadRequest, faultHelp)
		return
	}
	if d.Descr == "" {
		c.Add(&rpc.Value{Kind: rpc.Null})
	} else {
		c.Add(rpc.NewStr(d.Descr))
	}
	in := d.Input
	if in == 0 {
		in = d.Type
	}
	if in == cfgvars.Int {
		c.Printf("%s", helpInt)
	} else {
		c.Printf("%s", helpStr)
	}
}

// list answers "group: variable" for every variable, of one group when a
// name is given.
func (m *Module) list(_ context.Context, c *rpc.Call) {
	only, _, ok := c.OptStr()
	if !ok {
		return
	}
	for _, g := range m.store.Groups() {
		if only != "" && g.Name() != only {
			continue
		}
		for _, d := range g.Defs() {
			c.Printf("%s: %s", g.Name(), d.Name)
		}
	}
}

// diff answers one structure per prepared change.
func (m *Module) diff(_ context.Context, c *rpc.Call) {
	changes, err := m.ctx.Diff()
	if err != nil {
		c.Fault(rpc.CodeBadRequest, faultDiff)
		return
	}
	for _, ch := range changes {
		st := c.AddStruct().Set("group name", rpc.NewStr(ch.Target.Group))
		if ch.Target.Inst {
			st.Set("group id", rpc.NewInt(int64(ch.Target.ID)))
		}
		st.Set("variable name", rpc.NewStr(ch.Var))
		st.Set("old value", rpcValue(ch.Old)).Set("new value", rpcValue(ch.New))
	}
}

func (m *Module) addInst(_ context.Context, c *rpc.Call) {
	t, ok := target(c, true)
	if !ok {
		return
	}
	if err := m.store.AddInstance(t.Group, t.ID); err != nil {
		c.Fault(rpc.CodeBadRequest, faultAddInst)
	}
}

func (m *Module) delInst(_ context.Context, c *rpc.Call) {
	t, ok := target(c, true)
	if !ok {
		return
	}
	if err := m.store.DelInstance(t.Group, t.ID); err != nil {
		c.Fault(rpc.CodeBadRequest, faultDelInst)
	}
}
