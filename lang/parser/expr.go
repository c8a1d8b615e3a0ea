package parser

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/token"
)

// Expressions are parsed by hand (precedence climbing) inside participle
// Parseable types. participle's tokens carry only an index into the
// preprocessed stream, so the nodes built here hold token indices in their
// ranges (Start.Offset = first token, End.Offset = one past the last); the
// parser's resolve step replaces them with source ranges.

// maxDepth bounds nesting of blocks, parentheses and unary operators, so that
// hostile input gives a diagnostic instead of exhausting the stack.
const maxDepth = 200

// synErr is a syntax error found by hand-written parsing code. It satisfies
// participle.Error so participle passes it through unchanged.
type synErr struct {
	idx         int
	code        string
	msg, detail string
}

func (e *synErr) Error() string            { return e.msg }
func (e *synErr) Message() string          { return e.msg }
func (e *synErr) Position() lexer.Position { return lexer.Position{Offset: e.idx} }
func errAt(t *lexer.Token, code, msg string) *synErr {
	return &synErr{idx: t.Pos.Offset, code: code, msg: msg}
}

var _ participle.Error = (*synErr)(nil)

// ph is a placeholder range holding token indices [s, e).
func ph(s, e int) diag.Range {
	return diag.Range{Start: diag.Pos{Offset: s}, End: diag.Pos{Offset: e}}
}

func kindOf(t *lexer.Token) token.Kind {
	if t.Type == lexer.EOF {
		return token.EOF
	}
	return token.Kind(t.Type)
}

func isPunct(t *lexer.Token, s string) bool {
	return t.Type == lexer.TokenType(token.Punct) && t.Value == s
}
func isKw(t *lexer.Token, s string) bool {
	return t.Type == lexer.TokenType(token.Keyword) && t.Value == s
}

// control lists the words that can never be a function or value name.
var control = map[string]bool{
	"if": true, "else": true, "switch": true, "case": true, "default": true, "while": true,
	"return": true, "exit": true, "drop": true, "break": true, "and": true, "or": true,
	"not": true, "mod": true, "eq": true, "ne": true, "ieq": true, "ine": true,
	"defined": true, "strlen": true, "strempty": true, "selval": true, "route": true,
	"request_route": true, "failure_route": true, "branch_route": true, "onreply_route": true,
	"reply_route": true, "onsend_route": true, "event_route": true, "loadmodule": true,
	"loadmodulex": true, "loadpath": true, "mpath": true, "modparam": true, "modparamx": true,
	"cfgengine": true, "flags": true, "bool": true,
}

// isName reports whether t can name a function or stand as a bare value:
// an identifier, or a reserved word that is not a control word (core
// actions such as forward or setflag, legacy operands such as uri or udp).
func isName(t *lexer.Token) bool {
	switch kindOf(t) {
	case token.Ident, token.NumID:
		return true
	case token.Keyword:
		return !control[t.Value]
	}
	return false
}

// binop returns the operator and its precedence level (1 = loosest) of t,
// or 0 when t is not a binary operator.
func binop(t *lexer.Token) (string, int) {
	switch kindOf(t) {
	case token.Punct:
		switch t.Value {
		case "||":
			return "||", 1
		case "&&":
			return "&&", 2
		case "|":
			return "|", 3
		case "&":
			return "&", 4
		case "^":
			return "^", 5
		case "<<":
			return "<<", 6
		case ">>":
			return ">>", 7
		case "==", "!=", "=~":
			return t.Value, 8
		case ">", "<", ">=", "<=":
			return t.Value, 9
		case "+", "-":
			return t.Value, 10
		case "*", "/":
			return t.Value, 11
		}
	case token.Keyword:
		switch t.Value {
		case "or":
			return "||", 1
		case "and":
			return "&&", 2
		case "eq", "ne", "ieq", "ine":
			return t.Value, 8
		case "mod":
			return "mod", 11
		}
	}
	return "", 0
}

// exprParser is one hand-written expression parse over participle's lexer.
type exprParser struct {
	lex     *lexer.PeekingLexer
	depth   int
	noColon bool // in a case label, ':' ends the label
}

func (p *exprParser) peek() *lexer.Token { return p.lex.Peek() }

// peekN returns the token n places ahead (0 = next) without consuming.
func (p *exprParser) peekN(n int) *lexer.Token {
	cp := p.lex.MakeCheckpoint()
	for range n {
		p.lex.Next()
	}
	t := p.lex.Peek()
	p.lex.LoadCheckpoint(cp)
	return t
}

func (p *exprParser) next() *lexer.Token { return p.lex.Next() }

func (p *exprParser) expect(s, code, msg string) (*lexer.Token, error) {
	t := p.peek()
	if !isPunct(t, s) {
		return nil, errAt(t, code, msg)
	}
	return p.next(), nil
}

func (p *exprParser) enter(t *lexer.Token) error {
	p.depth++
	if p.depth > maxDepth {
		return errAt(t, "KC0512", "expression nested too deeply")
	}
	return nil
}

func end(t *lexer.Token) int { return t.Pos.Offset + 1 }

// parse parses a whole expression; it returns nil, nil when the next token
// cannot start one.
func (p *exprParser) parse() (ast.Expr, error) { return p.climb(1) }

// must parses an expression that has to be there.
func (p *exprParser) must() (ast.Expr, error) {
	x, err := p.parse()
	if err == nil && x == nil {
		return nil, expectedExpr(p.peek())
	}
	return x, err
}

func expectedExpr(t *lexer.Token) error {
	if t.Type == lexer.EOF {
		return errAt(t, "KC0507", "expected an expression")
	}
	return errAt(t, "KC0507", "expected an expression, found "+describe(t))
}

func (p *exprParser) climb(minLevel int) (ast.Expr, error) {
	x, err := p.unary()
	if err != nil || x == nil {
		return x, err
	}
	for {
		t := p.peek()
		if isPunct(t, "%") {
			return nil, &synErr{idx: t.Pos.Offset, code: "KC0509", msg: "'%' is not an operator in Kamailio's language",
				detail: "use mod for the remainder: $var(a) mod 2"}
		}
		op, level := binop(t)
		if level == 0 || level < minLevel {
			return x, nil
		}
		p.next()
		y, err := p.climb(level + 1)
		if err != nil {
			return nil, err
		}
		if y == nil {
			return nil, expectedExpr(p.peek())
		}
		x = &ast.Binary{Op: op, X: x, Y: y, OpRange: ph(t.Pos.Offset, end(t)),
			Rng: ph(x.Span().Start.Offset, y.Span().End.Offset)}
	}
}

func (p *exprParser) unary() (ast.Expr, error) {
	t := p.peek()
	op := ""
	switch {
	case isPunct(t, "!") || isKw(t, "not"):
		op = "!"
	case isPunct(t, "-"):
		if n := p.peekN(1); kindOf(n) == token.Int {
			p.next()
			p.next()
			v, err := intValue(n)
			if err != nil {
				return nil, err
			}
			return &ast.IntLit{Value: -v, Text: "-" + n.Value, Rng: ph(t.Pos.Offset, end(n))}, nil
		}
		op = "-"
	case isPunct(t, "~"):
		op = "~"
	case isKw(t, "defined"):
		op = "defined"
	case isPunct(t, "(int)") || isPunct(t, "(str)"):
		op = t.Value
	default:
		return p.primary()
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	if x == nil {
		return nil, expectedExpr(p.peek())
	}
	return &ast.Unary{Op: op, X: x, Rng: ph(t.Pos.Offset, x.Span().End.Offset)}, nil
}

func (p *exprParser) primary() (ast.Expr, error) {
	t := p.peek()
	switch kindOf(t) {
	case token.Int:
		p.next()
		v, err := intValue(t)
		if err != nil {
			return nil, err
		}
		return &ast.IntLit{Value: v, Text: t.Value, Rng: ph(t.Pos.Offset, end(t))}, nil
	case token.String:
		p.next()
		return &ast.StrLit{Value: t.Value, Rng: ph(t.Pos.Offset, end(t))}, nil
	case token.PVar:
		p.next()
		if strings.HasPrefix(t.Value, "@") {
			return &ast.Select{Text: t.Value, Rng: ph(t.Pos.Offset, end(t))}, nil
		}
		return &ast.PVar{Text: t.Value, Rng: ph(t.Pos.Offset, end(t))}, nil
	case token.Addr:
		return p.word(), nil
	case token.Keyword:
		switch t.Value {
		case "strlen", "strempty":
			return p.builtin1(t)
		case "selval":
			return p.selval(t)
		case "route":
			return p.routeCall(t)
		}
	case token.Punct:
		switch t.Value {
		case "(":
			return p.paren(t)
		case "@":
			return p.selectExpr(t)
		case "[":
			if kindOf(p.peekN(1)) == token.Addr && isPunct(p.peekN(2), "]") {
				return p.word(), nil
			}
		}
	}
	if isName(t) {
		if isPunct(p.peekN(1), "(") {
			return p.call(t)
		}
		w := p.word()
		if id, ok := w.(*ast.Ident); ok && legacyOperands[id.Name] {
			return p.legacyTest(id)
		}
		return w, nil
	}
	return nil, nil
}

// legacyOperands are the words of Kamailio's old-style tests
// (`method == "INVITE"`, `src_ip == 10.0.0.1`): the grammar makes the whole
// comparison one operand, so `!method == "ACK"` negates the comparison.
var legacyOperands = map[string]bool{
	"method": true, "uri": true, "status": true, "from_uri": true, "to_uri": true,
	"src_ip": true, "dst_ip": true, "snd_ip": true, "to_ip": true, "src_port": true,
	"dst_port": true, "snd_port": true, "to_port": true, "proto": true, "snd_proto": true,
	"af": true, "snd_af": true, "msg:len": true,
}

// legacyTest parses the comparison that follows a legacy operand, when there
// is one, as a single operand.
func (p *exprParser) legacyTest(id *ast.Ident) (ast.Expr, error) {
	t := p.peek()
	op, level := binop(t)
	if level == 0 || !comparisonOps[op] {
		return id, nil
	}
	p.next()
	y, err := p.climb(level + 1)
	if err != nil {
		return nil, err
	}
	if y == nil {
		return nil, expectedExpr(p.peek())
	}
	return &ast.Binary{Op: op, X: id, Y: y, OpRange: ph(t.Pos.Offset, end(t)),
		Rng: ph(id.Span().Start.Offset, y.Span().End.Offset)}, nil
}

var comparisonOps = map[string]bool{"==": true, "!=": true, "=~": true, "eq": true, "ne": true,
	"ieq": true, "ine": true, ">": true, "<": true, ">=": true, "<=": true}

// word joins a bare operand written as several tokens: msg:len, uri:host,
// tls:1.2.3.4:5061, a.b.example, 10.0.0.0/8, [::1]. A result holding an
// address is an AddrLit, anything else an Ident.
func (p *exprParser) word() ast.Expr {
	first := p.peek()
	var b strings.Builder
	addr := false
	last := first
	take := func() {
		t := p.next()
		if kindOf(t) == token.Addr {
			addr = true
		}
		b.WriteString(t.Value)
		last = t
	}
	if isPunct(first, "[") {
		take()
		take()
		take()
	} else {
		take()
	}
	for {
		t, n := p.peek(), p.peekN(1)
		joinable := isName(n) || kindOf(n) == token.Int || kindOf(n) == token.Addr || isPunct(n, "*")
		switch {
		case isPunct(t, ":") && !p.noColon && (joinable || isPunct(n, "[")):
			take()
			if isPunct(n, "[") && kindOf(p.peekN(1)) == token.Addr && isPunct(p.peekN(2), "]") {
				take()
				take()
				take()
				continue
			}
			take()
		case isPunct(t, ".") && (isName(n) || kindOf(n) == token.Int):
			take()
			take()
		case isPunct(t, "/") && addr && kindOf(n) == token.Int:
			take()
			take()
		default:
			rng := ph(first.Pos.Offset, end(last))
			if addr {
				return &ast.AddrLit{Text: b.String(), Rng: rng}
			}
			return &ast.Ident{Name: b.String(), Rng: rng}
		}
	}
}

func (p *exprParser) paren(open *lexer.Token) (ast.Expr, error) {
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next()
	if kindOf(p.peek()) == token.PVar {
		if op := p.peekN(1); isPunct(op, "=") || isPunct(op, "+=") || isPunct(op, "-=") {
			lhs := p.next()
			p.next()
			rhs, err := p.must()
			if err != nil {
				return nil, err
			}
			cl, err := p.expect(")", "KC0513", "missing ')'")
			if err != nil {
				return nil, err
			}
			a := &ast.Assign{LHS: &ast.PVar{Text: lhs.Value, Rng: ph(lhs.Pos.Offset, end(lhs))}, Op: op.Value, RHS: rhs,
				Rng: ph(lhs.Pos.Offset, rhs.Span().End.Offset)}
			return &ast.AssignExpr{A: a, Rng: ph(open.Pos.Offset, end(cl))}, nil
		}
	}
	x, err := p.must()
	if err != nil {
		return nil, err
	}
	cl, err := p.expect(")", "KC0513", "missing ')'")
	if err != nil {
		return nil, err
	}
	return &ast.Paren{X: x, Rng: ph(open.Pos.Offset, end(cl))}, nil
}

func (p *exprParser) builtin1(kw *lexer.Token) (ast.Expr, error) {
	p.next()
	if _, err := p.expect("(", CodeParenExpected, "'(' expected after "+kw.Value); err != nil {
		return nil, err
	}
	x, err := p.must()
	if err != nil {
		return nil, err
	}
	cl, err := p.expect(")", "KC0513", "missing ')'")
	if err != nil {
		return nil, err
	}
	return &ast.Unary{Op: kw.Value, X: x, Rng: ph(kw.Pos.Offset, end(cl))}, nil
}

func (p *exprParser) selval(kw *lexer.Token) (ast.Expr, error) {
	p.next()
	if _, err := p.expect("(", CodeParenExpected, "'(' expected after selval"); err != nil {
		return nil, err
	}
	var args [3]ast.Expr
	for i := range args {
		x, err := p.must()
		if err != nil {
			return nil, err
		}
		args[i] = x
		if i < 2 {
			if _, err := p.expect(",", "KC0526", "selval takes three arguments: selval(cond, a, b)"); err != nil {
				return nil, err
			}
		}
	}
	cl, err := p.expect(")", "KC0513", "missing ')'")
	if err != nil {
		return nil, err
	}
	return &ast.Selval{Cond: args[0], A: args[1], B: args[2], Rng: ph(kw.Pos.Offset, end(cl))}, nil
}

func (p *exprParser) routeCall(kw *lexer.Token) (ast.Expr, error) {
	p.next()
	if _, err := p.expect("(", CodeParenExpected, "'(' expected after route"); err != nil {
		return nil, err
	}
	rc := &ast.RouteCall{}
	n := p.peek()
	switch {
	case (kindOf(n) == token.Ident || kindOf(n) == token.NumID || kindOf(n) == token.Int || kindOf(n) == token.String) &&
		isPunct(p.peekN(1), ")"):
		p.next()
		rc.Name = n.Value
		rc.NameRange = ph(n.Pos.Offset, end(n))
	case kindOf(n) == token.Keyword && isPunct(p.peekN(1), ")"):
		return nil, errAt(n, "KC0510", "reserved word "+strconv.Quote(n.Value)+" cannot be a route name")
	default:
		x, err := p.must()
		if err != nil {
			return nil, err
		}
		rc.Dyn = x
	}
	cl, err := p.expect(")", "KC0513", "missing ')'")
	if err != nil {
		return nil, err
	}
	rc.Rng = ph(kw.Pos.Offset, end(cl))
	return rc, nil
}

func (p *exprParser) call(name *lexer.Token) (ast.Expr, error) {
	p.next()
	open := p.next()
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	c := &ast.Call{Name: name.Value, NameRange: ph(name.Pos.Offset, end(name))}
	if cl := p.peek(); isPunct(cl, ")") {
		p.next()
		c.Rng = ph(name.Pos.Offset, end(cl))
		return c, nil
	}
	for {
		x, err := p.must()
		if err != nil {
			return nil, err
		}
		c.Args = append(c.Args, x)
		t := p.peek()
		if isPunct(t, ",") {
			p.next()
			continue
		}
		if isPunct(t, ")") {
			p.next()
			c.Rng = ph(name.Pos.Offset, end(t))
			return c, nil
		}
		if t.Type == lexer.EOF || isPunct(t, ";") || isPunct(t, "{") || isPunct(t, "}") {
			return nil, errAt(t, "KC0513", "missing ')' in call of "+name.Value)
		}
		return nil, errAt(t, "KC0526", "expected ',' or ')' in call of "+name.Value+", found "+describe(t))
	}
}

// selectExpr parses a select written as punctuation: @via[1].host.
func (p *exprParser) selectExpr(at *lexer.Token) (ast.Expr, error) {
	p.next()
	var b strings.Builder
	b.WriteString("@")
	last := at
	n := p.peek()
	if !isName(n) && kindOf(n) != token.Keyword {
		return nil, errAt(n, "KC0527", "select name expected after '@'")
	}
	b.WriteString(p.next().Value)
	last = n
	for {
		t := p.peek()
		switch {
		case isPunct(t, ".") && (isName(p.peekN(1)) || kindOf(p.peekN(1)) == token.Keyword):
			p.next()
			last = p.next()
			b.WriteString("." + last.Value)
		case isPunct(t, "[") && (kindOf(p.peekN(1)) == token.Int || kindOf(p.peekN(1)) == token.String) && isPunct(p.peekN(2), "]"):
			p.next()
			v := p.next()
			last = p.next()
			b.WriteString("[" + v.Value + "]")
		case isPunct(t, "[") && isPunct(p.peekN(1), "-") && kindOf(p.peekN(2)) == token.Int && isPunct(p.peekN(3), "]"):
			// A negative index counts from the end (Kamailio's grammar
			// takes intno there).
			p.next()
			p.next()
			v := p.next()
			last = p.next()
			b.WriteString("[-" + v.Value + "]")
		default:
			return &ast.Select{Text: b.String(), Rng: ph(at.Pos.Offset, end(last))}, nil
		}
	}
}

// intValue converts an Int token: decimal, 0x hex, 0 octal, b binary, and
// the words Kamailio lexes as numbers.
func intValue(t *lexer.Token) (int64, error) {
	v, ok := preproc.IntValue(t.Value)
	if !ok {
		return 0, errAt(t, "KC0514", "invalid number "+strconv.Quote(t.Value))
	}
	return v, nil
}

// describe names a token for a message.
func describe(t *lexer.Token) string {
	switch kindOf(t) {
	case token.EOF:
		return "end of input"
	case token.String:
		return "string " + strconv.Quote(t.Value)
	}
	return strconv.Quote(t.Value)
}

// commit makes participle report err as it is. participle keeps trying
// other alternatives after an error unless the failing branch consumed more
// than one token (its lookahead); the error already names its own token, so
// moving the lexer on is harmless and keeps participle from replacing it
// with a vaguer one.
func commit(lex *lexer.PeekingLexer, err error) error {
	if err != nil && err != participle.NextMatch {
		lex.Next()
		lex.Next()
	}
	return err
}

// exprNode is an expression in the grammar.
type exprNode struct{ X ast.Expr }

func (n *exprNode) Parse(lex *lexer.PeekingLexer) error {
	return parseInto(exprParser{lex: lex}, &n.X)
}

// caseNode is a case label: an expression where ':' ends the label.
type caseNode struct{ X ast.Expr }

func (n *caseNode) Parse(lex *lexer.PeekingLexer) error {
	return parseInto(exprParser{lex: lex, noColon: true}, &n.X)
}

// parseInto parses one expression into *dst for a participle Parseable:
// NextMatch when no expression starts here, a committed error on failure.
func parseInto(p exprParser, dst *ast.Expr) error {
	x, err := p.parse()
	if err != nil {
		return commit(p.lex, err)
	}
	if x == nil {
		return participle.NextMatch
	}
	*dst = x
	return nil
}

// callNode is a function or route call used as a statement.
type callNode struct{ X ast.Expr }

func (n *callNode) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	p := exprParser{lex: lex}
	if isKw(t, "route") {
		x, err := p.routeCall(t)
		n.X = x
		return commit(lex, err)
	}
	if !isName(t) {
		return participle.NextMatch
	}
	nx := p.peekN(1)
	if !isPunct(nx, "(") {
		if isPunct(nx, "=") || isPunct(nx, "+=") || isPunct(nx, "-=") {
			return commit(lex, &synErr{idx: t.Pos.Offset, code: "KC0522", msg: "cannot assign to " + strconv.Quote(t.Value),
				detail: "assign to a pseudo-variable: $var(" + t.Value + ") = ..."})
		}
		// A name without parentheses: some core actions may be written so
		// (force_rport;). The checker decides from the catalog; the call
		// keeps no parentheses, so its range is its name's.
		lex.Next()
		r := ph(t.Pos.Offset, end(t))
		n.X = &ast.Call{Name: t.Value, NameRange: r, Rng: r}
		return nil
	}
	x, err := p.call(t)
	n.X = x
	return commit(lex, err)
}

// valuesNode is the right side of a core parameter or socket field: every
// token up to ';', '}' or the end of the item. The parser groups and
// classifies the values afterwards, because that needs the tokens' end
// positions (values are separated by blanks or commas).
type valuesNode struct{ Start, End int }

func (n *valuesNode) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	n.Start = t.Pos.Offset
	count := 0
	for {
		t = lex.Peek()
		if t.Type == lexer.EOF || isPunct(t, ";") || isPunct(t, "}") || isPunct(t, "{") {
			break
		}
		n.End = end(t)
		lex.Next()
		count++
	}
	if count == 0 {
		return participle.NextMatch
	}
	return nil
}
