package interp

import "github.com/kamgo/kamgo/lang/diag"

// Codes of this package (KC2200-KC2299). The interpreter compiles trees
// that lang/check has passed, so it reports only what check cannot know:
// what a module refuses when it compiles a call, what kamgo does not run,
// and, for a program that hands it a tree check never saw, that the tree
// was not checked. The codes of the rules it used to repeat stay declared,
// retired, so that their IDs are never given to anything else.
const (
	// CodeFixup: a module refused a function call's arguments or a
	// pseudo-variable of one of its classes when it was compiled.
	CodeFixup = "KC2204"
	// CodeNotImplemented: a function, argument count, parameter,
	// pseudo-variable or construct Kamailio has and kamgo does not run.
	CodeNotImplemented = "KC2213"
	// CodeUnchecked: the tree has a mistake lang/check reports; the
	// detail is what the interpreter found.
	CodeUnchecked = "KC2214"
)

func init() { diag.Register("runtime/interp", diagCodes...) }

var diagCodes = []diag.Code{
	{
		ID:       "KC2201",
		Title:    "unknown function (retired: KC2001)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report a call to a function no module
has. lang/check reports it, as KC2001, before anything runs; a call that
check resolved and kamgo does not run is KC2213.`,
		Example: `request_route {
	evapi_rely("x");
}`,
	},
	{
		ID:       "KC2202",
		Title:    "unknown route in route(NAME) (retired: KC2006)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report route(NAME) naming no route[NAME].
lang/check reports it, as KC2006.`,
		Example: `request_route {
	route(NOPE);
}`,
	},
	{
		ID:       "KC2203",
		Title:    "wrong number of arguments (retired: KC2003)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report core actions (log, error,
setflag, ...) called with the wrong number of arguments. lang/check
reports it, as KC2003; a module function form the catalog has and kamgo
does not run is KC2213.`,
		Example: `request_route {
	error("a");
}`,
	},
	{
		ID:    CodeFixup,
		Title: "module refused a call's arguments or a pseudo-variable",
		Explain: `kamgo run compiles every module function call and every pseudo-variable
when it loads the config, as Kamailio fixes them up when it starts, and a
module refused one: arguments it cannot convert, a pseudo-variable it
cannot write to, the inner name of one of its pseudo-variables
($xavp(a=>)), a log level it does not know. kamgo run refuses the config
and keeps nothing running. The message is the module's.`,
		Example: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_XYZ", "x\n");
}`,
		Fix: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "x\n");
}`,
	},
	{
		ID:       "KC2205",
		Title:    "bad pseudo-variable (retired: KC2008, KC2010)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report a pseudo-variable it could not
compile. lang/check reports an unknown class (KC2008), a class of a module
not loaded (KC2009), an unknown name (KC2010) and a bad transformation
(KC2011, KC2012); one that kamgo does not implement is KC2213, and one
whose module refuses its inner name KC2204.`,
		Example: `request_route {
	$nosuchpv(x) = 1;
}`,
	},
	{
		ID:       "KC2206",
		Title:    "type mismatch in an expression (retired: KC2018)",
		Reserved: true,
		Explain: `Retired. The interpreter used to refuse some constant operands of the
wrong type. lang/check applies Kamailio's whole type check, as KC2018; the
interpreter converts what it is given by the rules of spec/language.md
§4.2.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(x) = 1 + "a";
}`,
	},
	{
		ID:       "KC2207",
		Title:    "bad regular expression (retired: KC2021)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report a constant pattern (=~, case /)
that does not compile. lang/check reports it, as KC2021, with the same
translation of POSIX patterns the interpreter compiles.`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU =~ "a(") exit;
}`,
	},
	{
		ID:       "KC2208",
		Title:    "bad flag (retired: KC2017)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report flags declared twice, flags out of
range or undeclared, and a flags line with no free bit left. lang/check
reports all of them, as KC2017.`,
		Example: `request_route {
	setflag(NOPE);
}`,
	},
	{
		ID:       "KC2209",
		Title:    "bad assignment (retired: KC2015, KC0508)",
		Reserved: true,
		Explain: `Retired. The interpreter used to report an assignment to a read-only
pseudo-variable and an operator such as +=. lang/check reports the first
(KC2015), the parser the second (KC0508).`,
		Example: `loadmodule "pv.so"
request_route {
	$ci = "x";
}`,
	},
	{
		ID:       "KC2210",
		Title:    "expression not supported (retired: KC2213)",
		Reserved: true,
		Explain: `Retired. The interpreter used to call address literals, selects and other
SIP-only expressions "not supported"; they are what kamgo does not run,
KC2213. The constant arguments log and error need are KC2032 of
lang/check, and switch labels KC2022.`,
		Example: `request_route {
	if (@via[1].host == "alice") exit;
}`,
	},
	{
		ID:       "KC2211",
		Title:    "route defined twice (retired: KC2007)",
		Reserved: true,
		Explain: `Retired. The interpreter used to refuse a second block for any route.
lang/check reports the blocks Kamailio refuses, as KC2007; the unnamed
blocks Kamailio joins (two request_route blocks, say) the interpreter
joins too.`,
		Example: `request_route {
	route(A);
}
route[A] {
	exit;
}
route[A] {
	drop;
}`,
	},
	{
		ID:       "KC2212",
		Title:    "return value must be an integer (retired: KC2030)",
		Reserved: true,
		Explain: `Retired. The interpreter used to refuse return with a string constant.
lang/check applies Kamailio's rule, which is wider (any expression of
string type), as KC2030.`,
		Example: `request_route {
	return "x";
}`,
	},
	{
		ID:    CodeNotImplemented,
		Title: "not implemented by kamgo",
		Explain: `The config is valid Kamailio, and kamgo check accepts it, but kamgo run
does not run something in it: a module kamgo does not implement (KC2101
names the module), a function, a form of a function with this many
arguments, a module parameter or a pseudo-variable of a module kamgo runs
only in part, or a construct of SIP routing the interpreter has no
message for (selects such as @via[1].host, an address literal outside a
test of src_ip or dst_ip). kamgo run refuses the config and lists every
such use at once.
--allow-missing MOD turns the functions and parameters of module MOD into
logged no-ops; see README.md.`,
		Example: `request_route {
	if (@via[1].host == "alice") exit;
}`,
	},
	{
		ID:    CodeUnchecked,
		Title: "configuration was not checked",
		Explain: `The interpreter found a mistake that lang/check reports under its own code.
The interpreter compiles trees that check has passed and does not repeat
its rules: a tree that reaches it with such a mistake comes from a program
that called interp.Compile or server.Load without check.Analyze. The
detail is what the interpreter found; run kamgo check on the config to get
the mistake with its code and explanation. kamgo check and kamgo run
always check first: from them this code would be a kamgo bug.`,
		Example: `cfg, _ := parser.Parse(preproc.Process(name, src, preproc.Options{}))
prog, diags := interp.Compile(cfg, env) // cfg never went through check`,
		Fix: `cfg, diags, _ := check.AnalyzeSource(name, src, preproc.Options{}, module.Catalog())
if !diags.HasErrors() {
	prog, diags = interp.Compile(cfg, env)
}`,
	},
}
