// Package parser owns the syntax of a Kamailio configuration: it turns the
// preprocessor's tokens into a lang/ast tree with participle, reporting every
// syntax error it can find (not just the first) as KC05xx diagnostics
// (declared in codes.go). It is the only package that imports participle.
//
// The token stream is cut into top-level items by hand (a route block ends at
// its balanced '}', other items at the next item or ';'), and each item is
// parsed on its own, so one bad item does not hide errors in the next. Inside
// a route body, a statement with an error is dropped and the body parsed
// again, so every bad statement is reported once.
package parser

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/token"
)

// maxItemErrors bounds the errors reported for one route block; after that
// the rest of the block is not searched.
const maxItemErrors = 50

// Parse builds the syntax tree of a preprocessed configuration. It never
// fails as a whole: the returned Config holds every item that parsed, and
// the list holds the syntax errors (preprocessor diagnostics are not copied
// from res). Tokens of kind Error were diagnosed by the preprocessor and are
// skipped.
func Parse(res *preproc.Result) (*ast.Config, diag.List) {
	cfg := &ast.Config{Files: res.Files, Defines: res.Defines}
	if err := prepare(); err != nil {
		var l diag.List
		l.Errorf("KC0500", diag.Range{}, "internal grammar error: %v", err)
		return cfg, l
	}
	p := &state{toks: res.Tokens}
	if len(p.toks) == 0 || p.toks[len(p.toks)-1].Kind != token.EOF {
		p.toks = append(p.toks[:len(p.toks):len(p.toks)], token.Token{Kind: token.EOF})
	}
	p.lt = make([]lexer.Token, 0, len(p.toks))
	for i, t := range p.toks {
		if t.Kind != token.Error {
			p.lt = append(p.lt, toLexer(t, i))
		}
	}
	p.items(cfg)
	p.runJobs(cfg)
	return cfg, p.diags
}

// ParseFile preprocesses and parses the file at path. The diagnostics hold
// the preprocessor's and the parser's, in source order; the sources are for
// printing snippets.
func ParseFile(path string, opts preproc.Options) (*ast.Config, diag.List, diag.Sources) {
	res := preproc.ProcessFile(path, opts)
	cfg, l := Parse(res)
	all := append(append(diag.List{}, res.Diags...), l...)
	all.Sort()
	return cfg, all, res.Sources
}

// state is one parse.
type state struct {
	toks  []token.Token // the preprocessed stream, indexed by token index
	lt    []lexer.Token // the same without Error tokens, for participle
	diags diag.List
	ctx   string // enclosing block, for diagnostics
	seen  map[int]bool
	jobs  []*routeJob
}

// routeJob is one route body to parse. Route bodies are independent once
// the token stream is cut into items, so they are parsed in parallel.
type routeJob struct {
	slot  int // index in cfg.Items
	toks  []lexer.Token
	eofAt lexer.Position
	ctx   string
	route *ast.Route
	diags diag.List
}

// runJobs parses the collected route bodies on all cores and puts the
// routes in their places, keeping the diagnostics in source order.
func (p *state) runJobs(cfg *ast.Config) {
	n := 0
	for _, j := range p.jobs {
		n += len(j.toks)
	}
	workers := min(runtime.GOMAXPROCS(0), len(p.jobs))
	if n < 4000 {
		workers = 1 // small configs: not worth the goroutines
	}
	next := make(chan *routeJob)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				q := &state{toks: p.toks, lt: p.lt, ctx: j.ctx}
				j.route = q.parseRoute(j.toks, j.eofAt)
				j.diags = q.diags
			}
		}()
	}
	for _, j := range p.jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	items := cfg.Items[:0]
	k := 0
	for i, it := range cfg.Items {
		if k < len(p.jobs) && p.jobs[k].slot == i {
			j := p.jobs[k]
			k++
			p.diags = append(p.diags, j.diags...)
			if j.route != nil {
				items = append(items, j.route)
			}
			continue
		}
		items = append(items, it)
	}
	cfg.Items = items
	p.jobs = nil
}

func (p *state) errorf(idx int, code, format string, args ...any) *diag.Diagnostic {
	d := p.diags.Errorf(code, p.toks[idx].Range(), format, args...)
	d.Context = p.ctx
	return d
}

// rng is the source range of token indices [s, e).
func (p *state) rng(s, e int) diag.Range {
	if s < 0 || s >= len(p.toks) {
		return diag.Range{}
	}
	r := p.toks[s].Range()
	if e-1 > s && e-1 < len(p.toks) {
		if last := p.toks[e-1]; last.File == r.File && last.Kind != token.EOF {
			r = r.Join(last.Range())
		}
	}
	return r
}

func (p *state) posRng(s, e lexer.Position) diag.Range { return p.rng(s.Offset, e.Offset) }

// --------------------------------------------------------------- items

var routeKinds = map[string]bool{
	"request_route": true, "route": true, "failure_route": true, "branch_route": true,
	"onreply_route": true, "reply_route": true, "onsend_route": true, "event_route": true,
}

var itemKeywords = map[string]bool{
	"loadmodule": true, "loadmodulex": true, "loadpath": true, "mpath": true, "modparam": true,
	"modparamx": true, "cfgengine": true, "flags": true, "bool": true, "avpflags": true,
}

func word(t lexer.Token) bool {
	k := token.Kind(t.Type)
	return t.Type != lexer.EOF && (k == token.Ident || k == token.Keyword)
}

func (p *state) at(i int) lexer.Token {
	if i < len(p.lt) {
		return p.lt[i]
	}
	return p.lt[len(p.lt)-1]
}

func (p *state) punct(i int, s string) bool {
	t := p.at(i)
	return isPunct(&t, s)
}

// routeStart reports whether lt[i] begins a route block definition (as
// opposed to a route(...) call).
func (p *state) routeStart(i int) bool {
	t := p.at(i)
	if !word(t) || !routeKinds[t.Value] {
		return false
	}
	return t.Value != "route" || p.punct(i+1, "[") || p.punct(i+1, "{")
}

// itemStart reports whether lt[i] begins a top-level item other than a
// route block.
func (p *state) itemStart(i int) bool {
	t := p.at(i)
	if t.Type == lexer.TokenType(token.Subst) {
		return true
	}
	if !word(t) {
		return false
	}
	if itemKeywords[t.Value] {
		return true
	}
	if p.punct(i+1, "=") {
		return true
	}
	if p.punct(i+1, ".") && word(p.at(i+2)) && p.punct(i+3, "=") {
		return true
	}
	return p.punct(i+1, "[") && p.punct(i+3, "]") && p.punct(i+4, ".")
}

func (p *state) items(cfg *ast.Config) {
	i := 0
	for i < len(p.lt) && p.lt[i].Type != lexer.EOF {
		t := p.lt[i]
		p.ctx = ""
		switch {
		case isPunct(&t, ";"):
			i++
		case t.Type == lexer.TokenType(token.Subst):
			// #!subst rules are applied by the preprocessor; a directive that
			// reaches the parser is skipped with its string.
			i++
			if token.Kind(p.at(i).Type) == token.String {
				i++
			}
		case p.routeStart(i):
			i = p.route(cfg, i)
		case p.itemStart(i):
			j := p.itemEnd(i + 1)
			if it := p.item(i, j); it != nil {
				cfg.Items = append(cfg.Items, it)
			}
			i = j
		case isPunct(&t, "}"):
			p.errorf(t.Pos.Offset, "KC0503", "unbalanced '}': no block is open here")
			i++
		default:
			d := p.errorf(t.Pos.Offset, "KC0504", "unexpected %s at top level", describe(&t))
			if word(t) {
				d.Summary = fmt.Sprintf("unknown statement %q at top level", t.Value)
				d.Detail = "top-level statements are core parameters (name = value), loadmodule, modparam and route blocks"
			}
			i++
			for i < len(p.lt)-1 && !p.itemStart(i) && !p.routeStart(i) {
				i++
			}
		}
	}
}

// joinedToPrev reports whether lt[i] continues the previous token's value
// (it follows '.', ':', '=', ',' or '-'), so it cannot start an item.
func (p *state) joinedToPrev(i int) bool {
	if i == 0 {
		return false
	}
	t := p.lt[i-1]
	if t.Type != lexer.TokenType(token.Punct) {
		return false
	}
	switch t.Value {
	case ".", ":", "=", ",", "-":
		return true
	}
	return false
}

// stmtBoundary reports whether lt[i] follows a ';', '{' or '}', where a
// statement (or a forgotten block's successor) can begin.
func (p *state) stmtBoundary(i int) bool {
	return i > 0 && (p.punct(i-1, ";") || p.punct(i-1, "{") || p.punct(i-1, "}"))
}

// itemEnd returns the end (exclusive) of the item whose body starts at i:
// the next ';' or item start outside brackets.
func (p *state) itemEnd(i int) int {
	depth := 0
	for ; i < len(p.lt)-1; i++ {
		t := p.lt[i]
		if t.Type == lexer.TokenType(token.Punct) {
			switch t.Value {
			case "(", "[", "{":
				depth++
				continue
			case ")", "]", "}":
				if depth == 0 {
					return i
				}
				depth--
				continue
			case ";":
				if depth == 0 {
					return i
				}
			}
		}
		if depth == 0 && !p.joinedToPrev(i) && (p.itemStart(i) || p.routeStart(i)) {
			return i
		}
	}
	return i
}

// item parses the non-route item lt[s:e].
func (p *state) item(s, e int) ast.Item {
	kw := p.lt[s].Value
	if g := plainLoadModule(p.lt[s:e], p.at(e).Pos); g != nil {
		return p.lowerLoadModule(g)
	}
	if g := plainModParam(p.lt[s:e], p.at(e).Pos); g != nil {
		return p.lowerModParam(g)
	}
	if !itemKeywords[kw] && p.punct(s+1, "=") {
		if g := plainCoreParam(p.lt[s:e], p.at(e).Pos); g != nil {
			return p.lowerCoreParam(g)
		}
	}
	pl := peeking(p.lt[s:e], p.at(e).Pos)
	var (
		out ast.Item
		err error
	)
	switch {
	case kw == "loadmodule" || kw == "loadmodulex":
		var g *gLoadModule
		if g, err = parse(&grammar.loadModule, pl); err == nil {
			out = p.lowerLoadModule(g)
		}
	case kw == "loadpath" || kw == "mpath":
		var g *gLoadPath
		if g, err = parse(&grammar.loadPath, pl); err == nil {
			out = &ast.LoadPath{Path: g.Path.Value, Rng: p.posRng(g.Pos, g.EndPos)}
		}
	case kw == "modparam" || kw == "modparamx":
		var g *gModParam
		if g, err = parse(&grammar.modParam, pl); err == nil {
			out = p.lowerModParam(g)
		}
	case kw == "cfgengine":
		var g *gCfgEngine
		if g, err = parse(&grammar.cfgEngine, pl); err == nil {
			out = &ast.CfgEngine{Name: g.Name.Value, Rng: p.posRng(g.Pos, g.EndPos)}
		}
	case kw == "flags" || kw == "bool" || kw == "avpflags":
		var g *gFlags
		if g, err = parse(&grammar.flags, pl); err == nil {
			out = p.lowerFlags(g)
		}
	case p.punct(s+1, "=") && !p.punct(s+1, "."):
		var g *gCoreParam
		if g, err = parse(&grammar.coreParam, pl); err == nil {
			out = p.lowerCoreParam(g)
		}
	default:
		var g *gCfgVar
		if g, err = parse(&grammar.cfgVar, pl); err == nil {
			out = p.lowerCfgVar(g)
		}
	}
	if err != nil {
		p.report(err)
		return nil
	}
	if t := pl.Peek(); t.Type != lexer.EOF {
		p.errorf(t.Pos.Offset, "KC0500", "unexpected %s after %s", describe(t), kw)
	}
	return out
}

// parse parses one item with its production, allowing trailing tokens
// (the caller reports them).
func parse[P any](pr *production[P], pl *lexer.PeekingLexer) (*P, error) {
	g, err := pr.get()
	if err != nil {
		return nil, err
	}
	return g.ParseFromLexer(pl, participle.AllowTrailing(true))
}

// --------------------------------------------------------------- routes

// route parses the route block starting at lt[i] and returns where the next
// item starts.
func (p *state) route(cfg *ast.Config, i int) int {
	start := i
	title := p.lt[i].Value
	if p.punct(i+1, "[") && p.punct(i+3, "]") {
		title += "[" + p.lt[i+2].Value + "]"
	}
	p.ctx = title
	// Find the body's '{': the header is at most a few tokens.
	j := i + 1
	for j < len(p.lt)-1 && !p.punct(j, "{") && !p.punct(j, ";") && !p.punct(j, "}") &&
		!(j > i+1 && (p.itemStart(j) || p.routeStart(j))) {
		j++
	}
	if !p.punct(j, "{") {
		t := p.at(j)
		p.errorf(t.Pos.Offset, "KC0523", "'{' expected after %s, found %s", title, describe(&t))
		if p.punct(j, ";") || p.punct(j, "}") {
			j++
		}
		return j
	}
	// Find the matching '}'. A route definition or module statement inside
	// the body means a '}' is missing: close the open blocks there.
	var open []int
	tooDeep := false
	pending := 0
	k := j
	for ; k < len(p.lt)-1; k++ {
		t := p.lt[k]
		if len(open) > 0 && p.stmtBoundary(k) && (p.routeStart(k) || (word(t) && itemKeywords[t.Value] && !p.punct(k+1, "("))) {
			break
		}
		switch {
		case isKw(&t, "if") || isKw(&t, "while") || isKw(&t, "else") || isKw(&t, "switch"):
			pending++ // a statement nested without braces
		case isPunct(&t, ";") || isPunct(&t, "}"):
			pending = 0
		}
		if len(open)+pending > maxDepth && !tooDeep {
			tooDeep = true
			p.errorf(t.Pos.Offset, "KC0512", "statements nested too deeply (more than %d levels)", maxDepth)
		}
		if isPunct(&t, "{") {
			open = append(open, k)
			if len(open) > maxDepth && !tooDeep {
				tooDeep = true
				p.errorf(t.Pos.Offset, "KC0512", "blocks nested too deeply (more than %d levels)", maxDepth)
			}
		} else if isPunct(&t, "}") {
			open = open[:len(open)-1]
			if len(open) == 0 {
				k++
				break
			}
		}
	}
	toks := p.lt[start:k]
	if len(open) > 0 {
		last := p.lt[open[len(open)-1]]
		stop := &p.lt[min(k, len(p.lt)-1)]
		d := p.errorf(last.Pos.Offset, "KC0502", "unbalanced '{': this block is not closed")
		d.Detail = "add the missing '}'; the block runs into " + describe(stop)
		// The subject runs to where the block was cut: Kamailio reports the
		// error there, at the token that cannot be inside the block.
		if end := p.toks[stop.Pos.Offset]; end.Pos.IsValid() && end.File == d.Subject.File {
			d.Subject.End = end.Pos
		}
		closer := p.at(k)
		closer.Type, closer.Value = lexer.TokenType(token.Punct), "}"
		toks = append(toks[:len(toks):len(toks)], make([]lexer.Token, len(open))...)
		for n := len(toks) - len(open); n < len(toks); n++ {
			toks[n] = closer
		}
	}
	if tooDeep {
		return k
	}
	p.jobs = append(p.jobs, &routeJob{slot: len(cfg.Items), toks: toks, eofAt: p.at(k).Pos, ctx: p.ctx})
	cfg.Items = append(cfg.Items, nil) // filled by runJobs
	return k
}

// parseRoute parses one route block, dropping each statement with an error
// and trying again, so every bad statement is reported.
func (p *state) parseRoute(toks []lexer.Token, eofAt lexer.Position) *ast.Route {
	p.seen = map[int]bool{}
	for range maxItemErrors {
		g, err := parse(&grammar.route, peeking(toks, eofAt))
		if err == nil {
			return p.lowerRoute(g)
		}
		idx := p.report(err)
		cut, ok := stmtSpan(toks, idx)
		if !ok {
			return nil
		}
		toks = append(append(make([]lexer.Token, 0, len(toks)), toks[:cut[0]]...), toks[cut[1]:]...)
	}
	p.errorf(toks[0].Pos.Offset, "KC0524", "too many errors in %s; the rest of it is not checked", p.ctx)
	return nil
}

// stmtSpan finds the statement around the token with index idx in toks
// (a route block) and returns the part of toks to drop, [from, to).
func stmtSpan(toks []lexer.Token, idx int) ([2]int, bool) {
	k := -1
	for n, t := range toks {
		if t.Pos.Offset == idx && t.Type != lexer.EOF {
			k = n
			break
		}
	}
	body := -1
	depth := make([]int, len(toks)) // brace depth before each token
	d := 0
	for n := range toks {
		depth[n] = d
		if isPunct(&toks[n], "{") {
			if body < 0 {
				body = n
			}
			d++
		} else if isPunct(&toks[n], "}") {
			d--
		}
	}
	if k <= body || body < 0 {
		return [2]int{}, false
	}
	level := depth[k]
	from := body + 1
	for j := k - 1; j > body; j-- {
		if depth[j] == level && (isPunct(&toks[j], ";") || isPunct(&toks[j], "}")) {
			from = j + 1
			break
		}
		if depth[j] == level-1 && isPunct(&toks[j], "{") {
			from = j + 1
			break
		}
	}
	to := len(toks) - 1
	for j := k; j < len(toks); j++ {
		t := &toks[j]
		if depth[j] == level && isPunct(t, ";") {
			to = j + 1
			break
		}
		if depth[j] == level && isPunct(t, "}") {
			to = j
			break
		}
		if depth[j] == level+1 && isPunct(t, "}") {
			if j+1 < len(toks) && isKw(&toks[j+1], "else") {
				continue
			}
			to = j + 1
			break
		}
	}
	if to <= from {
		if k == len(toks)-1 {
			return [2]int{}, false
		}
		from, to = k, k+1
	}
	return [2]int{from, to}, true
}

// --------------------------------------------------------------- errors

// report turns a participle error into a diagnostic and returns the index
// of the token it is about.
func (p *state) report(err error) int {
	var (
		se *synErr
		ue *participle.UnexpectedTokenError
		pe participle.Error
	)
	switch {
	case errors.As(err, &se):
		if !p.seen[se.idx] {
			p.errorf(se.idx, se.code, "%s", se.msg).Detail = se.detail
		}
		p.mark(se.idx)
		return se.idx
	case errors.As(err, &ue):
		idx := ue.Unexpected.Pos.Offset
		if !p.seen[idx] {
			p.unexpected(&ue.Unexpected, expectation(ue))
		}
		p.mark(idx)
		return idx
	case errors.As(err, &pe):
		idx := pe.Position().Offset
		if !p.seen[idx] {
			p.errorf(idx, "KC0500", "syntax error: %s", pe.Message())
		}
		p.mark(idx)
		return idx
	}
	p.diags.Errorf("KC0500", diag.Range{}, "syntax error: %v", err)
	return -1
}

// labelColon reports whether the case or default label at token idx has
// its ':' before the end of the statement.
func (p *state) labelColon(idx int) bool {
	for i := idx + 1; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.Kind == token.EOF || t.Kind == token.Punct && (t.Text == ";" || t.Text == "{" || t.Text == "}") {
			return false
		}
		if t.Kind == token.Punct && t.Text == ":" {
			return true
		}
	}
	return false
}

func (p *state) mark(idx int) {
	if p.seen != nil {
		p.seen[idx] = true
	}
}

// expectation extracts what participle expected from its message.
func expectation(ue *participle.UnexpectedTokenError) string {
	msg := ue.Message()
	if i := strings.Index(msg, "(expected "); i >= 0 {
		return strings.TrimSuffix(msg[i+len("(expected "):], ")")
	}
	return ue.Expect
}

// unexpected reports an unexpected token in Kamailio terms, from what
// participle expected at that point.
func (p *state) unexpected(t *lexer.Token, want string) {
	idx := t.Pos.Offset
	has := func(s string) bool { return strings.Contains(want, strconv.Quote(s)) }
	what := describe(t)
	switch {
	case has(";") && !isPunct(t, ";"):
		if t.Type == lexer.EOF {
			p.errorf(idx, "KC0501", "missing ';' at end of input?")
		} else {
			p.errorf(idx, "KC0501", "missing ';' before %s?", what)
		}
	case isKw(t, "else"):
		p.errorf(idx, "KC0517", "'else' without 'if'").Detail = "a ';' after the if's statement or a '}' may be misplaced"
	case has(":") && t.Type != lexer.EOF && (strings.Contains(want, "caseNode") || strings.Contains(want, "'/'")):
		p.errorf(idx, "KC0519", "missing ':' after case label, found %s", what)
	case has(":"):
		p.errorf(idx, "KC0519", "missing ':' after case label, found %s", what)
	case isKw(t, "case") || isKw(t, "default"):
		if p.labelColon(idx) {
			p.errorf(idx, "KC0518", "'%s' outside a switch", t.Value)
		} else {
			p.errorf(idx, "KC0519", "missing ':' after %s label", t.Value)
		}
	case token.Kind(t.Type) != token.String && (strings.Contains(want, "String") || strings.Contains(want, "GStr")):
		p.errorf(idx, "KC0531", "string expected, found %s", what)
	case strings.Contains(want, "GName") || strings.Contains(want, "Ident | Int"):
		p.errorf(idx, "KC0515", "route name expected, found %s", what)
	case strings.Contains(want, "exprNode") || strings.Contains(want, "caseNode"):
		e := expectedExpr(t).(*synErr)
		p.errorf(idx, e.code, "%s", e.msg)
	case (has("{") || strings.Contains(strings.ToLower(want), "gblock")) && !has("}"):
		p.errorf(idx, "KC0523", "'{' expected, found %s", what)
	case has("]"):
		p.errorf(idx, "KC0528", "missing ']', found %s", what)
	case has(")"):
		p.errorf(idx, "KC0513", "missing ')', found %s", what)
	case has("}") && (isPunct(t, ")") || isPunct(t, "]")):
		p.errorf(idx, "KC0525", "unbalanced %s", what)
	case has("}") && t.Type == lexer.EOF:
		p.errorf(idx, "KC0502", "unbalanced '{': missing '}' at end of input")
	case has("}"):
		d := p.errorf(idx, "KC0505", "unknown statement: unexpected %s", what)
		if token.Kind(t.Type) == token.PVar || token.Kind(t.Type) == token.String || token.Kind(t.Type) == token.Int {
			d.Detail = "a statement is a function call, an assignment ($pv = value), or if/switch/while/return"
		}
	case has("="):
		p.errorf(idx, "KC0529", "'=' expected, found %s", what)
	case token.Kind(t.Type) == token.String || t.Type == lexer.TokenType(token.Error):
		p.errorf(idx, "KC0500", "syntax error: unexpected %s", what)
	default:
		p.errorf(idx, "KC0500", "syntax error: unexpected %s", what)
	}
}
