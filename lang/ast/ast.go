// Package ast owns the syntax tree of a Kamailio configuration: top-level
// items (core parameters, loadmodule, modparam, routes), statements,
// expressions and pseudo-variables with their inner structure. Node types are
// sealed: only this package defines them. Every node knows its source range.
package ast

import "github.com/kamgo/kamgo/lang/diag"

// Node is any syntax tree node.
type Node interface {
	Span() diag.Range
	node()
}

// Config is a whole preprocessed configuration (the main file and
// everything it includes).
type Config struct {
	Items []Item
	Files []string // every file read, main file first, for reload watching
	// Defines are the preprocessor's defines at the end of the main file
	// (name to value, "" for a define without one): what core.ppdefines
	// reports of the running configuration.
	Defines map[string]string
}

// Item is a top-level statement.
type Item interface {
	Node
	item()
}

// Stmt is a statement inside a route body.
type Stmt interface {
	Node
	stmt()
}

// Expr is an expression (Kamailio's rval_expr).
type Expr interface {
	Node
	expr()
}

// ---------------------------------------------------------------- top level

// ValueKind classifies a core parameter value.
type ValueKind uint8

// Value kinds.
const (
	ValInt    ValueKind = iota // 4, -1, yes/no (1/0), 0x10
	ValString                  // "text"
	ValIdent                   // LOG_LOCAL0, a bare host name
	ValAddr                    // udp:127.0.0.1:5060, [::1]:5060, 127.0.0.1, *:5060
)

// Value is one value on the right of a core parameter assignment.
type Value struct {
	Kind ValueKind
	Text string // source text (String: decoded value)
	Int  int64  // for ValInt
	Rng  diag.Range
}

// Attr is a keyword attribute after a parameter value or a field of a
// socket={...} block:
//
//	listen=udp:1.2.3.4:5060 advertise 5.6.7.8:5060 name "s1" virtual
type Attr struct {
	Name   string
	Values []Value // empty for flag attributes such as "virtual"
	Rng    diag.Range
}

// CoreParam is a core parameter assignment:
//
//	debug=2
//	listen=udp:127.0.0.1:5060 advertise 1.2.3.4:5060
//	socket = { bind = udp:127.0.0.1:5060; name = "s1"; }
type CoreParam struct {
	Name      string
	NameRange diag.Range
	Values    []Value // the comma- or space-separated list of values
	Attrs     []Attr  // listen attributes, or socket block fields
	Block     bool    // the socket={...} form
	Rng       diag.Range
}

// CfgVar is a custom configuration variable declaration:
//
//	pstn.gw_ip = "1.2.3.4" descr "PSTN gateway"
//	grp[1].var = 10
type CfgVar struct {
	Group, Name string
	Index       int // -1 when absent
	Value       Value
	Descr       string
	Rng         diag.Range
}

// LoadModule is `loadmodule "path"` (also `loadmodule("path", "opts")` and
// loadmodulex, whose path may hold pseudo-variables).
type LoadModule struct {
	Path      string
	PathRange diag.Range
	Opts      string
	X         bool
	Paren     bool // the loadmodule("path") form
	Rng       diag.Range
}

// LoadPath is `loadpath "dir"` or `mpath="dir"`.
type LoadPath struct {
	Path string
	Rng  diag.Range
}

// ModParam is `modparam("module", "name", value)` or modparamx.
type ModParam struct {
	Module, Param           string
	ModuleRange, ParamRange diag.Range
	Value                   Expr // *IntLit, *StrLit or (modparamx) *PVar
	X                       bool
	Rng                     diag.Range
}

// CfgEngine is `cfgengine "native"`.
type CfgEngine struct {
	Name string
	Rng  diag.Range
}

// Flag is one declared flag: `flags FLAG_A, FLAG_B : 3`.
type Flag struct {
	Name string
	Bit  int // -1 when not given
	Rng  diag.Range
}

// Flags is a `flags`/`bool` declaration.
type Flags struct {
	Flags []Flag
	Rng   diag.Range
}

// RouteKind is the kind of a route block.
type RouteKind uint8

// Route kinds. Request is both `request_route {}` and `route {}`; Named is
// `route[NAME]`; Reply is the core reply route (`onreply_route {}` or
// `reply_route {}`); OnReply is tm's named `onreply_route[NAME]`.
const (
	Request RouteKind = iota
	Named
	Failure
	Branch
	OnReply
	Reply
	OnSend
	Event
)

var routeKindNames = [...]string{
	Request: "request_route", Named: "route", Failure: "failure_route", Branch: "branch_route",
	OnReply: "onreply_route", Reply: "reply_route", OnSend: "onsend_route", Event: "event_route",
}

func (k RouteKind) String() string { return routeKindNames[k] }

// Route is a route block:
//
//	route[RELAY] { ... }
//	event_route[evapi:message-received] { ... }
type Route struct {
	Kind      RouteKind
	Keyword   string // as written: route, request_route, onreply_route, ...
	Name      string // "" for unnamed blocks
	NameRange diag.Range
	Body      *Block
	Rng       diag.Range
}

// Title returns the block's name as written, e.g. "route[RELAY]".
func (r *Route) Title() string {
	if r.Name == "" {
		return r.Keyword
	}
	return r.Keyword + "[" + r.Name + "]"
}

// ---------------------------------------------------------------- statements

// Block is `{ stmts }`.
type Block struct {
	Stmts []Stmt
	Rng   diag.Range
}

// If is `if cond stmt [else stmt]`; Else is nil, a *Block or an *If.
type If struct {
	Cond Expr
	Then Stmt
	Else Stmt
	Rng  diag.Range
}

// Case is one `case v:`, `case /"re":` or `default:` arm.
type Case struct {
	Value   Expr // nil for default
	Regex   bool // case /"re":
	Body    []Stmt
	Rng     diag.Range
	Default bool
}

// Switch is `switch expr { case ...: ... }`.
type Switch struct {
	Tag   Expr
	Cases []*Case
	Rng   diag.Range
}

// While is `while cond stmt`.
type While struct {
	Cond Expr
	Body Stmt
	Rng  diag.Range
}

// ReturnKind tells return, exit and drop apart.
type ReturnKind uint8

// Return kinds.
const (
	Return ReturnKind = iota
	Exit
	Drop
)

// ReturnStmt is `return [expr]`, `exit [expr]` or `drop [expr]`.
type ReturnStmt struct {
	Kind  ReturnKind
	Value Expr // nil when absent
	Rng   diag.Range
}

// Break is `break`.
type Break struct {
	Rng diag.Range
}

// Assign is `$pv = expr`. Op is "=" unless the source used an operator the
// language does not accept (e.g. "+="), which the checker reports.
type Assign struct {
	LHS *PVar
	Op  string
	RHS Expr
	Rng diag.Range
}

// ExprStmt is a function call or route call used as a statement.
type ExprStmt struct {
	X   Expr
	Rng diag.Range
}

// Empty is a lone `;`.
type Empty struct {
	Rng diag.Range
}

// ---------------------------------------------------------------- expressions

// IntLit is an integer literal, including yes/no/on/off/true/false.
type IntLit struct {
	Value int64
	Text  string
	Rng   diag.Range
}

// StrLit is a string literal (adjacent literals joined, escapes decoded).
type StrLit struct {
	Value string
	Raw   bool // single-quoted
	Rng   diag.Range
}

// Binary is `x op y`. Op is one of: || && | & ^ << >> == != =~ eq ne ieq ine
// > < >= <= + - * / mod (`or`/`and` are stored as || and &&).
type Binary struct {
	Op      string
	X, Y    Expr
	OpRange diag.Range
	Rng     diag.Range
}

// Unary is `op x`. Op is one of: ! - ~ defined strlen strempty (int) (str)
// (`not` is stored as !).
type Unary struct {
	Op  string
	X   Expr
	Rng diag.Range
}

// Paren is `( x )`, kept so positions and printing stay faithful.
type Paren struct {
	X   Expr
	Rng diag.Range
}

// Selval is `selval(cond, a, b)`.
type Selval struct {
	Cond, A, B Expr
	Rng        diag.Range
}

// Call is a call of a module function or core action:
//
//	xlog("L_INFO", "hello\n")
//	t_relay()
type Call struct {
	Name      string
	NameRange diag.Range
	Args      []Expr
	Rng       diag.Range
}

// RouteCall is `route(NAME)`, or `route($var(x))` / `route("A" + $var(s))`
// with a dynamic name (Name is then "" and Dyn is set).
type RouteCall struct {
	Name      string
	NameRange diag.Range
	Dyn       Expr
	Rng       diag.Range
}

// Ident is a bare word used as a value in a legacy test such as
// `method == "INVITE"`, `proto == udp`, `uri == myself`, or a flag name.
// Name may hold a colon form such as "msg:len" or "uri:host".
type Ident struct {
	Name string
	Rng  diag.Range
}

// AddrLit is an IP address literal, optionally with a mask:
// `src_ip == 10.0.0.0/8`.
type AddrLit struct {
	Text string
	Rng  diag.Range
}

// Select is a select expression such as `@via[1].host`, kept as text.
type Select struct {
	Text string
	Rng  diag.Range
}

// AssignExpr is `( $x = expr )` used as a value.
type AssignExpr struct {
	A   *Assign
	Rng diag.Range
}

// ---------------------------------------------------------------- pseudo-variables

// PVar is a pseudo-variable reference with its inner structure:
//
//	$fU                       Class "fU"
//	$var(x)                   Class "var", Name "x"
//	$(hdr(Via)[0])            Class "hdr", Name "Via", Index 0
//	$(var(x){s.substr,1,2})   Class "var", Name "x", one Trans
//	$?  $rc  $retcode         Class "rc"
type PVar struct {
	Text  string // source text
	Class string
	Name  *PVName  // nil when the class takes no inner name
	Index *PVIndex // nil when absent
	Trans []*Trans
	Rng   diag.Range
}

// PVName is the inner name of a pseudo-variable. Dyn is set when the name
// holds pseudo-variables itself ($hdr($var(h))), Text is always the raw text.
type PVName struct {
	Text string
	Dyn  *Format
}

// PVIndex is `[n]`, `[-n]`, `[*]` or `[$var(i)]`.
type PVIndex struct {
	All bool
	N   int
	PV  *PVar
	Rng diag.Range
}

// Trans is one transformation `{class.op,param,...}`.
type Trans struct {
	Class  string // "s", "uri", "param", ...
	Op     string // "substr", "encode.hexa", "user", ...
	Params []*TransParam
	Rng    diag.Range
}

// TransParam is a transformation parameter: literal text or a
// pseudo-variable.
type TransParam struct {
	Text string
	PV   *PVar
}

// Format is a string with embedded pseudo-variables, as module functions
// such as xlog take it: "from $fU to $(ru{uri.user})\n".
type Format struct {
	Parts []FormatPart
	Rng   diag.Range
}

// FormatPart is literal text or a pseudo-variable; exactly one is set.
type FormatPart struct {
	Lit string
	PV  *PVar
}

// IsConst reports whether the format holds no pseudo-variables.
func (f *Format) IsConst() bool {
	for _, p := range f.Parts {
		if p.PV != nil {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- plumbing

func (n *CoreParam) Span() diag.Range  { return n.Rng }
func (n *CfgVar) Span() diag.Range     { return n.Rng }
func (n *LoadModule) Span() diag.Range { return n.Rng }
func (n *LoadPath) Span() diag.Range   { return n.Rng }
func (n *ModParam) Span() diag.Range   { return n.Rng }
func (n *CfgEngine) Span() diag.Range  { return n.Rng }
func (n *Flags) Span() diag.Range      { return n.Rng }
func (n *Route) Span() diag.Range      { return n.Rng }
func (n *Block) Span() diag.Range      { return n.Rng }
func (n *If) Span() diag.Range         { return n.Rng }
func (n *Case) Span() diag.Range       { return n.Rng }
func (n *Switch) Span() diag.Range     { return n.Rng }
func (n *While) Span() diag.Range      { return n.Rng }
func (n *ReturnStmt) Span() diag.Range { return n.Rng }
func (n *Break) Span() diag.Range      { return n.Rng }
func (n *Assign) Span() diag.Range     { return n.Rng }
func (n *ExprStmt) Span() diag.Range   { return n.Rng }
func (n *Empty) Span() diag.Range      { return n.Rng }
func (n *IntLit) Span() diag.Range     { return n.Rng }
func (n *StrLit) Span() diag.Range     { return n.Rng }
func (n *Binary) Span() diag.Range     { return n.Rng }
func (n *Unary) Span() diag.Range      { return n.Rng }
func (n *Paren) Span() diag.Range      { return n.Rng }
func (n *Selval) Span() diag.Range     { return n.Rng }
func (n *Call) Span() diag.Range       { return n.Rng }
func (n *RouteCall) Span() diag.Range  { return n.Rng }
func (n *Ident) Span() diag.Range      { return n.Rng }
func (n *AddrLit) Span() diag.Range    { return n.Rng }
func (n *Select) Span() diag.Range     { return n.Rng }
func (n *AssignExpr) Span() diag.Range { return n.Rng }
func (n *PVar) Span() diag.Range       { return n.Rng }
func (n *Format) Span() diag.Range     { return n.Rng }

func (*CoreParam) node()  {}
func (*CfgVar) node()     {}
func (*LoadModule) node() {}
func (*LoadPath) node()   {}
func (*ModParam) node()   {}
func (*CfgEngine) node()  {}
func (*Flags) node()      {}
func (*Route) node()      {}
func (*Block) node()      {}
func (*If) node()         {}
func (*Case) node()       {}
func (*Switch) node()     {}
func (*While) node()      {}
func (*ReturnStmt) node() {}
func (*Break) node()      {}
func (*Assign) node()     {}
func (*ExprStmt) node()   {}
func (*Empty) node()      {}
func (*IntLit) node()     {}
func (*StrLit) node()     {}
func (*Binary) node()     {}
func (*Unary) node()      {}
func (*Paren) node()      {}
func (*Selval) node()     {}
func (*Call) node()       {}
func (*RouteCall) node()  {}
func (*Ident) node()      {}
func (*AddrLit) node()    {}
func (*Select) node()     {}
func (*AssignExpr) node() {}
func (*PVar) node()       {}
func (*Format) node()     {}

func (*CoreParam) item()  {}
func (*CfgVar) item()     {}
func (*LoadModule) item() {}
func (*LoadPath) item()   {}
func (*ModParam) item()   {}
func (*CfgEngine) item()  {}
func (*Flags) item()      {}
func (*Route) item()      {}

func (*Block) stmt()      {}
func (*If) stmt()         {}
func (*Switch) stmt()     {}
func (*While) stmt()      {}
func (*ReturnStmt) stmt() {}
func (*Break) stmt()      {}
func (*Assign) stmt()     {}
func (*ExprStmt) stmt()   {}
func (*Empty) stmt()      {}

func (*IntLit) expr()     {}
func (*StrLit) expr()     {}
func (*Binary) expr()     {}
func (*Unary) expr()      {}
func (*Paren) expr()      {}
func (*Selval) expr()     {}
func (*Call) expr()       {}
func (*RouteCall) expr()  {}
func (*Ident) expr()      {}
func (*AddrLit) expr()    {}
func (*Select) expr()     {}
func (*AssignExpr) expr() {}
func (*PVar) expr()       {}
