package parser

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar. It covers the structure of the language (items,
// route blocks, statements); expressions and core parameter values are
// parsed by hand in Parseable types (expr.go), because Kamailio's eleven
// precedence levels and its space-separated listen lists do not fit
// participle's one-token lookahead. spec/grammar.ebnf is the same grammar
// written out. Every struct keeps Pos/EndPos, whose Offset fields are token
// indices (see toLexer).

// The parser cuts the token stream into items itself and parses each with
// the production its first token selects: gRoute, gLoadModule, gLoadPath,
// gModParam, gCfgEngine, gFlags, gCfgVar or gCoreParam.

type gRoute struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string  `parser:"@('request_route' | 'route' | 'failure_route' | 'branch_route' | 'onreply_route' | 'reply_route' | 'onsend_route' | 'event_route')"`
	Name    *gName  `parser:"( '[':Punct @@ ']':Punct )?"`
	Body    *gBlock `parser:"@@"`
}

type gName struct {
	Pos  lexer.Position
	Text string `parser:"@(Ident | Int | String | EventName | NumID | Keyword)"`
}

type gBlock struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Stmts  []*gStmt `parser:"'{':Punct @@* '}':Punct"`
}

type gStmt struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Block  *gBlock   `parser:"  @@"`
	If     *gIf      `parser:"| @@"`
	Switch *gSwitch  `parser:"| @@"`
	While  *gWhile   `parser:"| @@"`
	Return *gReturn  `parser:"| @@ ';':Punct"`
	Break  bool      `parser:"| @'break':Keyword ';':Punct"`
	Assign *gAssign  `parser:"| @@ ';':Punct"`
	Call   *callNode `parser:"| @@ ';':Punct"`
	Empty  bool      `parser:"| @';':Punct"`
}

type gIf struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Cond   *exprNode `parser:"'if':Keyword @@"`
	Then   *gStmt    `parser:"@@"`
	Else   *gStmt    `parser:"( 'else':Keyword @@ )?"`
}

type gSwitch struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Tag    *exprNode `parser:"'switch':Keyword @@"`
	Cases  []*gCase  `parser:"'{':Punct @@* '}':Punct"`
}

type gCase struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Default bool      `parser:"( @'default':Keyword"`
	Regex   bool      `parser:"| 'case':Keyword @'/':Punct?"`
	Value   *caseNode `parser:"  @@ ) ':':Punct"`
	Body    []*gStmt  `parser:"@@*"`
}

type gWhile struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Cond   *exprNode `parser:"'while':Keyword @@"`
	Body   *gStmt    `parser:"@@"`
}

type gReturn struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Kind   string    `parser:"@('return':Keyword | 'exit':Keyword | 'drop':Keyword)"`
	Empty  bool      `parser:"( @('(':Punct ')':Punct)"`
	Value  *exprNode `parser:"| @@ )?"`
}

type gAssign struct {
	Pos    lexer.Position
	EndPos lexer.Position
	LHS    string    `parser:"@PVar"`
	Op     string    `parser:"@('=':Punct | '+=':Punct | '-=':Punct)"`
	RHS    *exprNode `parser:"@@"`
}

type gStr struct {
	Pos   lexer.Position
	Value string `parser:"@String"`
}

type gLoadModule struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string  `parser:"@('loadmodule' | 'loadmodulex')"`
	Args    []*gStr `parser:"( '(':Punct @@ ( ',':Punct @@ )? ')':Punct | @@ )"`
}

type gLoadPath struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string `parser:"@('loadpath' | 'mpath') '=':Punct?"`
	Path    *gStr  `parser:"@@"`
}

type gModParam struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string     `parser:"@('modparam' | 'modparamx') '(':Punct"`
	Module  *gStr      `parser:"@@ ',':Punct"`
	Param   *gStr      `parser:"@@ ',':Punct"`
	Value   *gModValue `parser:"@@ ')':Punct"`
}

type gModValue struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Neg    bool   `parser:"( @'-':Punct?"`
	Int    string `parser:"  @Int"`
	Str    string `parser:"| @String"`
	PVar   string `parser:"| @PVar"`
	Word   string `parser:"| @(Ident | Keyword | NumID | Addr) )"`
}

type gCfgEngine struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *gStr `parser:"'cfgengine' '=':Punct? @@"`
}

type gFlags struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string   `parser:"@('flags' | 'bool' | 'avpflags')"`
	Flags   []*gFlag `parser:"@@ ( ',':Punct @@ )*"`
}

type gFlag struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"@(String | Ident)"`
	Bit    string `parser:"( ':':Punct @Int )?"`
}

type gCfgVar struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Group  string     `parser:"@(Ident | Keyword)"`
	Index  string     `parser:"( '[':Punct @Int ']':Punct )?"`
	Name   string     `parser:"'.':Punct @(Ident | Keyword) '=':Punct"`
	Value  *gModValue `parser:"@@"`
	Descr  *gStr      `parser:"( ('descr' | 'desc' | 'description') @@ )?"`
}

type gCoreParam struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string      `parser:"@(Ident | Keyword) '=':Punct"`
	Block  *gSockBlock `parser:"( @@"`
	Values *valuesNode `parser:"| @@ )"`
}

type gSockBlock struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Fields []*gSockField `parser:"'{':Punct ( @@ | ';':Punct )* '}':Punct"`
}

type gSockField struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string      `parser:"@(Ident | Keyword) '=':Punct"`
	Values *valuesNode `parser:"@@"`
}

// production is the participle parser of one production, built the first
// time an item of its kind is parsed. Building costs about 25 µs a struct
// field, which matters for a CLI that parses one file. Nearly every config
// has routes (Prepare builds that production); loadmodule, modparam and
// core parameter items are most often plain (plainitem.go) and need none.
type production[P any] struct {
	once sync.Once
	p    *participle.Parser[P]
	err  error
}

func (pr *production[P]) get() (*participle.Parser[P], error) {
	pr.once.Do(func() { pr.p, pr.err = participle.Build[P](participle.Lexer(tokenDef{})) })
	return pr.p, pr.err
}

// grammar holds the productions; they are shared by every parse.
var grammar struct {
	route      production[gRoute]
	loadModule production[gLoadModule]
	loadPath   production[gLoadPath]
	modParam   production[gModParam]
	cfgEngine  production[gCfgEngine]
	flags      production[gFlags]
	cfgVar     production[gCfgVar]
	coreParam  production[gCoreParam]
}

// Prepare builds the production nearly every config uses, the route
// block's, now (the others are built on first use). A command can call it
// in the background while the preprocessor runs.
func Prepare() { _ = prepare() }

// prepare builds the route block's production.
func prepare() error {
	_, err := grammar.route.get()
	return err
}
