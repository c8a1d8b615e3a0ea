package dialog

import (
	"fmt"
	"strconv"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The pseudo-variables: $DLG_count, $DLG_lifetime, $DLG_status,
// $dlg_ctx(name), $dlg(name) and $dlg_var(name).

func (m *Module) classes() []*pv.Class {
	plain := func(name string, get func(c *event.Context) value.Value) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(get), nil
		}}
	}
	return []*pv.Class{
		plain("DLG_count", func(*event.Context) value.Value { return uintVal(m.stats.active.Load()) }),
		plain("DLG_lifetime", func(c *event.Context) value.Value {
			x := ctxOf(c)
			if !x.curSet {
				return value.NullValue
			}
			return uintVal(x.curLifetime)
		}),
		plain("DLG_status", func(c *event.Context) value.Value {
			x := ctxOf(c)
			if !x.curSet {
				return value.NullValue
			}
			return uintVal(int64(x.curStatus))
		}),
		{Name: "dlg_ctx", Module: Name, Names: ctxNames, Compile: m.compileCtx},
		{Name: "dlg", Module: Name, Names: dlgNames, Compile: m.compileDlg},
		{Name: "dlg_var", Module: Name, Compile: m.compileVar},
	}
}

// uintVal is an integer as Kamailio's pv_get_uintval gives it: a number
// with its text.
func uintVal(n int64) value.Value {
	return value.MakeStrInt(strconv.FormatInt(n, 10), n)
}

// ctxNames are the names $dlg_ctx takes. Kamailio 5.6.3 also means to
// take "flags", but its parser compares one character too many and
// refuses it; so does kamgo.
var ctxNames = []string{"on", "set", "dir", "timeout", "timeout_bye", "timeout_route", "timeout_route_id"}

func pvName(p *ast.PVar) string {
	if p.Name == nil {
		return ""
	}
	return p.Name.Text
}

func (m *Module) compileCtx(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name := pvName(p)
	known := false
	for _, n := range ctxNames {
		known = known || n == name
	}
	if !known {
		return nil, fmt.Errorf("unknown PV name %s", name)
	}
	return &ctxSpec{m: m, name: name}, nil
}

// ctxSpec is $dlg_ctx(name).
type ctxSpec struct {
	m    *Module
	name string
}

func (s *ctxSpec) Get(c *event.Context) value.Value {
	x := ctxOf(c)
	switch s.name {
	case "timeout":
		return uintVal(x.timeout)
	case "timeout_bye":
		return uintVal(x.toBye)
	case "timeout_route":
		if x.toRoute > 0 || x.toRouteName != "" {
			return value.MakeStr(x.toRouteName)
		}
		return value.NullValue
	case "set":
		if x.hID == 0 {
			return uintVal(0)
		}
		return uintVal(1)
	case "dir":
		return uintVal(int64(x.dir))
	case "timeout_route_id":
		return value.MakeStrInt(strconv.FormatInt(x.toRoute, 10), x.toRoute)
	}
	return uintVal(x.on)
}

func (s *ctxSpec) Set(c *event.Context, v value.Value) error {
	x := ctxOf(c)
	var n int64
	if v.K == value.Int || v.Num {
		n = v.I
	}
	switch s.name {
	case "timeout":
		x.timeout = n
	case "timeout_bye":
		x.toBye = n
	case "timeout_route":
		name := ""
		if v.K == value.Str {
			name = v.S
		} else if n != 0 {
			name = strconv.FormatInt(n, 10)
		}
		x.toRouteName = name
		x.toRoute = 0
		if name != "" && s.m.host != nil && s.m.host.Has(event.Route(name, 0)) {
			x.toRoute = 1
		}
	case "set", "dir", "timeout_route_id":
	default:
		x.on = n
	}
	return nil
}

var dlgNames = []string{"ref", "h_id", "h_entry", "state", "to_rs", "dflags", "sflags", "callid", "to_uri",
	"to_tag", "toroute", "to_cseq", "from_rs", "from_uri", "from_tag", "lifetime", "start_ts", "from_cseq",
	"to_contact", "to_bindaddr", "from_contact", "from_bindaddr"}

func (m *Module) compileDlg(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name := pvName(p)
	known := false
	for _, n := range dlgNames {
		known = known || n == name
	}
	if !known {
		return nil, fmt.Errorf("unknown PV name %s", name)
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		m.mu.Lock()
		defer m.mu.Unlock()
		d := m.msgDialog(c)
		if d == nil {
			return value.NullValue
		}
		return dlgField(d, name)
	}), nil
}

// dlgField is one field of $dlg(name). m.mu must be held.
func dlgField(d *dlg, name string) value.Value {
	str := func(s string) value.Value {
		if s == "" {
			return value.NullValue
		}
		return value.MakeStr(s)
	}
	sock := func(i int) value.Value {
		if d.bind[i] == nil {
			return value.NullValue
		}
		return value.MakeStr(d.bind[i].String())
	}
	switch name {
	case "h_id":
		return uintVal(int64(d.hID))
	case "h_entry":
		return uintVal(int64(d.hEntry))
	case "state":
		return uintVal(int64(d.state))
	case "to_rs":
		return str(d.routeSet[callee])
	case "dflags":
		return uintVal(int64(d.dflags))
	case "sflags":
		return uintVal(int64(d.sflags))
	case "callid":
		return str(d.callID)
	case "to_uri":
		return str(d.toURI)
	case "to_tag":
		return str(d.tag[callee])
	case "toroute":
		return value.MakeStrInt(strconv.Itoa(d.toroute), int64(d.toroute))
	case "to_cseq":
		return str(d.cseq[callee])
	case "from_rs":
		return str(d.routeSet[caller])
	case "from_uri":
		return str(d.fromURI)
	case "from_tag":
		return str(d.tag[caller])
	case "lifetime":
		return uintVal(int64(d.lifetime))
	case "start_ts":
		return uintVal(d.startTS)
	case "from_cseq":
		return str(d.cseq[caller])
	case "to_contact":
		return str(d.contact[callee])
	case "to_bindaddr":
		return sock(callee)
	case "from_contact":
		return str(d.contact[caller])
	case "from_bindaddr":
		return sock(caller)
	}
	return uintVal(int64(d.ref))
}

func (m *Module) compileVar(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name := pvName(p)
	if name == "" {
		return nil, fmt.Errorf("invalid dialog variable name")
	}
	return &varSpec{m: m, name: name}, nil
}

// varSpec is $dlg_var(name): a variable of the event's dialog, or of the
// event itself before the dialog exists (it goes to the dialog made
// later for the same request).
type varSpec struct {
	m    *Module
	name string
}

var varsKey = event.NewKey()

// localVars is the event's own variable list.
func localVars(c *event.Context) *[]dvar {
	if v, ok := c.Get(varsKey).(*[]dvar); ok {
		return v
	}
	v := &[]dvar{}
	c.Set(varsKey, v)
	return v
}

func (s *varSpec) Get(c *event.Context) value.Value {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	list := localVars(c)
	if d := s.m.msgDialog(c); d != nil {
		list = &d.vars
	}
	for _, v := range *list {
		if v.key == s.name {
			return value.MakeStr(v.val)
		}
	}
	return value.NullValue
}

func (s *varSpec) Set(c *event.Context, v value.Value) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	list := localVars(c)
	d := s.m.msgDialog(c)
	if d != nil {
		list = &d.vars
	}
	if v.IsNull() || (v.K == value.Str && v.S == "") {
		setVar(list, s.name, "", false)
		return nil
	}
	if v.K != value.Str {
		return fmt.Errorf("non-string values are not supported")
	}
	setVar(list, s.name, v.S, true)
	if d != nil {
		d.dflags |= dflagChangedVars
	}
	return nil
}

// setVar replaces, adds (at the front, as Kamailio's list does) or, when
// !set, removes a variable.
func setVar(list *[]dvar, key, val string, set bool) {
	for i, v := range *list {
		if v.key != key {
			continue
		}
		if !set {
			*list = append((*list)[:i], (*list)[i+1:]...)
		} else {
			(*list)[i].val = val
		}
		return
	}
	if set {
		*list = append([]dvar{{key: key, val: val}}, *list...)
	}
}
