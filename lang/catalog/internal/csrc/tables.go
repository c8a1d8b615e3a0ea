package csrc

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// paramBit is the value a release gives one modparam_t macro.
type paramBit struct {
	raw uint32
	bit facts.ParamType
}

// tableKind is the C type of an export table.
type tableKind uint8

const (
	kindExports tableKind = iota // struct module_exports
	kindCmd                      // cmd_export_t[]
	kindParam                    // param_export_t[]
	kindPV                       // pv_export_t[]
	kindTrans                    // tr_export_t[]
)

var kindNames = [...]string{"module_exports", "cmd_export_t", "param_export_t", "pv_export_t", "tr_export_t"}

func (k tableKind) String() string { return kindNames[k] }

// typeNames maps the spellings of the table types to their kind; a
// "struct" spelling is the typedef's tag.
var typeNames = map[string]tableKind{
	"cmd_export_t": kindCmd, "param_export_t": kindParam, "pv_export_t": kindPV,
	"tr_export_t": kindTrans, "module_exports_t": kindExports,
}

var structNames = map[string]tableKind{
	"module_exports": kindExports, "cmd_export_": kindCmd, "cmd_export": kindCmd,
	"param_export_": kindParam, "param_export": kindParam, "_pv_export": kindPV,
	"_tr_export": kindTrans,
}

// definition is a table (or module_exports) defined with an initializer.
type definition struct {
	kind   tableKind
	name   string
	static bool
	unit   *unit
	file   string // file the definition is written in
	line   int
	init   *elem
	cond   string // undecided condition around the definition
}

// definitions finds every export table defined in the unit.
func (u *unit) definitions() []*definition {
	var out []*definition
	toks := u.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tIdent {
			continue
		}
		k, ok := typeNames[t.text]
		start := i
		if !ok && t.text == "struct" && i+1 < len(toks) {
			if k, ok = structNames[toks[i+1].text]; ok {
				i++
			}
		}
		if !ok {
			continue
		}
		// TYPE NAME [ [...] ] = {
		j := i + 1
		if j >= len(toks) || toks[j].kind != tIdent {
			continue // a pointer, a cast, a parameter type
		}
		name := toks[j]
		j++
		if j < len(toks) && toks[j].is(tPunct, "[") {
			for j < len(toks) && !toks[j].is(tPunct, "]") {
				j++
			}
			j++
		}
		if j+1 >= len(toks) || !toks[j].is(tPunct, "=") || !toks[j+1].is(tPunct, "{") {
			continue // a declaration
		}
		d := &definition{kind: k, name: name.text, unit: u, file: u.files[j], line: name.line, cond: name.cond}
		for b := start - 1; b >= 0 && b >= start-3; b-- {
			if toks[b].is(tIdent, "static") {
				d.static = true
			}
		}
		init, end, err := u.parseInit(j + 1)
		if err != nil {
			u.problemf(d.file, d.line, "%s %s: %v", k, d.name, err)
			continue
		}
		d.init = init
		out = append(out, d)
		i = end - 1
	}
	return out
}

// transTables returns the names of the tables passed to
// register_trans_mod(path, table) in the unit, with the call's line.
func (u *unit) transTables() []token {
	var out []token
	toks := u.toks
	for i := 0; i+5 < len(toks); i++ {
		if !toks[i].is(tIdent, "register_trans_mod") || !toks[i+1].is(tPunct, "(") {
			continue
		}
		args, _, err := splitArgs(toks, i+1)
		if err != nil || len(args) != 2 {
			u.problemf(u.files[i], toks[i].line, "register_trans_mod call not understood")
			continue
		}
		a := stripCasts(args[1])
		if len(a) != 1 || a[0].kind != tIdent {
			u.problemf(u.files[i], toks[i].line, "register_trans_mod(%s) not understood", spell(args[1]))
			continue
		}
		tok := a[0]
		tok.cond = toks[i].cond
		out = append(out, tok)
	}
	return out
}

// entries walks a table's entries up to its terminator, calling fn with
// each one that is not empty. Entries inside conditions the reader cannot
// decide are reported.
func (d *definition) entries(fn func(e *elem) (null bool, err error)) {
	for _, e := range d.init.list {
		if c := e.cond(); c != "" {
			d.unit.problemf(d.file, e.line, "%s %s: entry under %s, which the reader cannot decide", d.kind, d.name, c)
			continue
		}
		if !e.braced {
			d.unit.problemf(d.file, e.line, "%s %s: entry %s is not in braces", d.kind, d.name, spell(e.toks))
			return
		}
		null, err := fn(e)
		if err != nil {
			d.unit.problemf(d.file, e.line, "%s %s: %v", d.kind, d.name, err)
			continue
		}
		if null {
			return
		}
	}
	d.unit.problemf(d.file, d.line, "%s %s has no terminating entry", d.kind, d.name)
}

func (d *definition) funcs() []facts.Func {
	var out []facts.Func
	u := d.unit
	d.entries(func(e *elem) (bool, error) {
		name, null, err := u.str(e.field(0))
		if err != nil || null {
			return null, err
		}
		n, err := u.integer(e.field(2))
		if err != nil {
			return false, fmt.Errorf("%s: parameter count: %v", name, err)
		}
		fl, err := u.integer(e.field(5))
		if err != nil {
			return false, fmt.Errorf("%s: flags: %v", name, err)
		}
		if n != facts.NoScript {
			out = append(out, facts.Func{Name: name, Args: int(int32(n)), Routes: uint32(fl)})
		}
		return false, nil
	})
	return out
}

func (d *definition) params(bits []paramBit) []facts.Param {
	var out []facts.Param
	u := d.unit
	d.entries(func(e *elem) (bool, error) {
		name, null, err := u.str(e.field(0))
		if err != nil || null {
			return null, err
		}
		t, err := u.integer(e.field(1))
		if err != nil {
			return false, fmt.Errorf("%s: type: %v", name, err)
		}
		typ, rest := facts.ParamType(0), uint32(t)
		for _, b := range bits {
			if rest&b.raw != 0 {
				typ |= b.bit
				rest &^= b.raw
			}
		}
		if rest != 0 {
			return false, fmt.Errorf("%s: unknown type bits %#x", name, rest)
		}
		out = append(out, facts.Param{Name: name, Type: typ})
		return false, nil
	})
	return out
}

func (d *definition) pvs() []facts.PV {
	var out []facts.PV
	u := d.unit
	d.entries(func(e *elem) (bool, error) {
		name, null, err := u.strField(e.field(0))
		if err != nil || null {
			return null, err
		}
		w, err := u.pointer(e.field(3))
		if err != nil {
			return false, fmt.Errorf("%s: setter: %v", name, err)
		}
		named, err := u.pointer(e.field(4))
		if err != nil {
			return false, fmt.Errorf("%s: name parser: %v", name, err)
		}
		out = append(out, facts.PV{Name: name, Writable: w, Named: named})
		return false, nil
	})
	return out
}

func (d *definition) trans() []string {
	var out []string
	u := d.unit
	d.entries(func(e *elem) (bool, error) {
		name, null, err := u.strField(e.field(0))
		if err != nil || null {
			return null, err
		}
		out = append(out, name)
		return false, nil
	})
	return out
}
