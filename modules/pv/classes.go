package pv

import (
	"sort"

	"github.com/kamgo/kamgo/runtime/pv"
)

// classes lists every pseudo-variable class the module registers.
func (m *Module) classes() []*pv.Class {
	out := []*pv.Class{
		{Name: "var", Module: "pv", Compile: m.compileVar(false)},
		{Name: "vz", Module: "pv", Compile: m.compileVar(false)},
		{Name: "vn", Module: "pv", Compile: m.compileVar(true)},
		{Name: "shv", Module: "pv", Compile: m.compileShv},
		{Name: "avp", Module: "pv", Compile: compileAvp},
		{Name: "xavp", Module: "pv", Compile: compileXavpClass(familyXavp)},
		{Name: "xavi", Module: "pv", Compile: compileXavpClass(familyXavi)},
		{Name: "xavu", Module: "pv", Compile: compileXavu},
	}
	out = append(out, timeClasses()...)
	out = append(out, m.miscClasses()...)
	out = append(out, m.newerClasses()...)
	return append(out, m.msgClasses()...)
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
