package csrc

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// Tree is the text of a source tree: file contents by slash-separated
// path from the repository root ("src/modules/evapi/evapi_mod.c").
type Tree map[string]string

// Build is what the compiler command line of a Debian build decides for
// the preprocessor: macros it defines (name to value) and names known not
// to be defined. A name in neither, and not defined by the source, makes
// a condition undecided.
type Build struct {
	Defined   map[string]string
	Undefined map[string]bool
	// Module adds macros one module's build defines (its Makefile's
	// DEFS, its CMakeLists' compile definitions), by directory.
	Module map[string]map[string]string
}

// Problem is a shape the reader does not know, with where it was seen.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

func problemf(file string, line int, format string, args ...any) Problem {
	return Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Reader reads the modules of one source tree.
type Reader struct {
	tree  Tree
	build *Build
	seed  map[string][]macroDef
	bits  []paramBit
	lexed map[string][]token
}

// coreHeaders are the core headers whose macros the tables use (route
// types, parameter types, argument counts, str initializers). Their
// macros are known in every module file; other core headers are not read.
var coreHeaders = []string{"src/core/route.h", "src/core/sr_module.h", "src/core/str.h"}

// NewReader prepares to read the modules of tree.
func NewReader(tree Tree, build *Build) (*Reader, []Problem) {
	r := &Reader{tree: tree, build: build, seed: map[string][]macroDef{}, lexed: map[string][]token{}}
	var problems []Problem
	for _, p := range addMacros(r.seed, build.Defined) {
		problems = append(problems, problemf("build", 0, "%s", p))
	}
	for _, h := range coreHeaders {
		u := preprocess(tree, build, h, r.seed, r.lexed)
		problems = append(problems, u.problems...)
		for name, defs := range u.macros {
			if m := defs[len(defs)-1].m; m != nil && m.undecided == "" {
				r.seed[name] = []macroDef{{at: 0, m: m}}
			}
		}
	}
	// The modparam_t macros' values in this release.
	u := &unit{tree: tree, build: build, macros: r.seed}
	for _, pm := range facts.ParamMacros {
		if u.lookup(pm.Macro, 0) == nil {
			continue // PARAM_USE_SHM is newer than 5.6
		}
		v, err := u.evalInt([]token{{kind: tIdent, text: pm.Macro}}, 0)
		if err != nil {
			problems = append(problems, problemf("src/core/sr_module.h", 0, "%s: %v", pm.Macro, err))
			continue
		}
		r.bits = append(r.bits, paramBit{uint32(v), pm.Bit})
	}
	return r, problems
}

// Modules lists the directories under src/modules, sorted.
func (t Tree) Modules() []string {
	seen := map[string]bool{}
	for p := range t {
		rest, ok := strings.CutPrefix(p, "src/modules/")
		if !ok {
			continue
		}
		if dir, _, ok := strings.Cut(rest, "/"); ok {
			seen[dir] = true
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Module reads the module in src/modules/dir: its name and tables (File is
// dir; Package and Deps are left to the caller). It returns nil when the
// directory declares no module_exports (a library used by modules).
func (r *Reader) Module(dir string) (*facts.Module, []Problem) {
	base := "src/modules/" + dir + "/"
	var files []string
	for p := range r.tree {
		if strings.HasPrefix(p, base) && strings.HasSuffix(p, ".c") {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	var units []*unit
	var defs []*definition
	seed := r.seed
	if defs := r.build.Module[dir]; len(defs) > 0 {
		seed = make(map[string][]macroDef, len(r.seed)+len(defs))
		for k, v := range r.seed {
			seed[k] = v
		}
		addMacros(seed, defs)
	}
	for _, f := range files {
		u := preprocess(r.tree, r.build, f, seed, r.lexed)
		units = append(units, u)
		defs = append(defs, u.definitions()...)
	}
	var problems []Problem
	collect := func() {
		for _, u := range units {
			problems = append(problems, u.problems...)
			u.problems = nil
		}
	}
	// The core looks for the symbol "exports", then "_<file>_exports"
	// (src/core/sr_module.c, load_module).
	var exp *definition
	for _, want := range []string{"exports", "_" + dir + "_exports"} {
		for _, d := range defs {
			if d.kind != kindExports || d.name != want {
				continue
			}
			if d.cond != "" {
				problems = append(problems, problemf(d.file, d.line, "module_exports %s under %s, which the reader cannot decide", d.name, d.cond))
				continue
			}
			if exp != nil && exp.file != d.file {
				problems = append(problems, problemf(d.file, d.line, "module_exports %s also defined in %s", d.name, exp.file))
				continue
			}
			exp = d
		}
		if exp != nil {
			break
		}
	}
	if exp == nil {
		collect()
		return nil, problems
	}
	m := &facts.Module{File: dir}
	u := exp.unit
	var err error
	var null bool
	if m.Name, null, err = u.str(exp.init.field(0)); err != nil || null {
		problems = append(problems, problemf(exp.file, exp.line, "module name: %v", err))
	}
	table := func(field int, kind tableKind) *definition {
		name, err := u.ident(exp.init.field(field))
		if err != nil {
			problems = append(problems, problemf(exp.file, exp.line, "%s field: %v", kind, err))
			return nil
		}
		if name == "" {
			return nil
		}
		d, p := resolve(defs, exp.unit, kind, name)
		if p != nil {
			p.File, p.Line = exp.file, exp.line
			problems = append(problems, *p)
		}
		return d
	}
	if d := table(2, kindCmd); d != nil {
		m.Funcs = d.funcs()
	}
	if d := table(3, kindParam); d != nil {
		m.Params = d.params(r.bits)
	}
	if d := table(5, kindPV); d != nil {
		m.PVs = d.pvs()
	}
	for _, u := range units {
		for _, t := range u.transTables() {
			if t.cond != "" {
				problems = append(problems, problemf(u.file, t.line, "register_trans_mod under %s, which the reader cannot decide", t.cond))
				continue
			}
			d, p := resolve(defs, u, kindTrans, t.text)
			if p != nil {
				p.File, p.Line = u.file, t.line
				problems = append(problems, *p)
				continue
			}
			m.Trans = append(m.Trans, d.trans()...)
		}
	}
	collect()
	return m, problems
}

// resolve finds the table a name refers to from unit u: the definition in
// u itself, else the one non-static definition in another file of the
// module.
func resolve(defs []*definition, u *unit, kind tableKind, name string) (*definition, *Problem) {
	var local, global []*definition
	for _, d := range defs {
		if d.name != name || d.kind != kind {
			continue
		}
		if d.unit == u {
			local = append(local, d)
		} else if !d.static {
			global = append(global, d)
		}
	}
	cands := local
	if len(cands) == 0 {
		cands = global
	}
	switch {
	case len(cands) == 0:
		return nil, &Problem{Msg: fmt.Sprintf("%s %s: no definition found", kind, name)}
	case len(cands) > 1:
		var where []string
		for _, d := range cands {
			where = append(where, fmt.Sprintf("%s:%d", d.file, d.line))
		}
		return nil, &Problem{Msg: fmt.Sprintf("%s %s: several definitions (%s)", kind, name, strings.Join(where, ", "))}
	}
	if d := cands[0]; d.cond != "" {
		return nil, &Problem{Msg: fmt.Sprintf("%s %s: defined under %s, which the reader cannot decide", kind, name, d.cond)}
	}
	return cands[0], nil
}

// Readme returns the text of the module's README, or "".
func (r *Reader) Readme(dir string) string {
	return r.tree[path.Join("src/modules", dir, "README")]
}

// addMacros defines object-like macros from name and value text.
func addMacros(seed map[string][]macroDef, defs map[string]string) []string {
	var bad []string
	for name, val := range defs {
		body, err := lexLine(val)
		if err != nil {
			bad = append(bad, fmt.Sprintf("macro %s: %v", name, err))
			continue
		}
		seed[name] = []macroDef{{at: 0, m: &macro{name: name, body: body}}}
	}
	return bad
}
