package pv

import (
	"fmt"
	"os"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Pseudo-variables that are not about the message: $_s, $cnt, $true,
// $sid, $mi, $pp, $version, $ksr, $stat, $sel, $ccp, $err.*, $env and
// $null.

// The version kamgo reports: the Kamailio release whose behaviour it
// follows.
const (
	kamVersion    = "5.6.3"
	kamVersionVal = 5006003
	kamFull       = "kamailio 5.6.3 (x86_64/linux)"
	kamHash       = "unknown"
)

func (m *Module) miscClasses() []*pv.Class {
	errNames := []string{"err.class", "err.level", "err.info", "err.rcode", "err.rreason"}
	out := []*pv.Class{
		{Name: "_s", Module: "pv", Compile: compileFormatClass},
		{Name: "cnt", Module: "pv", Compile: compileCnt},
		fixedClass("true", func(*event.Context) value.Value { return value.MakeInt(1) }),
		fixedClass("sid", func(*event.Context) value.Value {
			if v, ok := m.coreParam("server_id"); ok {
				return v
			}
			return value.MakeInt(0)
		}),
		specClass("mi", msg(func(msg *sipmsg.Msg) value.Value { return uintValue(int64(msg.ID)) })),
		fixedClass("pp", func(*event.Context) value.Value { return value.MakeInt(int64(os.Getpid())) }),
		namedClass("version", map[string]pv.Spec{
			"num":  constSpec(value.MakeStr(kamVersion)),
			"full": constSpec(value.MakeStr(kamFull)),
			"hash": constSpec(value.MakeStr(kamHash)),
		}),
		namedClass("ksr", map[string]pv.Spec{
			"ver":    constSpec(value.MakeStr(kamVersion)),
			"verval": constSpec(uintValue(kamVersionVal)),
		}),
		{Name: "stat", Module: "pv", Compile: m.compileStat},
		{Name: "sel", Module: "pv", Compile: m.compileSelect},
		{Name: "ccp", Module: "pv", Compile: m.compileCcp},
		{Name: "env", Module: "pv", Compile: compileEnv},
		fixedClass("null", func(*event.Context) value.Value { return value.NullValue }),
	}
	// The error information of the SER core is never set in Kamailio.
	for _, n := range errNames {
		out = append(out, fixedClass(n, nullGetter))
	}
	return out
}

func constSpec(v value.Value) pv.Spec {
	return pv.GetterFunc(func(*event.Context) value.Value { return v })
}

// coreParam reads a core parameter of the loaded configuration.
func (m *Module) coreParam(name string) (value.Value, bool) {
	if m.host == nil {
		return value.NullValue, false
	}
	return m.host.CoreParam(name)
}

// nameOf compiles a class's inner name: fixed text, or a format evaluated
// per read when it holds pseudo-variables.
func nameOf(t *pv.Table, p *ast.PVar) (func(c *event.Context) string, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("missing name")
	}
	if p.Name.Dyn != nil {
		f, err := t.CompileFormat(p.Name.Dyn)
		if err != nil {
			return nil, err
		}
		return f.String, nil
	}
	s := p.Name.Text
	return func(*event.Context) string { return s }, nil
}

// compileFormatClass is $_s(format): the format string, expanded.
func compileFormatClass(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	f, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return pv.GetterFunc(func(c *event.Context) value.Value { return value.MakeStr(f(c)) }), nil
}

func compileEnv(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		if v, ok := os.LookupEnv(name(c)); ok {
			return value.MakeStr(v)
		}
		return value.NullValue
	}), nil
}

// compileStat is $stat(name): the value of the last statistic registered
// with that name (group not written), as an unsigned 32-bit number, the
// way Kamailio's pv reads it. An unknown name reads null with Kamailio's
// warning.
func (m *Module) compileStat(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	name := p.Name.Text
	var reg *counters.Registry
	if h, ok := m.host.(counters.Host); ok {
		reg = h.Counters()
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		if reg != nil {
			if k, ok := reg.Lookup("", name); ok {
				return value.MakeInt(int64(uint32(k.Value())))
			}
		}
		logf(c, klog.Warn, "pv_get_stat(): No stat variable ``%s''", name)
		return value.NullValue
	}), nil
}

// compileCnt is $cnt($avp(name)) and $cnt($xavp(...)): how many values
// the variable has (see cntXavp for the xavp forms).
func compileCnt(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("missing name")
	}
	in, d := pvsyntax.ParsePV(p.Name.Text, diag.Range{})
	if d != nil {
		return nil, fmt.Errorf("cannot find pv name [%s]", p.Name.Text)
	}
	switch in.Class {
	case "avp":
		s, err := compileAvp(t, in)
		if err != nil {
			return nil, err
		}
		a := s.(*avpSpec)
		return pv.GetterFunc(func(c *event.Context) value.Value {
			return uintValue(int64(len(avps(c)[a.name(c)])))
		}), nil
	case "xavp":
		if in.Name == nil {
			return nil, fmt.Errorf("invalid XAVP definition")
		}
		r, err := parseXref(t, in.Name.Text)
		if err != nil {
			return nil, err
		}
		return pv.GetterFunc(func(c *event.Context) value.Value { return cntXavp(c, r) }), nil
	}
	return nil, fmt.Errorf("expected avp or xavp name instead of [%s]", p.Name.Text)
}

// cntXavp counts as Kamailio's $cnt does: without an index or with [*]
// every item of the name counts; with an index the answer is 1 or 0
// (whether it exists); with a key, the children of that key are counted
// over the selected root items.
func cntXavp(c *event.Context, r xref) value.Value {
	f := &eventXavps(c).xavp
	idx, rootAll, err := r.root.idx.eval(c)
	if err != nil {
		return value.NullValue
	}
	rootAll = rootAll || !r.root.idx.set
	var items []*xitem
	if rootAll {
		for it := f.get(r.root.name, nil, 0); it != nil; it = f.next(f.root, it) {
			items = append(items, it)
		}
	} else {
		if idx < 0 {
			idx += f.count(r.root.name, nil)
		}
		if it := f.get(r.root.name, nil, idx); it != nil {
			items = append(items, it)
		}
	}
	if !r.hasKey {
		return uintValue(int64(len(items)))
	}
	kidx, subAll, err := r.key.idx.eval(c)
	if err != nil {
		return value.NullValue
	}
	subAll = subAll || !r.key.idx.set
	n := 0
	for _, it := range items {
		sub := it.childList()
		if sub == nil {
			continue
		}
		if subAll {
			n += f.count(r.key.name, sub)
			continue
		}
		i := kidx
		if i < 0 {
			i += f.count(r.key.name, sub)
		}
		if f.get(r.key.name, sub, i) != nil {
			n++
		}
	}
	return uintValue(int64(n))
}

// compileCcp is $ccp(group.name), a configuration variable. kamgo keeps
// the core group ("core.debug" ...) as the configuration's core
// parameters; they cannot be changed at run time.
func (m *Module) compileCcp(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	name := p.Name.Text
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i >= len(name)-1 {
		return nil, fmt.Errorf("invalid PV ccp key: %s", name)
	}
	group, vname := name[:i], name[i+1:]
	return pvGetSet{
		get: func(c *event.Context) value.Value {
			if group == "core" {
				if v, ok := m.coreParam(vname); ok {
					return v
				}
			}
			logf(c, klog.Err, "failed to get the variable [%s]", name)
			return value.NullValue
		},
		set: func(c *event.Context, v value.Value) error {
			if v.IsNull() {
				logf(c, klog.Warn, "ignoring null asignment")
				return nil
			}
			logf(c, klog.Err, "failed to set the variable: [%s]", name)
			return fmt.Errorf("configuration variables are read-only in kamgo")
		},
	}, nil
}

// pvGetSet is a writable spec made of two functions.
type pvGetSet struct {
	get func(c *event.Context) value.Value
	set func(c *event.Context, v value.Value) error
}

func (s pvGetSet) Get(c *event.Context) value.Value          { return s.get(c) }
func (s pvGetSet) Set(c *event.Context, v value.Value) error { return s.set(c, v) }
