// Package pv is kamgo's pv module, Kamailio 5.6.3's pv module in Go: the
// variables ($var, $vz, $vn, $shv, $avp, $xavp, $xavi, $xavu), the SIP
// message classes ($ru, $fU, $hdr(name) ... read from runtime/sipmsg), the
// time, flag and branch classes, the transformation classes (s, uri,
// param, nameaddr, tobody, line, urialias) and the functions over them
// (pv_isset ... xavp_copy, sbranch_append, pv_evalx). README.md lists
// them and where kamgo differs from Kamailio.
package pv

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

// Module is one loaded pv module. Its shared variables ($shv) live here, so
// they survive events and are visible to every worker.
type Module struct {
	shvMu sync.RWMutex
	shv   map[string]value.Value

	// varset initial values, in modparam order, copied into each
	// worker's $var store.
	varInit []namedValue

	// The declared names of $var (and $vz) and of $vn; see vars.go.
	vars, vnulls varNames

	// host is the server the module was provisioned on (nil in unit
	// tests that do not provision it).
	host module.Host
}

type namedValue struct {
	name string
	val  value.Value
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "pv", New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{shv: map[string]value.Value{}}
}

func (m *Module) init() {
	if m.shv == nil {
		m.shv = map[string]value.Value{}
	}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	m.init()
	return module.Exports{
		Params: []module.Param{
			{Name: "shvset", Type: module.ParamStr, Multi: true},
			{Name: "varset", Type: module.ParamStr, Multi: true},
			{Name: "avp_aliases", Type: module.ParamStr, Multi: true},
		},
		Funcs:   m.funcs(),
		Classes: m.classes(),
		Trans:   transClasses(),
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	m.init()
	switch name {
	case "shvset", "varset":
		n, val, err := parseVarset(v.String())
		if err != nil {
			return fmt.Errorf("pv: %s: %v", name, err)
		}
		if name == "shvset" {
			m.shvMu.Lock()
			m.shv[n] = val
			m.shvMu.Unlock()
		} else {
			// varset declares the variable, before any reference in
			// the routes (pv_var_to_xavp("*") lists it first).
			m.varID(n)
			m.varInit = append(m.varInit, namedValue{n, val})
		}
		return nil
	case "avp_aliases":
		return nil
	}
	return fmt.Errorf("pv: unknown parameter %q", name)
}

// Provision implements module.Provisioner: the module keeps the host for
// the core parameters ($sid, $ccp).
func (m *Module) Provision(h module.Host) error {
	m.host = h
	return nil
}

// parseVarset parses "name=i:1" or "name=s:text".
func parseVarset(s string) (string, value.Value, error) {
	name, rest, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || len(rest) < 2 || rest[1] != ':' {
		return "", value.NullValue, fmt.Errorf("expected name=i:int or name=s:str, got %q", s)
	}
	switch rest[0] {
	case 'i', 'I':
		n, err := strconv.ParseInt(strings.TrimSpace(rest[2:]), 10, 32)
		if err != nil {
			return "", value.NullValue, fmt.Errorf("bad integer in %q", s)
		}
		return name, value.MakeInt(n), nil
	case 's', 'S':
		return name, value.MakeStr(rest[2:]), nil
	}
	return "", value.NullValue, fmt.Errorf("unknown type %q in %q", rest[0], s)
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
