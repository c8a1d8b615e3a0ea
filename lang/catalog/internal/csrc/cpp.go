package csrc

import (
	"path"
	"strings"
)

// macro is a #define. params is nil for an object-like macro. A macro
// defined under a condition the reader could not decide has undecided set
// to that condition: whether it exists, and its value, are unknown.
type macro struct {
	name      string
	fn        bool
	params    []string
	variadic  bool
	body      []token
	undecided string
}

// macroDef is one #define (m) or #undef (m nil) of a name, at the index of
// the next active token when it was read.
type macroDef struct {
	at int
	m  *macro
}

// unit is one preprocessed C file: the tokens outside false conditionals
// (with quoted includes from the module tree inlined) and the history of
// every macro definition.
type unit struct {
	tree   Tree
	build  *Build
	file   string
	toks   []token
	files  []string // file of each token
	macros map[string][]macroDef
	// ownMacros holds every name some #define of a file read defines,
	// taken or not: such a name is the source's, not the build's, so when
	// it is not defined it is known not to be.
	ownMacros map[string]bool
	problems  []Problem
	lexed     map[string][]token // shared cache of lexed files
}

// tri is a preprocessor condition's value: known true, known false, or
// not decidable from what the reader knows.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func (a tri) not() tri {
	switch a {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}

func (a tri) and(b tri) tri {
	if a == triFalse || b == triFalse {
		return triFalse
	}
	if a == triTrue && b == triTrue {
		return triTrue
	}
	return triUnknown
}

// condFrame is one open #if group.
type condFrame struct {
	branch tri    // value of the branch being read
	before tri    // no earlier branch was taken
	text   string // the branch's condition, for reports
}

// preprocess reads file (and the module files it includes) into a unit.
// seed holds macros known before the file starts (the core's).
func preprocess(tree Tree, build *Build, file string, seed map[string][]macroDef, lexed map[string][]token) *unit {
	u := &unit{tree: tree, build: build, file: file, macros: map[string][]macroDef{}, ownMacros: map[string]bool{}, lexed: lexed}
	for k, v := range seed {
		u.macros[k] = v[:len(v):len(v)] // appends must not reach the shared seed
	}
	u.read(file, 0)
	return u
}

func (u *unit) problemf(file string, line int, format string, args ...any) {
	u.problems = append(u.problems, problemf(file, line, format, args...))
}

// lookup returns the macro name defines at active-token index at, or nil.
func (u *unit) lookup(name string, at int) *macro {
	defs := u.macros[name]
	for i := len(defs) - 1; i >= 0; i-- {
		if defs[i].at <= at {
			return defs[i].m
		}
	}
	return nil
}

// defined reports whether name is a macro at index at, as a tri: unknown
// when it was defined or removed under an undecided condition, or when it
// is neither defined in the source nor known to the build.
func (u *unit) defined(name string, at int) tri {
	if m := u.lookup(name, at); m != nil {
		if m.undecided != "" {
			return triUnknown
		}
		return triTrue
	}
	if len(u.macros[name]) > 0 {
		return triFalse // #undef'd
	}
	if u.build.Undefined[name] || u.ownMacros[name] {
		return triFalse
	}
	return triUnknown
}

const maxIncludeDepth = 16

func (u *unit) read(file string, depth int) {
	src, ok := u.tree[file]
	if !ok {
		u.problemf(file, 0, "file not in the tree")
		return
	}
	toks, ok := u.lexed[file]
	if !ok {
		var err error
		if toks, err = lex(src); err != nil {
			u.problemf(file, 0, "%v", err)
		}
		if u.lexed != nil {
			u.lexed[file] = toks
		}
	}
	for _, t := range toks {
		if t.kind == tDirective {
			if w, rest := splitDirective(t.text); w == "define" {
				u.ownMacros[firstWord(strings.SplitN(rest, "(", 2)[0])] = true
			}
		}
	}
	var stack []condFrame
	// active is the state of the innermost group: false when some group
	// is known not taken, else the innermost undecided condition or "".
	state := func() (bool, string) {
		cond := ""
		for _, f := range stack {
			if f.branch == triFalse {
				return false, ""
			}
			if f.branch == triUnknown {
				cond = f.text
			}
		}
		return true, cond
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tDirective {
			if on, cond := state(); on {
				t.cond = cond
				u.toks = append(u.toks, t)
				u.files = append(u.files, file)
			}
			continue
		}
		word, rest := splitDirective(t.text)
		switch word {
		case "if", "ifdef", "ifndef":
			v := u.cond(word, rest)
			// A header guard (#ifndef X / #define X) is decided like any
			// name the file defines.
			stack = append(stack, condFrame{branch: v, before: v.not(), text: "#" + word + " " + rest})
		case "elif", "else":
			if len(stack) == 0 {
				u.problemf(file, t.line, "#%s without #if", word)
				continue
			}
			f := &stack[len(stack)-1]
			v := triTrue
			text := "#else of " + f.text
			if word == "elif" {
				v = u.cond("if", rest)
				text = "#elif " + rest
			}
			f.branch = f.before.and(v)
			f.before = f.before.and(v.not())
			f.text = text
		case "endif":
			if len(stack) == 0 {
				u.problemf(file, t.line, "#endif without #if")
				continue
			}
			stack = stack[:len(stack)-1]
		default:
			on, cond := state()
			if !on {
				continue
			}
			switch word {
			case "define":
				if m := parseDefine(rest, t.line); m != nil {
					m.undecided = cond
					u.macros[m.name] = append(u.macros[m.name], macroDef{at: len(u.toks), m: m})
				} else {
					u.problemf(file, t.line, "cannot read #define %s", rest)
				}
			case "undef":
				name := strings.TrimSpace(rest)
				if cond != "" {
					u.macros[name] = append(u.macros[name], macroDef{at: len(u.toks), m: &macro{name: name, undecided: cond}})
				} else {
					u.macros[name] = append(u.macros[name], macroDef{at: len(u.toks)})
				}
			case "include":
				u.include(file, t.line, rest, depth)
			}
		}
	}
	if len(stack) > 0 {
		u.problemf(file, 0, "%d unterminated #if groups", len(stack))
	}
}

// include inlines a quoted include that names a file of the module tree
// (src/modules/...). System headers and the core's are not read: the
// macros the tables use from the core are seeded instead.
func (u *unit) include(from string, line int, arg string, depth int) {
	arg = strings.TrimSpace(arg)
	if len(arg) < 2 || arg[0] != '"' {
		return
	}
	name, _, ok := strings.Cut(arg[1:], "\"")
	if !ok {
		return
	}
	p := path.Clean(path.Join(path.Dir(from), name))
	if !strings.HasPrefix(p, "src/modules/") {
		return
	}
	if _, ok := u.tree[p]; !ok {
		return // generated or optional headers
	}
	if depth >= maxIncludeDepth {
		u.problemf(from, line, "includes nested too deeply at %s", p)
		return
	}
	u.read(p, depth+1)
}

// cond evaluates the condition of #if, #ifdef or #ifndef.
func (u *unit) cond(word, rest string) tri {
	rest = strings.TrimSpace(rest)
	switch word {
	case "ifdef":
		return u.defined(firstWord(rest), len(u.toks))
	case "ifndef":
		return u.defined(firstWord(rest), len(u.toks)).not()
	}
	toks, err := lexLine(rest)
	if err != nil {
		return triUnknown
	}
	return u.evalIf(toks, len(u.toks))
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(s)+" ", " ")
	return w
}

// splitDirective splits "define X 1" into "define" and "X 1".
func splitDirective(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// parseDefine reads the text after "#define".
func parseDefine(s string, line int) *macro {
	i := 0
	for i < len(s) && isIdentChar(s[i]) {
		i++
	}
	if i == 0 {
		return nil
	}
	m := &macro{name: s[:i]}
	rest := s[i:]
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return nil
		}
		m.fn = true
		m.params = []string{}
		for _, p := range strings.Split(rest[1:end], ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
			case p == "...":
				m.variadic = true
				m.params = append(m.params, "__VA_ARGS__")
			default:
				m.params = append(m.params, p)
			}
		}
		rest = rest[end+1:]
	}
	body, err := lexLine(rest)
	if err != nil {
		return nil
	}
	for j := range body {
		body[j].line = line
	}
	m.body = body
	return m
}
