package catalog

import (
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
)

// Form is one exported signature of a function.
type Form struct {
	Args   int // -1 = variadic
	Routes routetype.Mask
	Runs   bool // kamgo implements this form (set by Join)
	// Kinds says what the function's fixup requires of each argument; nil
	// when the catalog has no fixup facts for the form (nothing checked).
	Kinds []ArgKind
}

// Func is a script function (module export or core action).
type Func struct {
	Name, Module string
	Forms        []Form
	Bare         bool // core actions that may be written without parentheses
	// API marks an export other modules bind to (bind_json ...): in the
	// table, but not a script function.
	API bool
	Ext string // see Param.Ext
}

// Accepts returns the first form taking nargs arguments, as Kamailio picks
// the first matching export.
func (f *Func) Accepts(nargs int) (Form, bool) {
	for _, fo := range f.Forms {
		if fo.Args == nargs || fo.Args == -1 {
			return fo, true
		}
	}
	return Form{}, false
}

// AcceptsIn reports whether the function may be called with nargs arguments
// inside a block of route type rt.
func (f *Func) AcceptsIn(nargs int, rt routetype.Mask) bool {
	for _, fo := range f.Forms {
		if (fo.Args == nargs || fo.Args == -1) && fo.Routes.Allows(rt) {
			return true
		}
	}
	return false
}

// ParamType is the set of value kinds a modparam accepts.
type ParamType uint8

const (
	Int ParamType = 1 << iota // modparam("m", "p", 10)
	Str                       // modparam("m", "p", "text")
)

// Param is a module parameter. Repeat marks "use func" parameters, which
// hand each value to a function and so may be set several times to
// accumulate (e.g. several htable definitions).
type Param struct {
	Name   string
	Type   ParamType
	Repeat bool
	Runs   bool // kamgo implements it (set by Join)
	// Ext is empty for facts of the catalog's release; for what Join adds
	// it names the origin: a newer Kamailio release ("Kamailio 5.7") or
	// "kamgo".
	Ext string
}

// Accepts reports whether a value of kind t may be assigned.
func (p *Param) Accepts(t ParamType) bool { return p.Type&t != 0 }

// PVClass is a pseudo-variable class such as $var or $T.
type PVClass struct {
	Name, Module string
	Names        []string // nil = any inner name (or none)
	Inner        Inner    // whether Kamailio wants an inner name
	Writable     bool
	Runs         bool   // kamgo implements it (set by Join)
	Ext          string // see Param.Ext
}

// Inner is whether a pseudo-variable class takes an inner name
// ($class(name)). Kamailio decides it by the class's name parser
// (pv_export_t's parse_name): with one, $class alone is refused ("expects
// an inner name"); without, $class(name) is ("does not get name param").
type Inner uint8

// Inner values.
const (
	InnerUnknown Inner = iota // no fact: both forms pass
	InnerNeeded               // $class(name) only
	InnerNone                 // $class only
)

// String names the fact as overrides.txt writes it.
func (i Inner) String() string {
	switch i {
	case InnerNeeded:
		return "named"
	case InnerNone:
		return "unnamed"
	}
	return "unknown"
}

// HasName reports whether name is a valid inner name for the class.
func (p *PVClass) HasName(name string) bool {
	if p.Names == nil {
		return true
	}
	for _, n := range p.Names {
		if n == name {
			return true
		}
	}
	return false
}

// TransClass is a transformation class such as {s.len} or {uri.user}.
type TransClass struct {
	Name, Module string
	Ops          []string
	Runs         bool   // kamgo implements it (set by Join)
	Ext          string // see Param.Ext
}

// HasOp reports whether op is an operator of the class (case-insensitive,
// as Kamailio compares them).
func (t *TransClass) HasOp(op string) bool {
	for _, o := range t.Ops {
		if strings.EqualFold(o, op) {
			return true
		}
	}
	return false
}

// Module is everything known about one module. Name is the name the module
// declares (used by modparam); File is the .so base name loadmodule takes,
// which differs for a few modules (ss7ops.so declares "ss7").
type Module struct {
	Name, File string
	Package    string
	Funcs      []*Func
	Params     []*Param
	PVs        []*PVClass
	Trans      []*TransClass
	Events     []string // names ending in '*' are prefixes
	Deps       []string
	Runs       bool // kamgo implements the module (set by Join)
}

// Param returns the module parameter with that name, or nil.
func (m *Module) Param(name string) *Param {
	for _, p := range m.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (m *Module) fn(name string) *Func {
	for _, f := range m.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func (m *Module) pvClass(name string) *PVClass {
	for _, p := range m.PVs {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (m *Module) trans(name string) *TransClass {
	for _, t := range m.Trans {
		if t.Name == name {
			return t
		}
	}
	return nil
}
