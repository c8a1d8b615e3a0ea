package preproc

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// Directives that need at least one blank after the keyword
// ({PREP_START}{DEFINE}{EAT_ABLE}+ in cfg.lex).
var blankDirectives = map[string]bool{
	"define": true, "def": true, "trydef": true, "trydefine": true,
	"redef": true, "redefine": true, "undef": true, "undefine": true,
	"tryundef": true, "tryundefine": true, "defexp": true, "defexps": true,
	"ifdef": true, "ifndef": true, "ifexp": true,
}

// newerDirectives were added to Kamailio after 5.6; an older Kamailio
// reads such a line as a comment, and so does kamgo when it follows one.
var newerDirectives = map[string]bool{
	"undef": true, "undefine": true, "tryundef": true, "tryundefine": true,
	"defexp": true, "defexps": true, "ifexp": true,
}

// Directives matched as a plain prefix, longest first.
var prefixDirectives = []string{
	"include_file", "import_file", "trydefenvs", "trydefenv",
	"substdefs", "substdef", "subst", "defenvs", "defenv",
}

var shebangs = map[string]int{
	"KAMAILIO": compatKamailio, "OPENSER": compatKamailio, "SER": compatSER,
	"MAXCOMPAT": compatMax, "ALL": compatMax,
}

// dirWord returns the word after "#!" or "!!" at f.off.
func dirWord(s string, i int) string {
	j := i
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	return s[i:j]
}

// restOfLine returns the text from i to the newline (exclusive) and the
// offset just past the newline (len(s) at the end of the input).
func restOfLine(s string, i int) (string, int, bool) {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return s[i : i+j], i + j + 1, true
	}
	return s[i:], len(s), false
}

func onlyBlanks(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isBlank(s[i]) {
			return false
		}
	}
	return true
}

// directive handles "#!" or "!!" at f.off in normal state. It returns false
// when the text is not a directive: "#!xyz" is then a line comment and
// "!!" two operators.
func (p *pp) directive(f *frame) bool {
	s := f.src
	start := f.pos()
	kw := f.off + 2
	word := dirWord(s, kw)
	after := kw + len(word)
	if blankDirectives[word] && after < len(s) && isBlank(s[after]) {
		if newerDirectives[word] && !p.hasDirective(word) {
			r := diag.Range{File: f.file, Start: start, End: diag.Pos{Line: start.Line, Col: start.Col + 2 + len(word), Offset: start.Offset + 2 + len(word)}}
			msg := "#!%s needs Kamailio 5.7 or newer: Kamailio %s reads this line as a comment"
			if p.opts.Directive != nil {
				msg = "#!%s is not a directive of Kamailio %s: it reads this line as a comment"
			}
			p.warnAt("KC0128", r, msg, word, versionString(p.version())).Detail =
				"the line is ignored; kamgo follows Kamailio " + versionString(p.version())
			return false
		}
		switch word {
		case "ifdef", "ifndef", "ifexp":
			return p.condDirective(f)
		case "define", "def":
			p.defineDir(f, start, after, 0)
		case "trydef", "trydefine":
			p.defineDir(f, start, after, 1)
		case "redef", "redefine":
			p.defineDir(f, start, after, 2)
		case "undef", "undefine":
			p.undefDir(f, start, after, false)
		case "tryundef", "tryundefine":
			p.undefDir(f, start, after, true)
		case "defexp":
			p.defexpDir(f, start, after, false)
		case "defexps":
			p.defexpDir(f, start, after, true)
		}
		return true
	}
	if word == "else" || word == "endif" {
		return p.condDirective(f)
	}
	for _, d := range prefixDirectives {
		if !strings.HasPrefix(s[kw:], d) {
			continue
		}
		end := kw + len(d)
		switch d {
		case "include_file", "import_file":
			f.off = end
			p.include(f, d == "import_file", start)
		case "subst", "substdef", "substdefs":
			f.off = end
			p.substDir = "#!" + d
			p.substAt = f.rangeFrom(start)
			p.substIdx = -1
		default:
			p.defenvDir(f, start, end, d)
		}
		return true
	}
	if s[f.off] == '#' {
		return p.shebang(f, 2)
	}
	return false
}

// shebang handles "#!KAMAILIO\n" style lines (k is the offset of the name
// after the "!"), which set the compat mode.
func (p *pp) shebang(f *frame, k int) bool {
	s := f.src
	i := f.off + k
	word := dirWord(s, i)
	mode, ok := shebangs[word]
	if !ok || i+len(word) >= len(s) || s[i+len(word)] != '\n' {
		return false
	}
	p.compat = mode
	f.advance(i + len(word) + 1)
	return true
}

// condDirective handles #!ifdef, #!ifndef, #!ifexp, #!else and #!endif at
// f.off, in normal or skipping state. It returns false when the text is
// not one of them.
func (p *pp) condDirective(f *frame) bool {
	s := f.src
	start := f.pos()
	kw := f.off + 2
	word := dirWord(s, kw)
	after := kw + len(word)
	switch word {
	case "ifdef", "ifndef", "ifexp":
		if after >= len(s) || !isBlank(s[after]) {
			return false
		}
	case "else", "endif":
		line, next, nl := restOfLine(s, after)
		if !nl || !onlyBlanks(line) {
			{
				r := f.rangeFrom(start)
				r.End = r.Start
				r.End.Col += 2 + len(word)
				r.End.Offset += 2 + len(word)
				if f.macro {
					r = f.rangeFrom(start)
				}
				if !nl && onlyBlanks(line) {
					p.warnAt("KC0127", r, "#!%s at the end of the file needs a newline after it; without one Kamailio reads it as a comment", word)
				} else {
					d := p.warnAt("KC0125", r, "#!%s followed by other text is a comment, not a directive", word)
					d.Detail = "Kamailio only accepts blanks after #!" + word + "; move the comment to its own line"
				}
			}
			return false
		}
		r := f.rangeFrom(start)
		if !f.macro {
			r.End = diag.Pos{Line: start.Line, Col: start.Col + 2 + len(word), Offset: start.Offset + 2 + len(word)}
		}
		f.advance(next)
		if word == "else" {
			if len(p.ifs) == 0 {
				p.warnAt("KC0121", r, "#!else without a matching #!ifdef")
				return true
			}
			top := &p.ifs[len(p.ifs)-1]
			p.setTaken(top, !top.taken)
		} else {
			p.level--
			if len(p.ifs) == 0 {
				p.warnAt("KC0122", r, "#!endif without a matching #!ifdef")
				if !p.strayEndif.Start.IsValid() {
					p.strayEndif = r
				}
				return true
			}
			top := p.ifs[len(p.ifs)-1]
			if !top.taken {
				p.falseN--
			}
			p.ifs = p.ifs[:len(p.ifs)-1]
		}
		return true
	default:
		return false
	}
	// #!ifdef NAME / #!ifndef NAME / #!ifexp EXPR
	p.flushStr()
	i := after
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	line, next, _ := restOfLine(s, i)
	f.advance(i)
	taken := false
	r := f.rangeFrom(start)
	if !f.macro {
		r.End = diag.Pos{Line: start.Line, Col: start.Col + 2 + len(word), Offset: start.Offset + 2 + len(word)}
	}
	if word == "ifexp" {
		expr, n := continued(s, i)
		next = n
		if p.falseN == 0 {
			v, err := p.evalExpr(expr)
			if err != nil {
				p.errorAt("KC0110", f.rangeFrom(f.pos()), "#!ifexp: %v", err)
			}
			taken = v.truth()
		}
	} else {
		n := 0
		for n < len(line) && isAlnum(line[n]) && (n > 0 || isLetter(line[n])) {
			n++
		}
		name := line[:n]
		switch {
		case n == 0:
			p.errorAt("KC0101", f.rangeFrom(f.pos()), "#!%s needs a define name", word)
		case n < len(line) && line[n] == '-':
			p.errorAt("KC0102", f.rangeFrom(f.pos()), "'-' is not allowed in a define name (%s-...)", name)
		case !onlyBlanks(line[n:]):
			q := f.pos()
			q.Col += n
			q.Offset += n
			if f.macro {
				p.warnAt("KC0124", f.rangeFrom(q), "text after #!%s %s is ignored", word, name)
			} else {
				p.warnAt("KC0124", diag.Range{File: f.file, Start: q, End: diag.Pos{Line: q.Line, Col: q.Col + len(line) - n, Offset: q.Offset + len(line) - n}}, "text after #!%s %s is ignored", word, name)
			}
		}
		_, def := p.defs[name]
		taken = def == (word == "ifdef") && n > 0
	}
	f.advance(next)
	if len(p.ifs) >= maxIfdefs && !p.ifsFull {
		p.ifsFull = true
		p.errorAt("KC0123", r, "too many nested #!ifdef: Kamailio allows at most %d", maxIfdefs)
	}
	p.level++
	p.ifs = append(p.ifs, ifLevel{taken: true, at: r})
	p.setTaken(&p.ifs[len(p.ifs)-1], taken)
	return true
}

func (p *pp) setTaken(l *ifLevel, taken bool) {
	if l.taken && !taken {
		p.falseN++
	} else if !l.taken && taken {
		p.falseN--
	}
	l.taken = taken
}

// continued reads the rest of the line at i, joining lines that end in a
// backslash, and returns it with the offset after the final newline.
func continued(s string, i int) (string, int) {
	var b strings.Builder
	for {
		line, next, nl := restOfLine(s, i)
		if nl && strings.HasSuffix(line, "\\") {
			b.WriteString(line[:len(line)-1])
			i = next
			continue
		}
		if b.Len() == 0 {
			return line, next
		}
		b.WriteString(line)
		return b.String(), next
	}
}

// defineName reads a define name at i after the directive keyword and its
// blanks; it reports a missing name or a '-' after it.
func (p *pp) defineName(f *frame, after int, word string) (string, int, bool) {
	s := f.src
	i := after
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	j := i
	for j < len(s) && isAlnum(s[j]) && (j > i || isLetter(s[j])) {
		j++
	}
	f.advance(i)
	if j == i {
		p.errorAt("KC0101", f.rangeFrom(f.pos()), "%s needs a name", word)
		p.skipLine(f)
		return "", 0, false
	}
	name := s[i:j]
	if j < len(s) && s[j] == '-' {
		q := f.pos()
		f.off = j + 1
		p.errorAt("KC0102", f.rangeFrom(q), "'-' is not allowed in a define name (%s-...)", name)
		p.skipLine(f)
		return "", 0, false
	}
	return name, j, true
}

func (p *pp) skipLine(f *frame) {
	_, next, _ := restOfLine(f.src, f.off)
	f.advance(next)
}

// defineDir handles #!define (mode 0), #!trydef (1) and #!redefine (2).
// The value is the raw rest of the line, blanks before it skipped and
// backslash-newline pairs removed; comments stay in it, as in Kamailio.
func (p *pp) defineDir(f *frame, start diag.Pos, after int, mode int) {
	p.flushStr()
	s := f.src
	name, j, ok := p.defineName(f, after, "#!define")
	if !ok {
		return
	}
	nameAt := f.pos()
	f.off = j
	nameRange := f.rangeFrom(nameAt)
	for j < len(s) && isBlank(s[j]) {
		j++
	}
	value, next, nl := "", j, false
	if j < len(s) && s[j] != '\n' {
		var b []byte
		k := j
		for k < len(s) && s[k] != '\n' {
			if s[k] == '\\' && k+1 < len(s) && s[k+1] == '\n' {
				b = append(b, s[j:k]...)
				k += 2
				j = k
				continue
			}
			k++
		}
		if b != nil {
			value = string(append(b, s[j:k]...))
		} else {
			value = s[j:k]
		}
		next, nl = k+1, k < len(s)
	} else {
		next, nl = j+1, j < len(s)
	}
	if !nl {
		// Kamailio stores the value when it reads the newline.
		value = ""
	}
	f.advance(min(next, len(s)))
	old, exists := p.defs[name]
	switch {
	case exists && mode == 1:
		return
	case exists && mode == 0:
		d := p.errorAt("KC0103", nameRange, "%s is already defined", name)
		if old.at.Start.IsValid() {
			d.Related = append(d.Related, diag.Related{Message: "first defined here", Range: old.at})
		} else if old.at.File != "" {
			d.Detail = "it was defined on the command line (-A)"
		} else {
			d.Detail = "it is predefined by Kamailio"
		}
		d.Detail += "; use #!redefine to replace it or #!trydef to keep the first value"
		return
	}
	p.setDefine(name, value, nameRange)
}

func (p *pp) undefDir(f *frame, start diag.Pos, after int, try bool) {
	p.flushStr()
	name, j, ok := p.defineName(f, after, "#!undef")
	if !ok {
		return
	}
	at := f.pos()
	f.off = j
	r := f.rangeFrom(at)
	p.skipLine(f)
	if _, exists := p.defs[name]; !exists {
		if !try {
			p.warnAt("KC0111", r, "#!undef %s: it is not defined", name)
		}
		return
	}
	delete(p.defs, name)
	p.ndefs--
}

// defexpDir handles #!defexp NAME EXPR and #!defexps (quoted result).
func (p *pp) defexpDir(f *frame, start diag.Pos, after int, quoted bool) {
	p.flushStr()
	name, j, ok := p.defineName(f, after, "#!defexp")
	if !ok {
		return
	}
	at := f.pos()
	f.off = j
	r := f.rangeFrom(at)
	expr, next := continued(f.src, j)
	f.advance(next)
	v, err := p.evalExpr(expr)
	if err != nil {
		p.errorAt("KC0110", r, "#!defexp %s: %v", name, err)
		return
	}
	val := v.String()
	if quoted {
		val = `"` + val + `"`
	}
	if old, exists := p.defs[name]; exists {
		d := p.errorAt("KC0103", r, "%s is already defined", name)
		if old.at.Start.IsValid() {
			d.Related = append(d.Related, diag.Related{Message: "first defined here", Range: old.at})
		}
		return
	}
	p.setDefine(name, val, r)
}

// defenvDir handles #!defenv ID=VAR, #!defenv VAR and the s/try variants.
// The argument is the next run of non-blank characters on the line.
func (p *pp) defenvDir(f *frame, start diag.Pos, end int, d string) {
	p.flushStr()
	s := f.src
	i := end
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n' {
		j++
	}
	f.advance(i)
	at := f.pos()
	arg := s[i:j]
	f.off = j
	r := f.rangeFrom(at)
	if arg == "" {
		r = f.rangeFrom(start)
		p.errorAt("KC0109", r, "#!%s needs an argument: NAME=VAR or VAR", d)
		return
	}
	name, envName, hasEq := strings.Cut(arg, "=")
	if !hasEq {
		envName = name
	}
	if envName == "" || name == "" {
		p.errorAt("KC0109", r, "invalid #!%s argument %q", d, arg)
		return
	}
	val, ok := p.opts.Env(envName)
	if !ok {
		if !strings.HasPrefix(d, "try") {
			p.errorAt("KC0108", r, "environment variable %s is not set (#!%s)", envName, d)
		}
		return
	}
	if _, exists := p.defs[name]; exists {
		p.errorAt("KC0103", r, "%s is already defined", name)
		return
	}
	if strings.HasSuffix(d, "s") {
		val = `"` + val + `"`
	}
	p.setDefine(name, val, r)
}

// newer reports whether the version followed knows the directives added
// after 5.6.
// hasDirective reports whether the Kamailio followed has #!word, one of
// newerDirectives.
func (p *pp) hasDirective(word string) bool {
	if p.opts.Directive != nil {
		return p.opts.Directive(word)
	}
	return p.newer()
}

func (p *pp) newer() bool {
	v := p.version()
	return v[0] > 5 || v[0] == 5 && v[1] >= 7
}

func (p *pp) version() [3]int {
	if p.opts.Version != ([3]int{}) {
		return p.opts.Version
	}
	return Version
}

func versionString(v [3]int) string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2])
}
