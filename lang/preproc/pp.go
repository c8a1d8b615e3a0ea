package preproc

import (
	"fmt"
	"os"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/token"
)

// Compat modes set by a #!KAMAILIO / #!SER / #!MAXCOMPAT line; they change
// how '$' is scanned.
const (
	compatMax = iota
	compatKamailio
	compatSER
)

// Constructs that may run past the end of a macro frame into its parent.
const (
	carryNone = iota
	carryLine
	carryBlock
	carryDQ
	carrySQ
)

type define struct {
	value string
	at    diag.Range // where it was defined; zero for predefined names
}

type ifLevel struct {
	taken bool // the current branch is the live one
	at    diag.Range
}

type pp struct {
	opts Options
	res  *Result
	max  int64

	frames     []*frame
	includes   int // include frames on the stack (the main file is not one)
	defs       map[string]*define
	ndefs      int
	expanded   int64
	expandFull bool
	defsFull   bool

	ifs        []ifLevel
	falseN     int // levels in ifs whose branch is not taken
	level      int // #!ifdef minus #!endif, as Kamailio counts it
	strayEndif diag.Range
	ifsFull    bool

	compat int
	toks   []token.Token
	errs   int

	// An open construct (string or comment) that may continue in the
	// parent frame when a macro frame ends.
	carry      int
	carryNest  int
	carryQuote byte
	carryBuf   []byte
	carryTok   token.Token
	carryStart diag.Range
	carryRaw   int
	carryPlain bool

	joinIdx int // index of a double-quoted String that a next literal may extend, or -1

	ev       int // 1 after event_route, 2 after event_route [
	loadmod  int // 1 after loadmodule, 2 after loadmodule (
	substs   []substRule
	substDir string // a #!subst* directive waiting for its string
	substAt  diag.Range
	substIdx int // index of the String token that may be its argument
}

func newPP(opts Options) *pp {
	p := &pp{
		opts:     opts,
		res:      &Result{Sources: diag.Sources{}},
		max:      opts.MaxFileSize,
		defs:     map[string]*define{},
		joinIdx:  -1,
		substIdx: -1,
	}
	if p.max <= 0 {
		p.max = DefaultMaxFileSize
	}
	if p.opts.Env == nil {
		p.opts.Env = os.LookupEnv
	}
	if p.opts.ReadFile == nil {
		limit := p.max
		p.opts.ReadFile = func(path string) ([]byte, error) { return ReadFile(path, limit) }
	}
	name := "KAMAILIO"
	for _, v := range p.version() {
		name += fmt.Sprintf("_%d", v)
		p.setDefine(name, "", diag.Range{})
	}
	for _, d := range opts.Defines {
		n, v, _ := strings.Cut(d, "=")
		if !validName(n) {
			p.errorAt("KC0107", diag.Range{File: "<command line>"}, "invalid define %q: the name must be an identifier", d)
			continue
		}
		// Like kamailio -A, a repeated name replaces the earlier one.
		p.setDefine(n, v, diag.Range{File: "<command line>"})
	}
	return p
}

func validName(n string) bool {
	if n == "" || !isLetter(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		if !isAlnum(n[i]) {
			return false
		}
	}
	return true
}

func (p *pp) setDefine(name, value string, at diag.Range) {
	if d, ok := p.defs[name]; ok {
		d.value, d.at = value, at
		return
	}
	if p.ndefs >= maxDefines && !p.defsFull {
		p.defsFull = true
		p.errorAt("KC0104", at, "too many defines: Kamailio allows at most %d", maxDefines)
	}
	p.ndefs++
	p.defs[name] = &define{value: value, at: at}
}

func (p *pp) errorAt(code string, r diag.Range, format string, args ...any) *diag.Diagnostic {
	return p.report(diag.Error, code, r, fmt.Sprintf(format, args...))
}

func (p *pp) warnAt(code string, r diag.Range, format string, args ...any) *diag.Diagnostic {
	return p.report(diag.Warning, code, r, fmt.Sprintf(format, args...))
}

// report adds a diagnostic, stopping after maxErrors so that garbage input
// gives a bounded list.
func (p *pp) report(sev diag.Severity, code string, r diag.Range, msg string) *diag.Diagnostic {
	p.errs++
	if p.errs == maxErrors+1 {
		return p.res.Diags.Add(diag.Error, "KC0009", r, "too many errors; later ones are not reported", "")
	}
	if p.errs > maxErrors {
		return &diag.Diagnostic{}
	}
	return p.res.Diags.Add(sev, code, r, msg, "")
}

// readInput records a file and refuses oversized ones.
func (p *pp) addFile(file string, src []byte, at diag.Range) (string, bool) {
	if int64(len(src)) > p.max {
		if at.File == "" {
			at = diag.Range{File: file}
		}
		p.errorAt("KC0007", at, "%s is too large (%d bytes; the limit is %d)", file, len(src), p.max)
		return "", false
	}
	seen := false
	for _, f := range p.res.Files {
		if f == file {
			seen = true
			break
		}
	}
	if !seen {
		p.res.Files = append(p.res.Files, file)
	}
	s := string(src)
	p.res.Sources[file] = src
	return s, true
}

func (p *pp) run(file string, src []byte) {
	// About one token per 20 bytes in real configurations.
	p.toks = make([]token.Token, 0, len(src)/20+16)
	if s, ok := p.addFile(file, src, diag.Range{}); ok {
		p.frames = append(p.frames, &frame{file: file, src: s, line: 1})
	}
	p.loop()
	p.flushStr()
	if p.substDir != "" {
		p.errorAt("KC0140", p.substAt, "%s needs a string argument", p.substDir)
	}
	// Kamailio finds unbalanced directives at the end of the input, so the
	// diagnostics point there and name the directive that is unbalanced.
	eof := diag.Range{File: file}
	if s := p.res.Sources[file]; s != nil {
		// The last character, as Kamailio counts lines: a final newline
		// does not start a new line.
		n := len(s)
		if n > 0 && s[n-1] == '\n' {
			n--
		}
		f := &frame{file: file, src: string(s), line: 1}
		f.advance(n)
		eof.Start, eof.End = f.pos(), f.pos()
	}
	for i := len(p.ifs) - 1; i >= 0; i-- {
		if i < len(p.ifs)-20 {
			break // a runaway nest: the innermost ones are enough
		}
		at := p.ifs[i].at
		d := p.errorAt("KC0120", eof, "end of file inside the #!ifdef opened at %s:%d", at.File, at.Start.Line)
		d.Detail = "#!endif must be alone on its line (only blanks may follow it), and the last line needs a newline"
		d.Related = append(d.Related, diag.Related{Message: "the #!ifdef without #!endif", Range: at})
	}
	if len(p.ifs) == 0 && p.level < 0 {
		d := p.errorAt("KC0126", eof, "more #!endif than #!ifdef: Kamailio rejects the configuration")
		d.Related = append(d.Related, diag.Related{Message: "the #!endif without #!ifdef", Range: p.strayEndif})
	}
	end := token.Token{Kind: token.EOF, File: file, Pos: diag.Pos{Line: 1, Col: 1}}
	if s := p.res.Sources[file]; s != nil {
		f := &frame{file: file, src: string(s), line: 1}
		f.advance(len(s))
		end.Pos = f.pos()
	}
	end.End = end.Pos
	p.toks = append(p.toks, end)
	p.res.Tokens = p.toks
	p.res.Defines = make(map[string]string, len(p.defs))
	for k, d := range p.defs {
		p.res.Defines[k] = d.value
	}
}

func (p *pp) loop() {
	for len(p.frames) > 0 {
		f := p.frames[len(p.frames)-1]
		if f.off >= len(f.src) {
			p.popFrame()
			continue
		}
		switch {
		case p.carry == carryLine:
			p.carry = carryNone
			p.lineComment(f)
		case p.carry == carryBlock:
			p.blockComment(f)
		case p.carry == carryDQ:
			p.dqCont(f)
		case p.carry == carrySQ:
			p.sqCont(f)
		case p.falseN > 0:
			p.skip(f)
		default:
			p.scanOne(f)
		}
	}
}

// popFrame ends the current input. A macro frame hands open constructs to
// its parent; a file ends them with a diagnostic.
func (p *pp) popFrame() {
	f := p.frames[len(p.frames)-1]
	p.frames = p.frames[:len(p.frames)-1]
	if f.macro {
		return
	}
	if len(p.frames) > 0 {
		p.includes--
	}
	switch p.carry {
	case carryDQ, carrySQ:
		p.errorAt("KC0003", p.carryStart, "unterminated string: end of file before the closing %c", p.carryTok.Quote|p.carryQuote)
		e := p.carryTok
		e.Kind, e.Text = token.Error, "unterminated string"
		p.emit(e)
	case carryBlock:
		// Kamailio logs this but still accepts the configuration: whatever
		// the comment swallowed is simply not there.
		p.warnAt("KC0004", p.carryStart, "unterminated block comment: end of file with %d comment(s) open; everything after it is ignored", p.carryNest)
	}
	p.carry = carryNone
	// Kamailio returns a pending string at the end of each file.
	p.flushStr()
}

// sqCont continues a single-quoted string that began in a macro frame.
func (p *pp) sqCont(f *frame) {
	s := f.src
	if i := strings.IndexByte(s[f.off:], '\''); i >= 0 {
		p.carryBuf = append(p.carryBuf, s[f.off:f.off+i]...)
		f.advance(f.off + i + 1)
		p.carry = carryNone
		t := p.carryTok
		t.Quote = '\''
		t.Text = string(p.carryBuf)
		if !p.substArgNext() {
			t.Text = p.substRun(t.Text)
		}
		p.emit(t)
		return
	}
	p.carryBuf = append(p.carryBuf, s[f.off:]...)
	f.advance(len(s))
}

// substArgNext reports whether the next string is the argument of a
// pending #!subst, #!substdef or #!substdefs.
func (p *pp) substArgNext() bool { return p.substDir != "" && p.substIdx < 0 }

// emit appends a token, first finishing a pending double-quoted string.
func (p *pp) emit(t token.Token) {
	p.flushStr()
	if p.substDir != "" && p.substIdx < 0 {
		if t.Kind == token.String {
			p.substIdx = len(p.toks)
			if t.Quote != '"' {
				p.toks = append(p.toks, t)
				p.flushSubst()
				return
			}
		} else {
			p.errorAt("KC0140", t.Range(), "%s needs a string argument, not %s", p.substDir, t.Kind)
			p.substDir = ""
		}
	}
	p.toks = append(p.toks, t)
	if t.Kind == token.String && t.Quote == '\'' {
		p.stringDone(len(p.toks) - 1)
	} else if t.Kind != token.String {
		p.track(t)
	}
}

// flushStr finishes the pending double-quoted string, if any: no more
// literals can join it, so subst rules and loadmodule see its final value.
func (p *pp) flushStr() {
	i := p.joinIdx
	if i < 0 {
		return
	}
	p.joinIdx = -1
	if i >= len(p.toks) {
		return
	}
	if i == p.substIdx {
		// The argument of #!subst* is read as written: earlier rules do
		// not rewrite later directives.
		p.flushSubst()
		return
	}
	p.toks[i].Text = p.substRun(p.toks[i].Text)
	p.stringDone(i)
}

// stringDone runs the statement hooks that look at a finished string.
func (p *pp) stringDone(i int) {
	if p.loadmod > 0 {
		p.defineModule(p.toks[i].Text)
	}
	p.loadmod = 0
	p.ev = 0
}

// track follows the few statement shapes the preprocessor must understand:
// loadmodule "name" (which defines MOD_name) and event_route [name].
func (p *pp) track(t token.Token) {
	switch {
	case t.Kind == token.Keyword && (t.Text == "loadmodule" || t.Text == "loadmodulex"):
		p.loadmod = 1
	case p.loadmod == 1 && t.Kind == token.Punct && t.Text == "(":
		p.loadmod = 2
	default:
		p.loadmod = 0
	}
	switch {
	case t.Kind == token.Keyword && t.Text == "event_route":
		p.ev = 1
	case p.ev == 1 && t.Kind == token.Punct && t.Text == "[":
		p.ev = 2
	default:
		p.ev = 0
	}
}

// defineModule defines MOD_<name> for a loaded module, as Kamailio does
// when it loads the module while parsing.
func (p *pp) defineModule(path string) {
	name := path
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSuffix(name, ".so")
	if name == "" || len(name) >= 60 {
		return
	}
	p.defineModName(name)
}

// defineModName defines MOD_<name> unless it is already defined.
func (p *pp) defineModName(name string) {
	if _, ok := p.defs["MOD_"+name]; !ok {
		p.setDefine("MOD_"+name, "", diag.Range{})
	}
}

// expand pushes the value of define name, used at start..f.off in f.
func (p *pp) expand(f *frame, name string, d *define, start diag.Pos) {
	depth := 0
	for _, fr := range p.frames {
		if fr.macro {
			depth++
			if fr.name == name {
				r := f.rangeFrom(start)
				p.errorAt("KC0105", r, "recursive define: %s expands to itself", name)
				p.emit(f.tok(token.Error, "recursive define "+name, start))
				return
			}
		}
	}
	if depth >= maxExpandDepth {
		p.errorAt("KC0106", f.rangeFrom(start), "define expansion nested more than %d deep at %s", maxExpandDepth, name)
		p.emit(f.tok(token.Error, "define expansion too deep", start))
		return
	}
	if d.value == "" {
		return
	}
	// Defines that double at each level would expand without end; cap the
	// text a run may push back, well above any real configuration.
	p.expanded += int64(len(d.value)) + 32
	if p.expanded > maxExpanded {
		if !p.expandFull {
			p.expandFull = true
			p.errorAt("KC0106", f.rangeFrom(start), "define expansion produced more than %d bytes; expansion stops here", maxExpanded)
		}
		return
	}
	m := &frame{file: f.file, src: d.value, line: 1, macro: true, name: name}
	if f.macro {
		m.via, m.ufile, m.upos, m.uend = f.via, f.ufile, f.upos, f.uend
	} else {
		m.via, m.ufile, m.upos, m.uend = name, f.file, start, f.pos()
	}
	p.frames = append(p.frames, m)
}

// skip scans text inside a false #!ifdef branch. Only the conditional
// directives are recognised there, wherever they start, as in Kamailio's
// IFDEF_SKIP state.
func (p *pp) skip(f *frame) {
	s := f.src
	i := f.off
	for i < len(s) {
		c := s[i]
		if (c == '#' || c == '!') && i+1 < len(s) && s[i+1] == '!' {
			f.advance(i)
			if p.condDirective(f) {
				return
			}
			i = f.off + 1
			continue
		}
		i++
	}
	f.advance(i)
}
