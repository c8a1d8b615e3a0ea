package lint

import (
	"sort"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// Directives are the preprocessor facts of a configuration, read from the
// raw text of every file it is made of. The preprocessor consumes
// directives and comments, so the tree cannot tell which names were
// defined, tested or mentioned; these can. Every branch of every #!ifdef is
// read, taken or not: a name tested in a branch that is off today is still
// a name the configuration uses.
type Directives struct {
	Defines []*Define // in file and line order
	Tests   []*Test   // #!ifdef and #!ifndef, in file and line order
	// Exps are the names an #!ifexp expression reads (outside its
	// strings), in file and line order; Not is false.
	Exps []*Test
	// Uses counts the identifiers written in code (outside comments,
	// strings, pseudo-variables and directive lines) and in define
	// values, where a define would be expanded.
	Uses map[string]int
	// Mentions counts the words of comments that can be define names
	// (with an upper-case letter or an underscore).
	Mentions map[string]int
	// StrWords counts every word written inside string literals, in
	// every branch of every #!ifdef.
	StrWords map[string]int
	// CommandLine holds the names given with -A.
	CommandLine map[string]bool
	// Conds are the lines of #!ifdef, #!ifndef, #!else and #!endif, by
	// file.
	Conds map[string][]int
}

// CondBetween reports whether a conditional directive line lies between
// two positions of a file: code on both sides may then be compiled under
// different conditions.
func (d *Directives) CondBetween(file string, from, to int) bool {
	for _, l := range d.Conds[file] {
		if l > from && l < to {
			return true
		}
	}
	return false
}

// Define is one directive that defines a name: #!define, #!trydef,
// #!redefine, #!defenv, #!trydefenv, #!substdef, #!defexp.
type Define struct {
	Directive string // as written after #!: define, def, trydef, substdef ...
	Name      string
	Value     string // the raw text after the name, continuation lines joined
	NameRng   diag.Range
	ValueRng  diag.Range // the value's first line
	Rng       diag.Range // the whole first line
}

// Test is one #!ifdef NAME or #!ifndef NAME.
type Test struct {
	Name string
	Not  bool // #!ifndef
	Rng  diag.Range
}

// Defined reports whether some directive or -A defines name, or the
// preprocessor predefines it.
func (d *Directives) Defined(name string) bool {
	if d.CommandLine[name] || strings.HasPrefix(name, "KAMAILIO_") {
		return true
	}
	for _, def := range d.Defines {
		if def.Name == name {
			return true
		}
	}
	return false
}

// Tested reports whether some #!ifdef or #!ifndef tests name.
func (d *Directives) Tested(name string) bool {
	for _, t := range d.Tests {
		if t.Name == name {
			return true
		}
	}
	return false
}

// scanDirectives reads the directives, identifier uses and comment words of
// every source file of cfg.
func scanDirectives(cfg *ast.Config, src diag.Sources, defines []string) *Directives {
	d := &Directives{Uses: map[string]int{}, Mentions: map[string]int{}, StrWords: map[string]int{}, CommandLine: commandLine(defines),
		Conds: map[string][]int{}}
	files := scanOrder(cfg, src)
	seen := map[string]bool{}
	for _, f := range files {
		if text, ok := src[f]; ok && !seen[f] {
			seen[f] = true
			s := &scanner{d: d, file: f, src: string(text), line: 1, col: 1}
			s.run()
		}
	}
	return d
}

func commandLine(defines []string) map[string]bool {
	m := map[string]bool{}
	for _, a := range defines {
		n, _, _ := strings.Cut(a, "=")
		m[n] = true
	}
	return m
}

// scanOrder returns the files to scan: those cfg was read from, in the
// order read, or else every source, sorted.
func scanOrder(cfg *ast.Config, src diag.Sources) []string {
	files := cfg.Files
	if len(files) == 0 {
		for f := range src {
			files = append(files, f)
		}
		sort.Strings(files)
	}
	return files
}

// directiveCache shares the scan of the same files between runs; only
// the -A names differ from one run to the next. The rules only read a
// Directives, so runs share one.
type directiveCache struct {
	mu   sync.Mutex
	byFs map[string]*Directives
}

// scan is scanDirectives, from the cache when c is not nil.
func (c *directiveCache) scan(cfg *ast.Config, src diag.Sources, defines []string) *Directives {
	if c == nil {
		return scanDirectives(cfg, src, defines)
	}
	key := strings.Join(scanOrder(cfg, src), "\x00")
	c.mu.Lock()
	d, ok := c.byFs[key]
	c.mu.Unlock()
	if !ok {
		d = scanDirectives(cfg, src, nil)
		c.mu.Lock()
		if c.byFs == nil {
			c.byFs = map[string]*Directives{}
		}
		c.byFs[key] = d
		c.mu.Unlock()
	}
	out := *d
	out.CommandLine = commandLine(defines)
	return &out
}

// scanner walks one file the way Kamailio's lexer cuts it into comments,
// strings, directives and the rest.
type scanner struct {
	d         *Directives
	file      string
	src       string
	i         int
	line, col int
	lineStart bool
}

func (s *scanner) advance(n int) {
	for ; n > 0 && s.i < len(s.src); n-- {
		if s.src[s.i] == '\n' {
			s.line++
			s.col = 1
		} else {
			s.col++
		}
		s.i++
	}
}

func (s *scanner) rest() string { return s.src[s.i:] }

func (s *scanner) run() {
	s.lineStart = true
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '\n':
			s.advance(1)
			s.lineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r':
			s.advance(1)
			continue
		case (strings.HasPrefix(s.rest(), "#!") || strings.HasPrefix(s.rest(), "!!")) && s.lineStart:
			s.directive()
		case c == '#' || strings.HasPrefix(s.rest(), "//"):
			s.lineComment()
		case strings.HasPrefix(s.rest(), "/*"):
			s.blockComment()
		case c == '"' || c == '\'':
			s.str(c)
		case c == '$':
			s.pvar()
		case isIdentStart(c):
			j := s.i
			for j < len(s.src) && isIdentChar(s.src[j]) {
				j++
			}
			s.d.Uses[s.src[s.i:j]]++
			s.col += j - s.i
			s.i = j
		default:
			s.advance(1)
		}
		s.lineStart = false
	}
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

func (s *scanner) lineComment() {
	j := strings.IndexByte(s.rest(), '\n')
	if j < 0 {
		j = len(s.rest())
	}
	s.words(s.rest()[:j])
	s.col += j // a line comment holds no newline
	s.i += j
}

func (s *scanner) blockComment() {
	depth := 0
	j := s.i
	for j < len(s.src) {
		switch {
		case strings.HasPrefix(s.src[j:], "/*"):
			depth++
			j += 2
		case strings.HasPrefix(s.src[j:], "*/"):
			depth--
			j += 2
			if depth == 0 {
				s.words(s.src[s.i:j])
				s.advance(j - s.i)
				return
			}
		default:
			j++
		}
	}
	s.words(s.src[s.i:])
	s.advance(len(s.src) - s.i)
}

// words counts the identifiers of comment text.
func (s *scanner) words(text string) {
	for i := 0; i < len(text); {
		if !isIdentStart(text[i]) {
			i++
			continue
		}
		j := i
		name := false
		for j < len(text) && isIdentChar(text[j]) {
			name = name || text[j] == '_' || text[j] >= 'A' && text[j] <= 'Z'
			j++
		}
		if name {
			s.d.Mentions[text[i:j]]++
		}
		i = j
	}
}

func (s *scanner) str(q byte) {
	j := s.i + 1
	for j < len(s.src) && s.src[j] != q {
		if s.src[j] == '\\' && q == '"' {
			j++
		}
		j++
	}
	body := s.src[s.i+1 : min(j, len(s.src))]
	for i := 0; i < len(body); {
		if !isIdentStart(body[i]) {
			i++
			continue
		}
		k := i
		for k < len(body) && isIdentChar(body[k]) {
			k++
		}
		s.d.StrWords[body[i:k]]++
		i = k
	}
	s.advance(j + 1 - s.i)
}

// pvar skips a pseudo-variable: $name, $name(...), $(...), with an index.
func (s *scanner) pvar() {
	j := s.i + 1
	for j < len(s.src) && (isIdentChar(s.src[j]) || s.src[j] == '.') {
		j++
	}
	for j < len(s.src) && (s.src[j] == '(' || s.src[j] == '[') {
		open, closer := s.src[j], byte(')')
		if open == '[' {
			closer = ']'
		}
		depth := 0
		for j < len(s.src) {
			if s.src[j] == open {
				depth++
			} else if s.src[j] == closer {
				depth--
				if depth == 0 {
					j++
					break
				}
			} else if s.src[j] == '\n' {
				break
			}
			j++
		}
	}
	s.advance(j - s.i)
}

// directive reads a #! or !! line (with its continuation lines for a
// define).
func (s *scanner) directive() {
	startLine, startCol := s.line, s.col
	lineStart := s.i
	end := strings.IndexByte(s.rest(), '\n')
	if end < 0 {
		end = len(s.rest())
	}
	text := strings.TrimRight(s.rest()[:end], "\r")
	body := text[2:]
	kw := body
	if k := strings.IndexAny(kw, " \t"); k >= 0 {
		kw = kw[:k]
	}
	rangeAt := func(off, n int) diag.Range {
		return diag.Range{File: s.file, Start: diag.Pos{Line: startLine, Col: startCol + off, Offset: lineStart + off},
			End: diag.Pos{Line: startLine, Col: startCol + off + n, Offset: lineStart + off + n}}
	}
	whole := rangeAt(0, len(text))
	switch kw {
	case "ifdef", "ifndef", "else", "endif", "ifexp":
		s.d.Conds[s.file] = append(s.d.Conds[s.file], startLine)
	}
	args := strings.TrimLeft(body[len(kw):], " \t")
	argOff := 2 + len(kw) + (len(body[len(kw):]) - len(args))
	switch kw {
	case "define", "def", "trydefine", "trydef", "redefine", "redef":
		name := identPrefix(args)
		if name == "" {
			break
		}
		valOff := argOff + len(name)
		rawVal := text[valOff:]
		value := strings.TrimLeft(rawVal, " \t")
		valOff += len(rawVal) - len(value)
		consumed := end
		// A value ending in a backslash goes on on the next line.
		for strings.HasSuffix(value, "\\") {
			rest := s.src[lineStart+consumed:]
			if !strings.HasPrefix(rest, "\n") {
				break
			}
			next := rest[1:]
			nl := strings.IndexByte(next, '\n')
			if nl < 0 {
				nl = len(next)
			}
			value = value[:len(value)-1] + "\n" + strings.TrimRight(next[:nl], "\r")
			consumed += 1 + nl
		}
		def := &Define{Directive: kw, Name: name, Value: value, NameRng: rangeAt(argOff, len(name)),
			ValueRng: rangeAt(valOff, len(strings.SplitN(value, "\n", 2)[0])), Rng: whole}
		s.d.Defines = append(s.d.Defines, def)
		s.valueUses(value)
		s.advance(consumed)
		return
	case "defexp", "defexps":
		// #!defexp NAME EXPR: the value is computed; the expression's names
		// are read where it is.
		name := identPrefix(args)
		if name != "" {
			expr := args[len(name):]
			s.d.Defines = append(s.d.Defines, &Define{Directive: kw, Name: name, Value: strings.TrimSpace(expr),
				NameRng: rangeAt(argOff, len(name)), Rng: whole})
			s.valueUses(expr)
		}
	case "ifexp":
		s.expNames(args, argOff, rangeAt)
	case "defenv", "defenvs", "trydefenv", "trydefenvs":
		name := identPrefix(args)
		if name != "" {
			s.d.Defines = append(s.d.Defines, &Define{Directive: kw, Name: name, NameRng: rangeAt(argOff, len(name)), Rng: whole})
		}
	case "substdef", "substdefs":
		// #!substdef "/ID/value/" defines ID as well.
		a := strings.Trim(strings.TrimSpace(args), "\"")
		if len(a) > 2 {
			parts := strings.SplitN(a[1:], a[:1], 3)
			if len(parts) >= 2 && identPrefix(parts[0]) == parts[0] && parts[0] != "" {
				s.d.Defines = append(s.d.Defines, &Define{Directive: kw, Name: parts[0], Value: parts[1],
					NameRng: rangeAt(argOff, len(args)), Rng: whole})
			}
		}
	case "ifdef", "ifndef":
		name := identPrefix(args)
		if name != "" {
			s.d.Tests = append(s.d.Tests, &Test{Name: name, Not: kw == "ifndef", Rng: rangeAt(argOff, len(name))})
		}
	}
	s.advance(end)
}

// valueUses records the identifiers of a define's value as uses: they are
// expanded where the define is.
func (s *scanner) valueUses(value string) {
	inStr := byte(0)
	for i := 0; i < len(value); {
		c := value[i]
		switch {
		case inStr != 0:
			if c == inStr {
				inStr = 0
			}
			i++
		case c == '"' || c == '\'':
			inStr = c
			i++
		case c == '#':
			return
		case isIdentStart(c):
			j := i
			for j < len(value) && isIdentChar(value[j]) {
				j++
			}
			s.d.Uses[value[i:j]]++
			i = j
		default:
			i++
		}
	}
}

// expNames records the names an #!ifexp expression reads: identifiers
// outside quotes that do not start a number.
func (s *scanner) expNames(expr string, off int, rangeAt func(off, n int) diag.Range) {
	var q byte
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
			i++
		case c == '"' || c == '\'':
			q = c
			i++
		case c >= '0' && c <= '9':
			for i < len(expr) && isIdentChar(expr[i]) {
				i++
			}
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			s.d.Exps = append(s.d.Exps, &Test{Name: expr[i:j], Rng: rangeAt(off+i, j-i)})
			s.d.Uses[expr[i:j]]++
			i = j
		default:
			i++
		}
	}
}

func identPrefix(s string) string {
	j := 0
	for j < len(s) && (isIdentChar(s[j]) && (j > 0 || isIdentStart(s[j]))) {
		j++
	}
	return s[:j]
}
