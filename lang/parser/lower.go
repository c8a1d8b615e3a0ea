package parser

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/lang/token"
)

// Lowering turns participle's grammar structs into lang/ast nodes, mapping
// token indices back to source ranges and reporting the errors the grammar
// accepts on purpose (to give a better message than a parse failure).

func (p *state) lowerLoadModule(g *gLoadModule) *ast.LoadModule {
	n := &ast.LoadModule{X: g.Keyword == "loadmodulex", Rng: p.posRng(g.Pos, g.EndPos)}
	if i := g.Pos.Offset + 1; i < len(p.toks) && p.toks[i].Kind == token.Punct && p.toks[i].Text == "(" {
		n.Paren = true
	}
	if len(g.Args) > 0 {
		n.Path = g.Args[0].Value
		n.PathRange = p.rng(g.Args[0].Pos.Offset, g.Args[0].Pos.Offset+1)
	}
	if len(g.Args) > 1 {
		n.Opts = g.Args[1].Value
	}
	return n
}

func (p *state) lowerModParam(g *gModParam) *ast.ModParam {
	n := &ast.ModParam{
		Module: g.Module.Value, Param: g.Param.Value,
		ModuleRange: p.rng(g.Module.Pos.Offset, g.Module.Pos.Offset+1),
		ParamRange:  p.rng(g.Param.Pos.Offset, g.Param.Pos.Offset+1),
		X:           g.Keyword == "modparamx",
		Rng:         p.posRng(g.Pos, g.EndPos),
	}
	v := g.Value
	r := p.posRng(v.Pos, v.EndPos)
	switch {
	case v.Word != "":
		p.badWord(v, "modparam value must be a string or a number")
		n.Value = &ast.StrLit{Value: v.Word, Rng: r}
	case v.PVar != "":
		if !n.X {
			p.errorf(v.Pos.Offset, "KC0530", "modparam value must be a string or a number").Detail =
				"use modparamx to set a parameter from a pseudo-variable"
		}
		n.Value = p.pvar(v.Pos.Offset)
	case v.Int != "":
		n.Value = p.intLit(v, r)
	default:
		n.Value = &ast.StrLit{Value: v.Str, Raw: p.toks[v.Pos.Offset].Quote == '\'', Rng: r}
	}
	return n
}

// badWord reports a bare word where a string or number is needed; it is
// most often a #!define that is not defined in this file.
func (p *state) badWord(v *gModValue, msg string) {
	code := "KC0530"
	if strings.HasPrefix(msg, "a configuration") {
		code = "KC0520"
	}
	d := p.errorf(v.Pos.Offset, code, "%s, found %q", msg, v.Word)
	if t := p.toks[v.Pos.Offset]; t.Kind == token.Ident {
		d.Detail = fmt.Sprintf("if %s is meant to be a #!define, it is not defined at this point", v.Word)
	}
}

func (p *state) intLit(v *gModValue, r diag.Range) *ast.IntLit {
	idx := v.Pos.Offset
	if v.Neg {
		idx++
	}
	val, ok := preproc.IntValue(v.Int)
	if !ok {
		p.errorf(idx, "KC0514", "invalid number %q", v.Int)
	}
	text := v.Int
	if v.Neg {
		val, text = -val, "-"+text
	}
	return &ast.IntLit{Value: val, Text: text, Rng: r}
}

func (p *state) lowerFlags(g *gFlags) *ast.Flags {
	n := &ast.Flags{Rng: p.posRng(g.Pos, g.EndPos)}
	for _, f := range g.Flags {
		bit := -1
		if f.Bit != "" {
			v, ok := preproc.IntValue(f.Bit)
			if !ok || v < 0 || v > 1<<30 {
				p.errorf(f.EndPos.Offset-1, "KC0514", "invalid flag number %q", f.Bit)
			} else {
				bit = int(v)
			}
		}
		n.Flags = append(n.Flags, ast.Flag{Name: f.Name, Bit: bit, Rng: p.posRng(f.Pos, f.EndPos)})
	}
	return n
}

func (p *state) lowerCfgVar(g *gCfgVar) *ast.CfgVar {
	n := &ast.CfgVar{Group: g.Group, Name: g.Name, Index: -1, Rng: p.posRng(g.Pos, g.EndPos)}
	if g.Index != "" {
		v, ok := preproc.IntValue(g.Index)
		if !ok || v < 0 || v > 1<<30 {
			p.errorf(g.Pos.Offset+2, "KC0514", "invalid group index %q", g.Index)
		} else {
			n.Index = int(v)
		}
	}
	v := g.Value
	r := p.posRng(v.Pos, v.EndPos)
	switch {
	case v.Word != "":
		p.badWord(v, "a configuration variable takes a number or a string")
		n.Value = ast.Value{Kind: ast.ValString, Text: v.Word, Rng: r}
	case v.PVar != "":
		p.errorf(v.Pos.Offset, "KC0520", "a configuration variable takes a number or a string")
		n.Value = ast.Value{Kind: ast.ValString, Text: v.PVar, Rng: r}
	case v.Int != "":
		lit := p.intLit(v, r)
		n.Value = ast.Value{Kind: ast.ValInt, Text: lit.Text, Int: lit.Value, Rng: r}
	default:
		n.Value = ast.Value{Kind: ast.ValString, Text: v.Str, Rng: r}
	}
	if g.Descr != nil {
		n.Descr = g.Descr.Value
	}
	return n
}

// listenAttrs are the words that may follow a listen address, and whether
// each takes a value.
var listenAttrs = map[string]bool{"advertise": true, "name": true, "virtual": false, "agname": true}

func (p *state) lowerCoreParam(g *gCoreParam) *ast.CoreParam {
	n := &ast.CoreParam{Name: g.Name, NameRange: p.rng(g.Pos.Offset, g.Pos.Offset+1), Rng: p.posRng(g.Pos, g.EndPos)}
	if g.Block != nil {
		n.Block = true
		for _, f := range g.Block.Fields {
			a := ast.Attr{Name: f.Name, Rng: p.posRng(f.Pos, f.EndPos)}
			a.Values, _ = p.values(f.Values, false)
			n.Attrs = append(n.Attrs, a)
		}
		return n
	}
	n.Values, n.Attrs = p.values(g.Values, strings.EqualFold(g.Name, "listen"))
	return n
}

// values groups the tokens of a value list: values are separated by commas
// or blanks, and tokens written without a blank between them form one value
// (udp:127.0.0.1:5060, [::1]:5060, *:5060, eth0, a.example.com). With attrs,
// listen attribute words start attributes that take the next value.
func (p *state) values(v *valuesNode, attrs bool) ([]ast.Value, []ast.Attr) {
	var runs [][]int // token indices of each value
	var cur []int
	prev := -1
	for i := v.Start; i < v.End; i++ {
		t := p.toks[i]
		if t.Kind == token.Error {
			continue
		}
		if t.Kind == token.Punct && t.Text == "," {
			if cur != nil {
				runs = append(runs, cur)
			}
			cur, prev = nil, -1
			continue
		}
		if prev >= 0 && !p.joined(prev, i) {
			runs = append(runs, cur)
			cur = nil
		}
		cur = append(cur, i)
		prev = i
	}
	if cur != nil {
		runs = append(runs, cur)
	}
	var vals []ast.Value
	var as []ast.Attr
	for r := 0; r < len(runs); r++ {
		run := runs[r]
		first := p.toks[run[0]]
		if attrs && len(run) == 1 && len(vals) > 0 && (first.Kind == token.Ident || first.Kind == token.Keyword) {
			if takes, ok := listenAttrs[strings.ToLower(first.Text)]; ok {
				a := ast.Attr{Name: strings.ToLower(first.Text), Rng: first.Range()}
				if takes {
					if r+1 < len(runs) {
						r++
						val := p.value(runs[r])
						a.Values = []ast.Value{val}
						a.Rng = a.Rng.Join(val.Rng)
					} else {
						p.errorf(run[0], "KC0520", "%s needs a value", first.Text)
					}
				}
				as = append(as, a)
				continue
			}
		}
		if len(as) > 0 {
			p.errorf(run[0], "KC0520", "unexpected %s after listen attributes", describeTok(first))
		}
		vals = append(vals, p.value(run))
	}
	return vals, as
}

// joined reports whether tokens a and b are written with no blank between
// them (or come from the same define expansion and may be joined).
func (p *state) joined(a, b int) bool {
	ta, tb := p.toks[a], p.toks[b]
	if ta.File != tb.File {
		return false
	}
	if tb.Kind == token.String || ta.Kind == token.String {
		// A quoted host is joined only to the ':' of a port or protocol
		// written right next to it: "sip.example.com":5060.
		colon := ta.Kind == token.Punct && ta.Text == ":" || tb.Kind == token.Punct && tb.Text == ":"
		return colon && ta.End.Line == tb.Pos.Line && ta.End.Col == tb.Pos.Col
	}
	if ta.Via != "" && ta.Via == tb.Via && ta.Pos == tb.Pos {
		if (tb.Kind == token.Ident || tb.Kind == token.Keyword) && listenAttrs[tb.Text] {
			return ta.Kind == token.Punct && ta.Text != ")"
		}
		return true
	}
	return ta.End.Line == tb.Pos.Line && ta.End.Col == tb.Pos.Col
}

func (p *state) value(run []int) ast.Value {
	first, last := p.toks[run[0]], p.toks[run[len(run)-1]]
	r := first.Range()
	if last.File == r.File {
		r = r.Join(last.Range())
	}
	if len(run) == 1 {
		switch first.Kind {
		case token.Int:
			v, ok := preproc.IntValue(first.Text)
			if !ok {
				p.errorf(run[0], "KC0514", "invalid number %q", first.Text)
			}
			return ast.Value{Kind: ast.ValInt, Text: first.Text, Int: v, Rng: r}
		case token.String:
			return ast.Value{Kind: ast.ValString, Text: first.Text, Rng: r}
		case token.Ident, token.Keyword, token.NumID:
			return ast.Value{Kind: ast.ValIdent, Text: first.Text, Rng: r}
		}
	}
	if len(run) == 2 && first.Kind == token.Punct && first.Text == "-" && last.Kind == token.Int {
		v, ok := preproc.IntValue(last.Text)
		if !ok {
			p.errorf(run[1], "KC0514", "invalid number %q", last.Text)
		}
		return ast.Value{Kind: ast.ValInt, Text: "-" + last.Text, Int: -v, Rng: r}
	}
	var b strings.Builder
	for k, i := range run {
		t := p.toks[i]
		switch {
		case t.Kind == token.PVar, t.Kind == token.String && !hostString(p.toks, run, k):
			p.errorf(i, "KC0520", "unexpected %s in an address", describeTok(t))
		}
		b.WriteString(t.Text)
	}
	return ast.Value{Kind: ast.ValAddr, Text: b.String(), Rng: r}
}

// hostString reports whether the string at position k of an address run
// stands where Kamailio's grammar takes a quoted host: first or after
// "proto:", and last or before ":port".
func hostString(toks []token.Token, run []int, k int) bool {
	colon := func(j int) bool {
		return j >= 0 && j < len(run) && toks[run[j]].Kind == token.Punct && toks[run[j]].Text == ":"
	}
	before := k == 0 || k == 2 && colon(1)
	after := k == len(run)-1 || k == len(run)-3 && colon(k+1)
	return before && after
}

func describeTok(t token.Token) string {
	lt := toLexer(t, 0)
	return describe(&lt)
}

// --------------------------------------------------------------- routes

func (p *state) lowerRoute(g *gRoute) *ast.Route {
	r := &ast.Route{Keyword: g.Keyword, Rng: p.posRng(g.Pos, g.EndPos)}
	if g.Name != nil {
		t := p.toks[g.Name.Pos.Offset]
		r.Name, r.NameRange = t.Text, t.Range()
		switch {
		case t.Kind == token.Keyword:
			p.errorf(g.Name.Pos.Offset, "KC0510", "reserved word %q cannot be a route name", t.Text)
		case g.Keyword == "event_route" && t.Kind != token.EventName && !strings.Contains(t.Text, ":"):
			p.errorf(g.Name.Pos.Offset, "KC0516", "event_route name must be module:event, found %q", t.Text)
		case g.Keyword != "event_route" && t.Kind == token.EventName:
			p.errorf(g.Name.Pos.Offset, "KC0515", "invalid route name %q", t.Text)
		}
	}
	switch g.Keyword {
	case "request_route":
		r.Kind = ast.Request
	case "route":
		r.Kind = ast.Request
		if g.Name != nil {
			r.Kind = ast.Named
		}
	case "failure_route":
		r.Kind = ast.Failure
	case "branch_route":
		r.Kind = ast.Branch
	case "onreply_route":
		r.Kind = ast.Reply
		if g.Name != nil {
			r.Kind = ast.OnReply
		}
	case "reply_route":
		r.Kind = ast.Reply
		if g.Name != nil {
			p.errorf(g.Name.Pos.Offset, "KC0511", "reply_route takes no name").Detail =
				"a named reply route is onreply_route[" + r.Name + "]"
		}
	case "onsend_route":
		r.Kind = ast.OnSend
	case "event_route":
		r.Kind = ast.Event
		if g.Name == nil {
			p.errorf(g.Pos.Offset, "KC0516", "event_route needs a name: event_route[module:event]")
		}
	}
	r.Body = p.lowerBlock(g.Body)
	return r
}

func (p *state) lowerBlock(g *gBlock) *ast.Block {
	b := &ast.Block{Rng: p.posRng(g.Pos, g.EndPos)}
	if len(g.Stmts) == 0 && g.EndPos.Offset == g.Pos.Offset+2 {
		// Kamailio's grammar needs at least one action between braces; it
		// fails at the closing brace.
		d := p.errorf(g.EndPos.Offset-1, "KC0532", "empty block: write at least one statement (a lone ';' will do)")
		d.Detail = "Kamailio rejects { } with a syntax error"
	}
	b.Stmts = p.lowerStmts(g.Stmts)
	return b
}

// lowerStmts lowers a list of statements: a route or block body, or a
// case's statements. A block in braces is no statement of such a list in
// Kamailio's grammar, only the body of if, else or while: after
// `if (c);` the block that follows is refused.
func (p *state) lowerStmts(gs []*gStmt) []ast.Stmt {
	out := make([]ast.Stmt, 0, len(gs))
	for i, g := range gs {
		if g != nil && g.Block != nil {
			d := p.errorf(g.Block.Pos.Offset, "KC0533", "a block in braces stands only after if, else, while or a route name")
			if i > 0 && gs[i-1] != nil && gs[i-1].If != nil && gs[i-1].If.Then != nil && gs[i-1].If.Then.Empty && gs[i-1].If.Else == nil {
				d.Detail = "the ';' after the if condition ends the if: remove it to make this block its body"
			} else {
				d.Detail = "remove the braces, or make the block the body of an if"
			}
		}
		if s := p.lowerStmt(g); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (p *state) lowerStmt(g *gStmt) ast.Stmt {
	if g == nil {
		return nil
	}
	r := p.posRng(g.Pos, g.EndPos)
	switch {
	case g.Block != nil:
		return p.lowerBlock(g.Block)
	case g.If != nil:
		n := &ast.If{Cond: p.resolve(g.If.Cond.X), Then: p.lowerStmt(g.If.Then), Rng: p.posRng(g.If.Pos, g.If.EndPos)}
		if g.If.Else != nil {
			n.Else = p.lowerStmt(g.If.Else)
		}
		return n
	case g.Switch != nil:
		n := &ast.Switch{Tag: p.resolve(g.Switch.Tag.X), Rng: p.posRng(g.Switch.Pos, g.Switch.EndPos)}
		for _, c := range g.Switch.Cases {
			cn := &ast.Case{Default: c.Default, Regex: c.Regex, Body: p.lowerStmts(c.Body), Rng: p.posRng(c.Pos, c.EndPos)}
			if c.Value != nil {
				cn.Value = p.resolve(c.Value.X)
			}
			n.Cases = append(n.Cases, cn)
		}
		return n
	case g.While != nil:
		return &ast.While{Cond: p.resolve(g.While.Cond.X), Body: p.lowerStmt(g.While.Body), Rng: p.posRng(g.While.Pos, g.While.EndPos)}
	case g.Return != nil:
		n := &ast.ReturnStmt{Rng: r}
		switch g.Return.Kind {
		case "exit":
			n.Kind = ast.Exit
		case "drop":
			n.Kind = ast.Drop
		}
		if g.Return.Value != nil {
			n.Value = p.resolve(g.Return.Value.X)
		}
		return n
	case g.Break:
		return &ast.Break{Rng: r}
	case g.Assign != nil:
		a := &ast.Assign{LHS: p.pvar(g.Assign.Pos.Offset), Op: g.Assign.Op, RHS: p.resolve(g.Assign.RHS.X), Rng: r}
		p.checkAssign(a, g.Assign.Pos.Offset+1)
		return a
	case g.Call != nil:
		return &ast.ExprStmt{X: p.resolve(g.Call.X), Rng: r}
	}
	return &ast.Empty{Rng: r}
}

func (p *state) checkAssign(a *ast.Assign, opIdx int) {
	if a.Op == "=" {
		return
	}
	lhs := a.LHS.Text
	op := strings.TrimSuffix(a.Op, "=")
	p.errorf(opIdx, "KC0508", "the native language has no %s; write %s = %s %s ...", a.Op, lhs, lhs, op)
}

// pvar builds the pseudo-variable of token idx with its inner structure.
func (p *state) pvar(idx int) *ast.PVar {
	t := p.toks[idx]
	pv, d := pvsyntax.ParsePV(t.Text, t.Range())
	if d != nil {
		d.Context = p.ctx
		p.diags = append(p.diags, d)
	}
	if pv == nil {
		pv = &ast.PVar{Text: t.Text, Rng: t.Range()}
	}
	return pv
}

// resolve replaces the token-index ranges of an expression built by the
// expression parser with source ranges, and parses pseudo-variables.
func (p *state) resolve(e ast.Expr) ast.Expr {
	fix := func(r diag.Range) diag.Range { return p.rng(r.Start.Offset, r.End.Offset) }
	switch n := e.(type) {
	case nil:
		return nil
	case *ast.IntLit:
		n.Rng = fix(n.Rng)
	case *ast.StrLit:
		n.Raw = p.toks[n.Rng.Start.Offset].Quote == '\''
		n.Rng = fix(n.Rng)
	case *ast.PVar:
		return p.pvar(n.Rng.Start.Offset)
	case *ast.Binary:
		n.X, n.Y = p.resolve(n.X), p.resolve(n.Y)
		n.OpRange, n.Rng = fix(n.OpRange), fix(n.Rng)
	case *ast.Unary:
		n.X = p.resolve(n.X)
		n.Rng = fix(n.Rng)
	case *ast.Paren:
		n.X = p.resolve(n.X)
		n.Rng = fix(n.Rng)
	case *ast.Selval:
		n.Cond, n.A, n.B = p.resolve(n.Cond), p.resolve(n.A), p.resolve(n.B)
		n.Rng = fix(n.Rng)
	case *ast.Call:
		for i, a := range n.Args {
			n.Args[i] = p.resolve(a)
		}
		n.NameRange, n.Rng = fix(n.NameRange), fix(n.Rng)
	case *ast.RouteCall:
		if n.Dyn != nil {
			n.Dyn = p.resolve(n.Dyn)
		} else {
			if t := p.toks[n.NameRange.Start.Offset]; t.Kind == token.Int || t.Kind == token.String || t.Kind == token.NumID {
				n.Name = t.Text
			}
			n.NameRange = fix(n.NameRange)
		}
		n.Rng = fix(n.Rng)
	case *ast.Ident:
		n.Rng = fix(n.Rng)
	case *ast.AddrLit:
		n.Rng = fix(n.Rng)
	case *ast.Select:
		n.Rng = fix(n.Rng)
	case *ast.AssignExpr:
		opIdx := n.A.LHS.Rng.Start.Offset + 1
		n.A.LHS = p.pvar(n.A.LHS.Rng.Start.Offset)
		n.A.RHS = p.resolve(n.A.RHS)
		n.A.Rng = fix(n.A.Rng)
		n.Rng = fix(n.Rng)
		p.checkAssign(n.A, opIdx)
	}
	return e
}
