// Package pv is kamgo's pv module: the pseudo-variable classes $var,
// $shv, $avp, $xavp, $env, $null, the time classes ($Ts, $Tf, $TS, $TV,
// $pp), the SIP message classes ($ci, $ru, $fU, $hdr(name) ... read from
// runtime/sipmsg), the transformation classes s, uri, param, nameaddr,
// tobody and line, and the functions pv_isset, pv_unset, is_int, typeof
// and not_empty.
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

	// varset initial values, copied into each worker's $var store.
	varInit map[string]value.Value

	// $var names get a slot number when a reference is compiled, so a
	// constant name costs a slice index per access, not a map lookup.
	varMu  sync.RWMutex
	varIDs map[string]int
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "pv", New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{shv: map[string]value.Value{}, varInit: map[string]value.Value{}}
}

func (m *Module) init() {
	if m.shv == nil {
		m.shv = map[string]value.Value{}
	}
	if m.varInit == nil {
		m.varInit = map[string]value.Value{}
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
			m.varInit[n] = val
		}
		return nil
	case "avp_aliases":
		return nil
	}
	return fmt.Errorf("pv: unknown parameter %q", name)
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
)
