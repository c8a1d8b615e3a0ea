package preproc

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/token"
)

// keywords are the words the parser needs to tell apart from identifiers:
// statement and block structure, word operators, and the top-level
// statements. Kamailio reserves many more words (every core parameter name,
// udp, uri, method, ...), but those only matter inside specific grammar
// positions, so they stay Ident and the parser or checker looks at their
// text. include_file and import_file never reach the parser: the
// preprocessor consumes them.
var keywords = map[string]bool{
	"if": true, "else": true, "switch": true, "case": true, "default": true,
	"while": true, "return": true, "exit": true, "drop": true, "break": true,
	"and": true, "or": true, "not": true, "mod": true,
	"eq": true, "ne": true, "ieq": true, "ine": true,
	"defined": true, "strlen": true, "strempty": true, "selval": true,
	"route": true, "request_route": true, "failure_route": true,
	"branch_route": true, "onreply_route": true, "reply_route": true,
	"onsend_route": true, "event_route": true,
	"loadmodule": true, "loadmodulex": true, "loadpath": true, "mpath": true,
	"modparam": true, "modparamx": true, "cfgengine": true,
	"flags": true, "bool": true,
	"include_file": true, "import_file": true,
}

// boolWords lex as numbers in Kamailio (its YES/NO rules return NUMBER), so
// they come out as Int tokens whose Text is the word; IntValue maps them to
// 1 and 0.
var boolWords = map[string]int64{
	"yes": 1, "true": 1, "on": 1, "enable": 1,
	"no": 0, "false": 0, "off": 0, "disable": 0,
}

// colonWords are single lexemes in Kamailio (MSGLEN, URIHOST, URIPORT):
// `uri:host` is one token there and `uri : host` is a syntax error.
var colonWords = []string{"msg:len", "uri:host", "uri:port"}

// puncts lists operators, longest first for each leading byte.
var puncts = []string{
	"(int)", "(str)",
	"==", "!=", "=~", "<=", ">=", "<<", ">>", "&&", "||", "+=", "-=",
	"{", "}", "(", ")", "[", "]", ";", ",", "=", "+", "-", "*", "/", "<", ">",
	"!", "~", "&", "|", "^", ":", ".", "@", "%",
}

// IntValue returns the value of an Int token's text: decimal, 0x hex, 0
// octal, binary with a b suffix, or one of the words Kamailio reads as a
// number (yes/true/on/enable = 1, no/false/off/disable = 0).
func IntValue(text string) (int64, bool) {
	if v, ok := boolWords[text]; ok {
		return v, true
	}
	if text == "" {
		return 0, false
	}
	base, digits := int64(10), text
	switch {
	case len(text) > 2 && text[0] == '0' && text[1] == 'x':
		base, digits = 16, text[2:]
	case len(text) > 1 && text[len(text)-1] == 'b':
		base, digits = 2, text[:len(text)-1]
	case len(text) > 1 && text[0] == '0':
		base, digits = 8, text[1:]
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		d := digitVal(digits[i])
		if d < 0 || int64(d) >= base {
			return 0, false
		}
		v = v*base + int64(d)
		if v > 1<<40 { // Kamailio keeps an int; anything this big is garbage
			v = 1 << 40
		}
	}
	return v, true
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isLetter(c byte) bool       { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool        { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool        { return isLetter(c) || isDigit(c) }
func isHex(c byte) bool          { return digitVal(c) >= 0 }
func isBlank(c byte) bool        { return c == ' ' || c == '\t' || c == '\r' || c == '\b' }
func isOctal(c byte) bool        { return c >= '0' && c <= '7' }
func isEvChar(c byte) bool       { return isAlnum(c) || c == '-' }
func hexAt(s string, i int) bool { return i < len(s) && isHex(s[i]) }

// frame is one input being scanned: a file, or the value of a define being
// expanded (a macro frame). Kamailio pushes a define's value back into its
// input, so the value is followed by the rest of the enclosing input;
// constructs left open at the end of a macro frame continue in its parent.
type frame struct {
	file      string
	src       string
	off       int
	line      int
	lineStart int

	macro      bool
	name       string // the define this frame expands
	via        string // the outermost define at this use site
	ufile      string // use site of the expansion
	upos, uend diag.Pos
}

func (f *frame) pos() diag.Pos {
	return diag.Pos{Line: f.line, Col: f.off - f.lineStart + 1, Offset: f.off}
}

// advance moves to off n, counting the newlines passed.
func (f *frame) advance(n int) {
	for i := f.off; i < n && i < len(f.src); i++ {
		if f.src[i] == '\n' {
			f.line++
			f.lineStart = i + 1
		}
	}
	f.off = min(n, len(f.src))
}

func (f *frame) peek(k int) byte {
	if f.off+k < len(f.src) {
		return f.src[f.off+k]
	}
	return 0
}

// rangeFrom is the range from start to the current offset, or the use site
// for macro frames.
func (f *frame) rangeFrom(start diag.Pos) diag.Range {
	if f.macro {
		return diag.Range{File: f.ufile, Start: f.upos, End: f.uend, Via: f.via}
	}
	return diag.Range{File: f.file, Start: start, End: f.pos()}
}

// tok builds a token spanning from start to the current offset.
func (f *frame) tok(k token.Kind, text string, start diag.Pos) token.Token {
	r := f.rangeFrom(start)
	return token.Token{Kind: k, Text: text, File: r.File, Pos: r.Start, End: r.End, Via: r.Via}
}

// scanOne scans one lexeme at f.off in normal (not skipping) state.
func (p *pp) scanOne(f *frame) {
	s := f.src
	c := s[f.off]
	switch {
	case isBlank(c):
		f.off++
		return
	case c == '\n':
		f.advance(f.off + 1)
		return
	case c == '\\' && f.peek(1) == '\n':
		f.advance(f.off + 2)
		return
	case c == '#':
		p.flushStr()
		if f.peek(1) == '!' && p.directive(f) {
			return
		}
		p.lineComment(f)
		return
	case c == '!' && f.peek(1) == '!':
		p.flushStr()
		if p.directive(f) {
			return
		}
	case c == '/' && f.peek(1) == '/':
		p.flushStr()
		if f.peek(2) == '!' && p.shebang(f, 3) {
			return
		}
		p.lineComment(f)
		return
	case c == '/' && f.peek(1) == '*':
		p.flushStr()
		start := f.pos()
		f.off += 2
		p.carryStart = diag.Range{File: f.file, Start: start, End: f.pos()}
		if f.macro {
			p.carryStart = f.rangeFrom(start)
		}
		p.carry, p.carryNest = carryBlock, 1
		p.blockComment(f)
		return
	case c == '"':
		p.dqString(f)
		return
	case c == '\'':
		p.sqString(f)
		return
	case c == '$':
		p.pvar(f)
		return
	case c == '%' && f.off+1 < len(s) && isLetter(s[f.off+1]):
		p.attr(f, f.off, f.off+1)
		return
	case p.ev == 2 && isLetter(c):
		if n := evNameLen(s, f.off); n > 0 {
			start := f.pos()
			f.off += n
			p.emit(f.tok(token.EventName, s[start.Offset:f.off], start))
			return
		}
	}
	if isAlnum(c) || c == ':' {
		if p.word(f) {
			return
		}
	}
	for _, op := range puncts {
		if strings.HasPrefix(s[f.off:], op) {
			start := f.pos()
			f.off += len(op)
			p.emit(f.tok(token.Punct, op, start))
			return
		}
	}
	p.badChar(f)
}

// badChar reports a run of characters that cannot start a token with one
// warning, so binary input makes a bounded number of diagnostics.
func (p *pp) badChar(f *frame) {
	start := f.pos()
	s := f.src
	r, size := utf8.DecodeRuneInString(s[f.off:])
	var msg, code string
	switch {
	case r == 0:
		code, msg = "KC0002", "NUL byte in input"
	case r == utf8.RuneError && size <= 1:
		code, msg = "KC0001", fmt.Sprintf("unexpected byte 0x%02x", s[f.off])
	case r < ' ' || r == 0x7f:
		code, msg = "KC0001", fmt.Sprintf("unexpected control character %U", r)
	default:
		code, msg = "KC0001", fmt.Sprintf("unexpected character %q (%U)", r, r)
	}
	f.off += size
	// Swallow the rest of a run of bad bytes on this line.
	for f.off < len(s) {
		c := s[f.off]
		if c < 0x80 && (c == '\n' || c > ' ' && c != 0x7f || isBlank(c)) {
			break
		}
		_, n := utf8.DecodeRuneInString(s[f.off:])
		f.off += n
	}
	// Kamailio's lexer has no rule for these: flex echoes them to
	// standard output and goes on, so the configuration is still accepted.
	d := p.warnAt(code, f.rangeFrom(start), "%s is ignored", msg)
	d.Detail = "Kamailio skips characters it cannot read (and prints them); remove it"
}

// word scans identifiers, keywords, numbers, NUM_IDs and addresses by
// Kamailio's longest-match rule. It returns false when nothing matched
// (a lone ':' that is not an IPv6 address).
func (p *pp) word(f *frame) bool {
	s := f.src
	i := f.off
	w := i
	for w < len(s) && isAlnum(s[w]) {
		w++
	}
	lw := w - i
	l6 := ipv6Len(s, i)
	if lw == 0 && l6 == 0 {
		return false
	}
	start := f.pos()
	if l6 >= lw && l6 > 0 && (l6 > lw || !isLetter(s[i]) || lw == 0) {
		// IPV6ADDR comes before the number and ID rules in cfg.lex, so it
		// wins ties; for a word it must be longer (a word like "beef" or
		// "add" is not an address).
		f.off = i + l6
		p.emit(f.tok(token.Addr, s[i:f.off], start))
		return true
	}
	text := s[i:w]
	if isLetter(s[i]) {
		for _, cw := range colonWords {
			if strings.HasPrefix(s[i:], cw) {
				f.off = i + len(cw)
				p.emit(f.tok(token.Keyword, cw, start))
				return true
			}
		}
		f.off = w
		if keywords[text] {
			if text == "include_file" || text == "import_file" {
				p.flushStr()
				p.include(f, text == "import_file", start)
				return true
			}
			p.emit(f.tok(token.Keyword, text, start))
			return true
		}
		if _, ok := boolWords[text]; ok {
			p.emit(f.tok(token.Int, text, start))
			return true
		}
		if d, ok := p.defs[text]; ok {
			p.expand(f, text, d, start)
			return true
		}
		p.emit(f.tok(token.Ident, text, start))
		return true
	}
	if la := ipv4Len(s, i); la > lw {
		f.off = i + la
		p.emit(f.tok(token.Addr, s[i:f.off], start))
		return true
	}
	f.off = w
	if isNumber(text) {
		p.emit(f.tok(token.Int, text, start))
	} else {
		p.emit(f.tok(token.NumID, text, start))
	}
	return true
}

// isNumber reports whether w is entirely one of Kamailio's number forms.
func isNumber(w string) bool {
	switch {
	case w == "0":
		return true
	case len(w) > 2 && w[0] == '0' && w[1] == 'x':
		for i := 2; i < len(w); i++ {
			if !isHex(w[i]) {
				return false
			}
		}
		return true
	case len(w) > 1 && w[len(w)-1] == 'b':
		for i := 0; i < len(w)-1; i++ {
			if w[i] != '0' && w[i] != '1' {
				return false
			}
		}
		return true
	case w[0] == '0':
		for i := 1; i < len(w); i++ {
			if !isOctal(w[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// ipv4Len returns the length of a dotted quad at i (1-3 digits per part).
func ipv4Len(s string, i int) int {
	j := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if j >= len(s) || s[j] != '.' {
				return 0
			}
			j++
		}
		k := j
		for k < len(s) && k-j < 3 && isDigit(s[k]) {
			k++
		}
		if k == j {
			return 0
		}
		j = k
	}
	if j < len(s) && isDigit(s[j]) {
		return 0
	}
	return j - i
}

// hex4 returns the end of 1-4 hex digits at i, or -1.
func hex4(s string, i int) int {
	j := i
	for j < len(s) && j-i < 4 && isHex(s[j]) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// ipv6Len returns the length of the longest match of Kamailio's IPV6ADDR at
// i, or 0: eight groups; groups with one "::"; or the "::" forms.
func ipv6Len(s string, i int) int {
	best := 0
	// Leading groups "h:".
	j, k := i, 0
	for k < 7 {
		e := hex4(s, j)
		if e < 0 || e >= len(s) || s[e] != ':' {
			break
		}
		j, k = e+1, k+1
	}
	if k == 7 {
		if e := hex4(s, j); e > 0 {
			best = max(best, e-i)
		}
	}
	if k >= 1 && j < len(s) && s[j] == ':' {
		best = max(best, j+1-i) // h:...:
		if e := colonGroups(s, j); e > 0 {
			best = max(best, e-i) // h:...::h...
		}
	}
	if k == 0 && strings.HasPrefix(s[i:], "::") {
		best = max(best, 2)
		if e := colonGroups(s, i+1); e > 0 {
			best = max(best, e-i)
		}
	}
	return best
}

// colonGroups matches (":" h){1,7} at i and returns its end, or 0.
func colonGroups(s string, i int) int {
	end, j := 0, i
	for n := 0; n < 7; n++ {
		if j >= len(s) || s[j] != ':' {
			break
		}
		e := hex4(s, j+1)
		if e < 0 {
			break
		}
		end, j = e, e
	}
	return end
}

// evNameLen matches EVENT_RT_NAME: [a-zA-Z][0-9a-zA-Z-]*(":"[a-zA-Z][0-9a-zA-Z_-]*)+
func evNameLen(s string, i int) int {
	j := i + 1
	for j < len(s) && isEvChar(s[j]) && s[j] != '_' {
		j++
	}
	parts := 0
	for j+1 < len(s) && s[j] == ':' && (s[j+1] >= 'a' && s[j+1] <= 'z' || s[j+1] >= 'A' && s[j+1] <= 'Z') {
		j += 2
		for j < len(s) && isEvChar(s[j]) {
			j++
		}
		parts++
	}
	if parts == 0 {
		return 0
	}
	return j - i
}

// lineComment skips a # or // comment through its newline. In a macro frame
// the comment continues to the end of the line at the use site.
func (p *pp) lineComment(f *frame) {
	if i := strings.IndexByte(f.src[f.off:], '\n'); i >= 0 {
		f.advance(f.off + i + 1)
		return
	}
	f.off = len(f.src)
	if f.macro {
		p.carry = carryLine
	}
}

// blockComment continues a nested /* */ comment (p.carryNest open).
func (p *pp) blockComment(f *frame) {
	s := f.src
	i := f.off
	for i < len(s) {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			p.carryNest++
			i += 2
		case s[i] == '*' && i+1 < len(s) && s[i+1] == '/':
			p.carryNest--
			i += 2
			if p.carryNest == 0 {
				f.advance(i)
				p.carry = carryNone
				return
			}
		default:
			i++
		}
	}
	f.advance(i)
}

// sqString scans a raw single-quoted string.
func (p *pp) sqString(f *frame) {
	p.flushStr()
	start := f.pos()
	s := f.src
	if i := strings.IndexByte(s[f.off+1:], '\''); i >= 0 {
		text := s[f.off+1 : f.off+1+i]
		f.advance(f.off + i + 2)
		t := f.tok(token.String, text, start)
		t.Quote = '\''
		if !p.substArgNext() {
			t.Text = p.substRun(t.Text)
		}
		p.emit(t)
		return
	}
	p.carry, p.carryQuote = carrySQ, '\''
	p.carryBuf = append(p.carryBuf[:0], s[f.off+1:]...)
	p.carryTok = f.tok(token.String, "", start)
	p.carryStart = p.carryTok.Range()
	f.advance(len(s))
}

// dqString starts a double-quoted string, joining it to the previous one
// when only blanks and newlines separate them.
func (p *pp) dqString(f *frame) {
	start := f.pos()
	f.off++
	p.carryBuf = p.carryBuf[:0]
	p.carryTok = f.tok(token.String, "", start)
	p.carryTok.Quote = '"'
	p.carryStart = diag.Range{File: p.carryTok.File, Start: start, End: f.pos(), Via: p.carryTok.Via}
	p.carry = carryDQ
	p.carryRaw = f.off
	p.carryPlain = true
	p.dqCont(f)
}

// dqCont continues decoding a double-quoted string in f.
func (p *pp) dqCont(f *frame) {
	s := f.src
	i := f.off
	for i < len(s) {
		c := s[i]
		if c == '"' {
			if p.carryPlain && p.carryRaw >= 0 {
				p.finishDQ(f, s[p.carryRaw:i], i+1)
			} else {
				p.carryBuf = append(p.carryBuf, s[f.off:i]...)
				p.finishDQ(f, string(p.carryBuf), i+1)
			}
			return
		}
		if c != '\\' {
			i++
			continue
		}
		// An escape: switch to building the value.
		if p.carryPlain {
			p.carryPlain = false
		}
		p.carryBuf = append(p.carryBuf, s[f.off:i]...)
		n, out, ok := unescape(s, i)
		p.carryBuf = append(p.carryBuf, out...)
		_ = ok
		i += n
		f.advance(i)
	}
	p.carryBuf = append(p.carryBuf, s[f.off:i]...)
	p.carryPlain = false
	f.advance(i)
}

// unescape decodes the escape at s[i] == '\\' and returns the bytes used
// and the bytes produced.
func unescape(s string, i int) (int, string, bool) {
	if i+1 >= len(s) {
		return 1, "\\", false
	}
	switch c := s[i+1]; c {
	case 'n':
		return 2, "\n", true
	case 'r':
		return 2, "\r", true
	case 'a':
		return 2, "\a", true
	case 't':
		return 2, "\t", true
	case '"':
		return 2, "\"", true
	case '\\':
		return 2, "\\", true
	case '\n':
		return 2, "", true
	case 'x':
		if hexAt(s, i+2) {
			v, n := digitVal(s[i+2]), 3
			if hexAt(s, i+3) {
				v, n = v*16+digitVal(s[i+3]), 4
			}
			return n, string([]byte{byte(v)}), true
		}
	default:
		if isOctal(c) && i+2 < len(s) && isOctal(s[i+2]) {
			v, n := int(c-'0')*8+int(s[i+2]-'0'), 3
			if i+3 < len(s) && isOctal(s[i+3]) {
				v, n = v*8+int(s[i+3]-'0'), 4
			}
			return n, string([]byte{byte(v)}), true
		}
	}
	// Unknown escapes keep the backslash; the next character is read
	// normally.
	return 1, "\\", true
}

// finishDQ ends a double-quoted literal whose value is text, with the
// closing quote ending at end.
func (p *pp) finishDQ(f *frame, text string, end int) {
	startTok := p.carryTok
	f.advance(end)
	p.carry = carryNone
	r := f.rangeFrom(startTok.Pos)
	if startTok.File != r.File || startTok.Via != r.Via {
		// Started in a macro and ended in its parent: keep the start.
		r = startTok.Range()
	}
	if p.joinIdx >= 0 && p.joinIdx == len(p.toks)-1 {
		prev := &p.toks[p.joinIdx]
		prev.Text += text
		if prev.File == r.File {
			prev.End = r.End
		}
		return
	}
	p.flushStr()
	t := token.Token{Kind: token.String, Text: text, File: r.File, Pos: r.Start, End: r.End, Via: r.Via, Quote: '"'}
	p.emit(t)
	p.joinIdx = len(p.toks) - 1
}

// pvar scans a pseudo-variable starting at '$'.
func (p *pp) pvar(f *frame) {
	s := f.src
	i := f.off
	start := f.pos()
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "$?"):
		p.pvarTok(f, i+2, start)
		return
	case strings.HasPrefix(rest, "$retcode"):
		p.pvarTok(f, i+8, start)
		return
	case strings.HasPrefix(rest, "$rc"):
		// The RETCODE rule is longer than the "$" rule, so "$rcx" is "$rc" "x".
		p.pvarTok(f, i+3, start)
		return
	}
	if p.compat == compatSER {
		p.attr(f, i, i+1)
		return
	}
	if i+1 < len(s) && s[i+1] == '(' {
		p.pvarParen(f, i+1, start)
		return
	}
	j := i + 1
	if p.compat == compatMax && avpPrefix(s, j) > 0 {
		p.attr(f, i, i+1)
		return
	}
	for j < len(s) && isAlnum(s[j]) && (j > i+1 || isLetter(s[j])) {
		j++
	}
	if j == i+1 {
		if p.compat == compatKamailio {
			p.pvarTok(f, j, start) // PVARID returns the lone "$"
			return
		}
		f.off = j
		t := f.tok(token.Error, "'$' must be followed by a pseudo-variable name", start)
		p.errorAt("KC0006", t.Range(), "%s", t.Text)
		p.emit(t)
		return
	}
	if j < len(s) && s[j] == '(' {
		p.pvarParen(f, j, start)
		return
	}
	if j < len(s) && s[j] == '[' && p.compat == compatMax {
		p.attr(f, i, i+1)
		return
	}
	p.pvarTok(f, j, start)
}

func (p *pp) pvarTok(f *frame, end int, start diag.Pos) {
	text := f.src[f.off:end]
	f.off = end
	p.emit(f.tok(token.PVar, p.substRun(text), start))
}

// pvarParen cuts a pvar whose '(' is at j: parentheses are counted (quotes
// are not special) until the matching ')' on the same line.
func (p *pp) pvarParen(f *frame, j int, start diag.Pos) {
	s := f.src
	begin := f.off
	nest := 0
	for k := j; k < len(s); k++ {
		switch s[k] {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				text := s[begin : k+1]
				f.off = k + 1
				p.emit(f.tok(token.PVar, p.substRun(text), start))
				return
			}
		case '\n':
			k = len(s)
		}
	}
	end := strings.IndexByte(s[begin:], '\n')
	if end < 0 {
		end = len(s)
	} else {
		end += begin
	}
	f.off = end
	msg := fmt.Sprintf("pseudo-variable %q has unbalanced parentheses (%d open at end of line)", s[begin:end], nest)
	t := f.tok(token.Error, msg, start)
	p.errorAt("KC0005", t.Range(), "%s", msg)
	p.emit(t)
}

// avpPrefix matches (([ft][rud]?)|g)\. at j and returns its length.
func avpPrefix(s string, j int) int {
	if j >= len(s) {
		return 0
	}
	k := j
	switch s[k] {
	case 'f', 't':
		k++
		if k < len(s) && (s[k] == 'r' || s[k] == 'u' || s[k] == 'd') {
			k++
		}
	case 'g':
		k++
	default:
		return 0
	}
	if k < len(s) && s[k] == '.' {
		return k + 1 - j
	}
	return 0
}

// attr cuts a SER-style attribute: mark, optional class prefix (f. t. fr.
// g. ...), a name, and an optional [index] written right after it.
func (p *pp) attr(f *frame, i, j int) {
	s := f.src
	start := f.pos()
	j += avpPrefix(s, j)
	k := j
	for k < len(s) && isAlnum(s[k]) && (k > j || isLetter(s[k])) {
		k++
	}
	if k == j {
		f.off = max(k, i+1)
		t := f.tok(token.Error, "attribute name expected after "+s[i:f.off], start)
		p.errorAt("KC0006", t.Range(), "%s", t.Text)
		p.emit(t)
		return
	}
	if k < len(s) && s[k] == '[' {
		if e := strings.IndexAny(s[k:], "]\n"); e > 0 && s[k+e] == ']' {
			k += e + 1
		}
	}
	f.off = k
	p.emit(f.tok(token.PVar, p.substRun(s[i:k]), start))
}
