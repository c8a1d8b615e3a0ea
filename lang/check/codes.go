package check

import "github.com/kamgo/kamgo/lang/diag"

// Codes of this package: KC1xxx for modules and parameters, KC2xxx for
// routes, functions, pseudo-variables and expressions. Each is declared
// with its texts in codes below.
const (
	CodeUnknownModule    = "KC1001"
	CodeModuleTwice      = "KC1002"
	CodeModparamNoModule = "KC1003"
	CodeModparamUnknown  = "KC1004"
	CodeModparamType     = "KC1005"
	CodeCoreParamUnknown = "KC1006"
	CodeCoreParamValue   = "KC1007"
	CodeModparamRegex    = "KC1008"
	CodeModuleDeps       = "KC1009"
	CodeExtParam         = "KC1010"
	CodeNewerParam       = "KC1011"
	CodeNotPackaged      = "KC1013"

	CodeUnknownFunc    = "KC2001"
	CodeMissingModule  = "KC2002"
	CodeArity          = "KC2003"
	CodeRouteType      = "KC2004"
	CodeRouteTypeCall  = "KC2005"
	CodeUndefinedRoute = "KC2006"
	CodeDuplicateRoute = "KC2007"
	CodeUnknownPV      = "KC2008"
	CodePVNoModule     = "KC2009"
	CodePVName         = "KC2010"
	CodeUnknownTrans   = "KC2011"
	CodeUnknownTransOp = "KC2012"
	CodeUnknownEvent   = "KC2013"
	CodeRouteRefArg    = "KC2014"
	CodeReadOnlyPV     = "KC2015"
	CodeOutputPV       = "KC2016"
	CodeFlag           = "KC2017"
	CodeTypeMismatch   = "KC2018"
	CodeIntArg         = "KC2019"
	CodeFormat         = "KC2020"
	CodeRegex          = "KC2021"
	CodeSwitch         = "KC2022"
	CodeUnusedRoute    = "KC2023"
	CodeAsyncNoExit    = "KC2024"
	CodeTagTooLong     = "KC2025"
	CodeReservedName   = "KC2026"
	CodeListen         = "KC2027"
	CodeBareWord       = "KC2028"
	CodeNewerSyntax    = "KC2029"
	CodeReturnType     = "KC2030"
	CodeUnknownOp      = "KC2031"
	CodeLiteralArg     = "KC2032"
	CodeNotConstant    = "KC2033"
	CodeNewerFunc      = "KC2034"
	CodeNewerPV        = "KC2035"
)

func init() { diag.Register("lang/check", diagCodes...) }

var diagCodes = []diag.Code{
	{
		ID:    CodeUnknownModule,
		Title: "loadmodule names a module Kamailio does not have",
		Explain: `The module named by loadmodule is not one of the modules of Kamailio 5.6.
Kamailio looks for the file in its module directory, fails to find it, and
stops reading the config at that line ("failed to load module"): nothing
starts. The name is the file name with or without ".so"; for a path only
the last part counts (kamgo does not look at the directories, see
spec/deviations.md). Usually a typo, a module of a newer release, or a
third-party module.`,
		Example: `loadmodule "xlogg.so"`,
		Fix:     `loadmodule "xlog.so"`,
	},
	{
		ID:    CodeModuleTwice,
		Title: "module loaded twice",
		Explain: `Two loadmodule lines load the same module, often one in the main file
and one in an included file. Kamailio 5.6.3 refuses the second one and does
not start. Keep one loadmodule per module; a file shared between configs
can guard its line with #!ifndef and #!define.`,
		Example: `loadmodule "xlog.so"
loadmodule "xlog.so"`,
		Fix: `loadmodule "xlog.so"`,
	},
	{
		ID:    CodeModparamNoModule,
		Title: "modparam for a module that is not loaded",
		Explain: `Kamailio sets a module parameter when it reads the modparam line, on the
modules loaded above it. When no loaded module matches the name, it stops
with "Can't set module parameter". The usual causes are a modparam written
before its loadmodule, or a loadmodule inside an #!ifdef branch that is not
taken.`,
		Example: `modparam("tm", "fr_timer", 5000)
loadmodule "tm.so"`,
		Fix: `loadmodule "tm.so"
modparam("tm", "fr_timer", 5000)`,
	},
	{
		ID:    CodeModparamUnknown,
		Title: "modparam names a parameter the module does not have",
		Explain: `The module is loaded but has no parameter of that name in Kamailio 5.6.
Kamailio refuses the config ("parameter ... not found in module"). Check
the spelling against the module's documentation for the release you run:
parameters are added and removed between releases.`,
		Example: `loadmodule "tm.so"
modparam("tm", "fr_timeout", 5000)`,
		Fix: `loadmodule "tm.so"
modparam("tm", "fr_timer", 5000)`,
	},
	{
		ID:    CodeModparamType,
		Title: "modparam value of the wrong type",
		Explain: `Every module parameter is either an integer or a string, and Kamailio
finds a parameter by its name and the type of the value together. A quoted
number for an integer parameter, or a bare number for a string one, is
looked up as a parameter that does not exist, and the config is refused.
Write integers without quotes and strings with them.`,
		Example: `loadmodule "tm.so"
modparam("tm", "fr_timer", "5000")`,
		Fix: `loadmodule "tm.so"
modparam("tm", "fr_timer", 5000)`,
	},
	{
		ID:    CodeCoreParamUnknown,
		Title: "unknown core parameter",
		Explain: `Core parameters (debug, children, listen, ...) are keywords of Kamailio's
grammar, so a name that is not one is a syntax error and Kamailio does not
start. kamgo reports the name and suggests the closest one it knows.`,
		Example: `chidlren = 4`,
		Fix:     `children = 4`,
	},
	{
		ID:    CodeCoreParamValue,
		Title: "core parameter value of the wrong kind",
		Explain: `Each core parameter takes values of one shape: a number, a boolean
(yes/no, on/off, or a number), a string, or a bare name. Kamailio's grammar
accepts nothing else for it: children = "two" or debug = loud is a syntax
error and the config is refused.`,
		Example: `children = "4"`,
		Fix:     `children = 4`,
	},
	{
		ID:    CodeModparamRegex,
		Title: "modparam module pattern is not a valid regular expression",
		Explain: `When the module name of a modparam has regular expression characters in
it, Kamailio treats it as a pattern and sets the parameter on every loaded
module whose whole name it matches ("tm|tmx"). A pattern that does not
compile is an error, and Kamailio refuses the config.`,
		Example: `loadmodule "tm.so"
modparam("tm(", "fr_timer", 5000)`,
		Fix: `loadmodule "tm.so"
modparam("tm", "fr_timer", 5000)`,
	},
	{
		ID:    CodeModuleDeps,
		Title: "module needs another module loaded first",
		Explain: `Some modules use another module's API and look for it when they start:
tmx needs tm, registrar needs usrloc, siputils and sanity need sl. The
config passes kamailio -c, but Kamailio fails at startup because the other
module is missing. kamgo reports a missing module only when the config has
no other error, since Kamailio only gets that far then. cfgengine likewise
needs its app_ module (app_lua for "lua", app_python3 for "python", ...)
loaded above it.`,
		Example: `loadmodule "tmx.so"`,
		Fix: `loadmodule "tm.so"
loadmodule "tmx.so"`,
	},
	{
		ID:    CodeExtParam,
		Title: "module parameter of kamgo's own, or of no Kamailio release",
		Explain: `kamgo runs this parameter, but no Kamailio release has it: it is
kamgo's own (evapi's max_frame_size, client_queue, slow_client), or it only
exists in Kamailio's development branch. Kamailio refuses a config that
sets it. This is a warning: kamgo check and kamgo run accept the config;
keep such parameters out of configs that Kamailio must also load, or behind
an #!ifdef.`,
		Example: `loadmodule "evapi.so"
modparam("evapi", "client_queue", 65536)`,
		Fix: `loadmodule "evapi.so"
modparam("evapi", "workers", 2)`,
	},
	{
		ID:    CodeNewerParam,
		Title: "module parameter of a newer Kamailio release",
		Explain: `The parameter exists in the module from a later Kamailio release than the
one the config is checked for (--kamailio, KAMGO_KAMAILIO, or the newest
release kamgo knows). That Kamailio refuses to start with it: its module
has no such parameter. Check for the release you run, or drop the
parameter.`,
		Example: `# kamgo check --kamailio 5.6
loadmodule "evapi.so"
modparam("evapi", "wait_idle", 500000)`,
		Fix: `# kamgo check --kamailio 5.7
loadmodule "evapi.so"
modparam("evapi", "wait_idle", 500000)`,
	},
	{
		ID:    CodeNotPackaged,
		Title: "module Debian 12 does not package",
		Explain: `The module is one of Kamailio 5.6's sources, but Debian 12, whose Kamailio
is 5.6.3, builds no package with it (kamgo modules NAME says so). On a
Debian installation its file is not in the module directory, and Kamailio
stops at the loadmodule line ("could not find module"). The config is fine
for a Kamailio built from the sources with the module; on Debian, build the
module yourself or drop it. Only --kamailio 5.6 reports this: the other
releases are not Debian 12's.`,
		Example: `# kamgo check --kamailio 5.6
loadmodule "tm.so"
loadmodule "http_async_client.so"`,
		Fix: `loadmodule "tm.so"
loadmodule "http_client.so"`,
	},
	{
		ID:    CodeUnknownFunc,
		Title: "unknown function",
		Explain: `A call names a function that neither the core nor any Kamailio module has.
Kamailio resolves every call while it reads the config and stops at this
one ("unknown command, missing loadmodule?"). kamgo suggests a close name
among the functions of the loaded modules.`,
		Example: `loadmodule "evapi.so"
event_route[evapi:message-received] {
	evapi_rely("$evapi(msg)");
}`,
		Fix: `loadmodule "evapi.so"
event_route[evapi:message-received] {
	evapi_relay("$evapi(msg)");
}`,
	},
	{
		ID:    CodeMissingModule,
		Title: "function of a module that is not loaded",
		Explain: `The function exists, but in a module that is not loaded above the call.
Kamailio only knows the functions of the modules loaded so far when it
reads a call, so it stops with "unknown command, missing loadmodule?". Add
the loadmodule line, above the route that uses the function.`,
		Example: `request_route {
	sl_send_reply("404", "Not Here");
}`,
		Fix: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Here");
}`,
	},
	{
		ID:    CodeArity,
		Title: "wrong number of arguments",
		Explain: `Kamailio finds a module function by its name and its number of arguments
together; each function exports the counts it takes (xlog takes 1, 2 or 3).
With another count the lookup fails and the config is refused, with the
same message as for an unknown function. Core actions (strip, setflag,
forward, ...) have fixed counts in the grammar.`,
		Example: `loadmodule "sl.so"
request_route {
	sl_send_reply("404");
}`,
		Fix: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Here");
}`,
	},
	{
		ID:    CodeRouteType,
		Title: "function not allowed in this route type",
		Explain: `Every function says in which route types it may be called: t_relay in
request, failure and event routes but not in reply or branch routes,
sl_send_reply only where there is a request to answer statelessly. Kamailio
checks each call against the route it is written in and refuses the config
("Command cannot be used in the block").`,
		Example: `loadmodule "tm.so"
onreply_route[REPLY] {
	t_relay();
}`,
		Fix: `loadmodule "tm.so"
request_route {
	t_relay();
}`,
	},
	{
		ID:    CodeRouteTypeCall,
		Title: "function not allowed in a route type that reaches it through route()",
		Explain: `Kamailio checks the body of a route[X] as if it were only ever called from
request routes. When a failure, reply, branch, send or event route calls
route(X), and route[X] uses a function that route type does not allow, the
config is accepted but the function misbehaves or fails at run time. This
is a warning: kamgo names the route type that reaches the call.`,
		Example: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	t_on_failure("FAIL");
	t_relay();
}
failure_route[FAIL] {
	route(DENY);
}
route[DENY] {
	sl_send_reply("403", "Forbidden");
}`,
		Fix: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	t_on_failure("FAIL");
	t_relay();
}
failure_route[FAIL] {
	t_reply("403", "Forbidden");
}`,
	},
	{
		ID:    CodeUndefinedRoute,
		Title: "route() names an undefined route",
		Explain: `route(NAME) calls a route that no route[NAME] block defines. Kamailio
reads the config without complaint, but refuses to start when it resolves
the call ("route ... not found"). A name computed at run time, as in
route($var(next)), is not checked: Kamailio logs an error when the name
does not exist and goes on.`,
		Example: `request_route {
	route(RELAY);
}
route[REALY] {
	exit;
}`,
		Fix: `request_route {
	route(RELAY);
}
route[RELAY] {
	exit;
}`,
	},
	{
		ID:    CodeDuplicateRoute,
		Title: "route defined twice",
		Explain: `Two blocks define the same route (route[X], failure_route[X], an
event_route of the same name...). Kamailio refuses the config ("duplicate
route"). Unnamed blocks are the exception: request_route (and route {}),
onreply_route {}, failure_route {}, branch_route {} and onsend_route {} may
each be written more than once, and Kamailio joins their statements in
the order written. route[0] is request_route under another name, but as a
named block it must come first: after a request_route it is a duplicate.`,
		Example: `request_route {
	route(A);
}
route[A] {
	exit;
}
route[A] {
	drop;
}`,
		Fix: `request_route {
	route(A);
}
route[A] {
	exit;
}`,
	},
	{
		ID:    CodeUnknownPV,
		Title: "unknown pseudo-variable class",
		Explain: `A pseudo-variable names a class ($nope(...), $(nope{...})) that neither the
core nor any module provides. Kamailio resolves pseudo-variables when it
reads the config and refuses it ("Can't get from cache"). A bare $name
without parentheses is the exception: Kamailio reads an unknown one as an
AVP, so it is not reported in expressions. Inside format strings a bare
unknown $name is an error too.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(user) = $nope(x);
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(user) = $rU;
}`,
	},
	{
		ID:    CodePVNoModule,
		Title: "pseudo-variable of a module that is not loaded",
		Explain: `The pseudo-variable class exists, but its module is not loaded above this
line: $var, $shv and most classes come from pv, $evapi from evapi, $sht
from htable. Kamailio refuses the config ("Can't get from cache").`,
		Example: `request_route {
	$var(n) = 1;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(n) = 1;
}`,
	},
	{
		ID:    CodePVName,
		Title: "bad inner name of a pseudo-variable",
		Explain: `Some classes take one of a fixed set of names in their parentheses:
$evapi(msg), $T(reply_code), $snd(ip). Kamailio checks the name when it
reads the config and refuses an unknown one. Classes with free names
($var, $avp, $hdr, ...) take any name, but not an empty one: $var() is
refused for every class. In an expression Kamailio refuses it while it
reads the config; inside a format string (xlog, evapi_relay) when it starts.`,
		Example: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	$var(m) = $evapi(message);
}`,
		Fix: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	$var(m) = $evapi(msg);
}`,
	},
	{
		ID:    CodeUnknownTrans,
		Title: "unknown transformation class",
		Explain: `A transformation is {class.name[,params]} after a pseudo-variable, as in
$(var(x){s.len}). The class (s, uri, param, json, ...) comes from a module,
most of them from pv. An unknown class, or one whose module is not loaded,
makes Kamailio refuse the config ("unknown transformation").`,
		Example: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{str.len});
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{s.len});
}`,
	},
	{
		ID:    CodeUnknownTransOp,
		Title: "unknown transformation",
		Explain: `The transformation class is known but has no transformation of that name,
or the transformation lacks parameters it needs ({s.substr} takes an offset
and a length). Kamailio refuses the config when it parses the
pseudo-variable.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{s.length});
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{s.len});
}`,
	},
	{
		ID:    CodeUnknownEvent,
		Title: "event_route that no loaded module raises",
		Explain: `Kamailio accepts an event_route of any name; one that no module raises
simply never runs. That is almost always a typo in the event name or a
missing loadmodule, so kamgo warns. The config is still accepted.`,
		Example: `loadmodule "evapi.so"
event_route[evapi:connection-gone] {
	exit;
}`,
		Fix: `loadmodule "evapi.so"
event_route[evapi:connection-closed] {
	exit;
}`,
	},
	{
		ID:    CodeRouteRefArg,
		Title: "function argument names an undefined route",
		Explain: `t_on_failure, t_on_branch, t_on_reply and t_continue take the name of a
route of a given kind. Kamailio accepts a name no block defines and uses an
empty route for it, so the failure, branch or reply handling the config
meant to set up silently never happens. This is a warning.`,
		Example: `loadmodule "tm.so"
request_route {
	t_on_failure("MISSED_CALL");
	t_relay();
}
failure_route[MISSED] {
	exit;
}`,
		Fix: `loadmodule "tm.so"
request_route {
	t_on_failure("MISSED");
	t_relay();
}
failure_route[MISSED] {
	exit;
}`,
	},
	{
		ID:    CodeReadOnlyPV,
		Title: "assignment to a read-only pseudo-variable",
		Explain: `Only some pseudo-variables can be assigned: $var, $avp, $xavp, $shv, $ru,
$rU, $du and others their module marks writable. Message attributes such as
$ci or $si are read-only, and so is any pseudo-variable with a
transformation. Kamailio refuses the assignment when it reads the config.`,
		Example: `loadmodule "pv.so"
request_route {
	$ci = "abc";
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(ci) = "abc";
}`,
	},
	{
		ID:    CodeOutputPV,
		Title: "output argument is not a writable pseudo-variable",
		Explain: `Some functions write their result into a pseudo-variable named by an
argument (jansson_get's third) or act on one (pv_unset, pv_isset). The
argument must be the name of a pseudo-variable, writable when the function
stores into it. Kamailio parses it when the module fixes up its arguments
at startup, and refuses to start ("fixing failed") when it is not one.`,
		Example: `loadmodule "pv.so"
loadmodule "jansson.so"
request_route {
	jansson_get("user", "{\"user\":\"alice\"}", "user");
}`,
		Fix: `loadmodule "pv.so"
loadmodule "jansson.so"
request_route {
	jansson_get("user", "{\"user\":\"alice\"}", "$var(user)");
}`,
	},
	{
		ID:    CodeFlag,
		Title: "bad or undeclared flag",
		Explain: `Message flags are bits 0 to 31. setflag, resetflag and isflagset take a
number in that range or a name declared by a flags line above, bare or quoted
(setflag("1") names a flag "1", it is not bit 1); an expression is a
syntax error. A flags line declares each name once, with a bit in range or
without one: then the name takes the lowest bit no name has, and a 33rd
such name finds none. Kamailio checks all of this while it reads the
config and refuses it otherwise ("bad flag value", "flag not declared",
"register flag failed").`,
		Example: `request_route {
	setflag(ACC);
}`,
		Fix: `flags ACC : 1;
request_route {
	setflag(ACC);
}`,
	},
	{
		ID:    CodeTypeMismatch,
		Title: "expression type mismatch",
		Explain: `Kamailio gives every expression a type while it reads the config: a number
or a string constant, a cast or an operator has one, a pseudo-variable or
a selval has none. It refuses an operand of the wrong type ("bad
expression: type mismatch"). Arithmetic, bit, logical and ordering
operators (- * / mod & | ^ << >> && || < > <= >= ieq ine, and !, ~, unary
-) need integers: "10" < "9" is refused, and so is $var(x) < "a".
strlen, strempty and defined need strings or pseudo-variables. eq, ne and
=~ compare strings: an integer on the left is refused. For + and == the
left operand decides: "a" + 1 joins strings, but 1 + "a" is an integer sum
with a string in it. Values known only at run time are converted then, and
never reported here.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(x) = 1 + "a";
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(x) = "a" + 1;
}`,
	},
	{
		ID:    CodeIntArg,
		Title: "argument must be a number (or a known SIP method)",
		Explain: `The argument is a constant that the function converts when Kamailio starts:
a reply code for sl_send_reply or t_reply, a count for strip or
mf_process_maxfwd_header, a list of SIP method names for is_method. A string
that is not a number, or a method name Kamailio does not know, fails that
conversion and Kamailio does not start. strip("3") is even a syntax error:
the core action takes a bare number.`,
		Example: `loadmodule "sl.so"
request_route {
	sl_send_reply("four-oh-four", "Not Here");
}`,
		Fix: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Here");
}`,
	},
	{
		ID:    CodeFormat,
		Title: "bad pseudo-variable in a format string",
		Explain: `Functions such as xlog, append_hf and evapi_relay take format strings: text
with pseudo-variables that are filled in each time the function runs. The
module parses the string when Kamailio starts, and a pseudo-variable that
does not parse (an unclosed parenthesis, a lone $ that should be written
$$) stops Kamailio. An unknown class in a format string is KC2008; unlike
in expressions, even a bare unknown $name is one there.`,
		Example: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "caller: $var(caller\n");
}`,
		Fix: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "caller: $var(caller)\n");
}`,
	},
	{
		ID:    CodeRegex,
		Title: "bad regular expression",
		Explain: `A constant regular expression (the right side of =~, a case /"..." label,
the argument of search or subst) does not compile. Kamailio compiles these
when it starts and refuses to start when one is wrong. Kamailio uses POSIX
extended expressions and kamgo Go's; back-references, which Go does not
have, are refused (see spec/deviations.md).`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU =~ "^(alice|bob") exit;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	if ($rU =~ "^(alice|bob)") exit;
}`,
	},
	{
		ID:    CodeSwitch,
		Title: "bad switch",
		Explain: `Case labels must be constants, all integers or all strings (patterns count
as strings), without repeats, with at most one default; a label that
cannot be computed (1/0) is refused too. A switch holding only a default
is refused as well. Kamailio finds the first problems while it reads the
config and the others when it starts; either way it does not run. To
compare with a variable, use if.`,
		Example: `loadmodule "pv.so"
request_route {
	switch ($rU) {
		case 1:
			exit;
		case "alice":
			drop;
	}
}`,
		Fix: `loadmodule "pv.so"
request_route {
	switch ($rU) {
		case "1":
			exit;
		case "alice":
			drop;
	}
}`,
	},
	{
		ID:       CodeUnusedRoute,
		Title:    "route defined but never used",
		Reserved: true,
		Explain: `A route[X] that no route() call, t_on_* function or other reference
reaches never runs. Kamailio accepts it silently. Usually the call was
renamed or removed; sometimes the route is meant to be called by a name
computed at run time, which no static check can see.`,
		Example: `request_route {
	exit;
}
route[OLD] {
	drop;
}`,
		Fix: `request_route {
	exit;
}`,
	},
	{
		ID:    CodeAsyncNoExit,
		Title: "async relay not followed by exit",
		Explain: `evapi_async_relay and the other evapi_async_ functions suspend the SIP
transaction and hand it to an evapi client, which resumes it later. The
route must stop right after the call: when it goes on, it processes (often
relays) the same request a second time. Logging and assignments before the
exit are fine. This is a warning; Kamailio does not check it.`,
		Example: `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("$ru");
	t_relay();
}`,
		Fix: `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "evapi.so"
request_route {
	evapi_async_relay("$ru");
	exit;
}`,
	},
	{
		ID:       CodeTagTooLong,
		Title:    "evapi tag longer than 63 characters",
		Reserved: true,
		Explain: `evapi keeps a client's tag in a 64-byte buffer. evapi_set_tag with a longer
tag fails at run time: it logs an error, returns -1 and leaves the client
untagged, so later evapi_unicast and evapi_multicast calls for that tag
reach nobody.`,
		Example: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("a-tag-that-is-much-longer-than-the-sixty-three-bytes-evapi-keeps-for-one");
}`,
		Fix: `loadmodule "evapi.so"
event_route[evapi:connection-new] {
	evapi_set_tag("billing");
}`,
	},
	{
		ID:    CodeReservedName,
		Title: "a reserved word used as a route name",
		Explain: `Kamailio's lexer reserves every core parameter name and many other words
(method, uri, udp, yes, ...); as a route name such a word is a syntax error
and the config is refused. Quote the name or choose another one.`,
		Example: `request_route {
	route(method);
}
route[method] {
	exit;
}`,
		Fix: `request_route {
	route(METHOD_CHECK);
}
route[METHOD_CHECK] {
	exit;
}`,
	},
	{
		ID:    CodeListen,
		Title: "bad listen address",
		Explain: `A listen address is [proto:]host[:port]; the protocol is udp, tcp, tls,
sctp, ws, wss or *, and the port a number or *. Kamailio's grammar refuses
anything else. A port that is a word is most often a #!define that is not
defined, left as text.`,
		Example: `listen = udpp:127.0.0.1:5060`,
		Fix:     `listen = udp:127.0.0.1:5060`,
	},
	{
		ID:    CodeBareWord,
		Title: "a bare word used as a value",
		Explain: `An unquoted word stands where a value is expected. Kamailio only accepts a
few keywords there (method, uri, src_ip, myself, udp, ...), so anything
else is a syntax error. It is usually a #!define that is not defined at
that point, or a string that lost its quotes. An address (127.0.0.1,
10.0.0.0/8) is a value only in a test such as src_ip == 10.0.0.0/8 and as an
argument of core actions such as forward; a #!define or #!substdef whose
value is an address or a URI, used unquoted, is the usual cause.`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU == ADMIN) exit;
}`,
		Fix: `#!define ADMIN "admin"
loadmodule "pv.so"
request_route {
	if ($rU == ADMIN) exit;
}`,
	},
	{
		ID:    CodeNewerSyntax,
		Title: "syntax newer than Kamailio 5.6",
		Explain: `The construct was added to the configuration language after Kamailio 5.6,
for instance loadmodule("name.so") with parentheses, from 5.7. Kamailio
5.6.3 does not know it and reports a syntax error.`,
		Example: `loadmodule("xlog.so")`,
		Fix:     `loadmodule "xlog.so"`,
	},
	{
		ID:    CodeReturnType,
		Title: "return, exit or drop with a string",
		Explain: `The value of return, exit and drop is a return code, an integer. Kamailio
checks the type of the expression when it fixes the route up, at startup,
and refuses one whose type is a string: a string constant, a (str) cast, or
a + whose left operand is a string ("bad type, integer expected"). A
pseudo-variable has no type until it runs: return $var(rc) is accepted, and
a string it holds is converted then.`,
		Example: `request_route {
	route(CHECK);
}
route[CHECK] {
	return "1";
}`,
		Fix: `request_route {
	route(CHECK);
}
route[CHECK] {
	return 1;
}`,
	},
	{
		ID:    CodeUnknownOp,
		Title: "unknown operator",
		Explain: `An expression uses an operator that Kamailio's language does not have. The
parser accepts only the operators of the language and reports anything
else itself (% is KC0509), so a config read from text never gets this
code: it guards syntax trees that programs build and hand to the checker.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(x) = 7 % 2;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(x) = 7 mod 2;
}`,
	},
	{
		ID:    CodeLiteralArg,
		Title: "core action takes a literal here",
		Explain: `log and error are core actions whose arguments are literals in Kamailio's
grammar: log("text"), log(level, "text") with the level a plain
non-negative number, error("text", "text"). A pseudo-variable, an
expression or a quoted level is a syntax error ("bad log argument"). To
log computed text, use xlog from the xlog module.`,
		Example: `loadmodule "pv.so"
request_route {
	log($rU);
}`,
		Fix: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "$rU\n");
}`,
	},
	{
		ID:    CodeNotConstant,
		Title: "function argument must be a constant",
		Explain: `Many module functions prepare their arguments once, when Kamailio loads the
config (a format string is parsed, a number or a route name is looked up),
and cannot undo that to take a new value on each call. Kamailio accepts
only a constant there: a quoted string, a number, or an expression of
constants. A bare pseudo-variable, a select, a test such as
method == "INVITE", or an expression using one of them is refused while the
config is parsed ("parameter N is not constant"). Where the function formats
its argument, put the pseudo-variable inside the quotes: "$var(x)" is a
constant string that the function expands on each call. Which forms take
only constants changes between releases: many functions of Kamailio 6.0 take
run-time values.`,
		Example: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", $var(msg));
}`,
		Fix: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "$var(msg)\n");
}`,
	},
	{
		ID:    CodeNewerFunc,
		Title: "module function of a newer Kamailio release",
		Explain: `The function exists in the module from a later Kamailio release than the
one the config is checked for (--kamailio, KAMGO_KAMAILIO, or the newest
release kamgo knows). That Kamailio refuses to start with it: its parser
finds no such command ("unknown command, missing loadmodule?"). Check for
the release you run, or use what that release has.`,
		Example: `# kamgo check --kamailio 5.6
loadmodule "tm.so"
request_route {
	if (t_exists()) {
		exit;
	}
}`,
		Fix: `# kamgo check --kamailio 5.7
loadmodule "tm.so"
request_route {
	if (t_exists()) {
		exit;
	}
}`,
	},
	{
		ID:    CodeNewerPV,
		Title: "pseudo-variable or transformation class of a newer Kamailio release",
		Explain: `The pseudo-variable class or transformation class exists in its module from
a later Kamailio release than the one the config is checked for
(--kamailio, KAMGO_KAMAILIO, or the newest release kamgo knows). That
Kamailio does not know it and refuses the config, except for a bare $name
in an expression, which it reads as an AVP: the config starts there, but
$name means another thing than in the newer release (a warning). kamgo
runs the newer class whatever release is checked for.`,
		Example: `# kamgo check --kamailio 5.6
loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("calls: $shvinc(calls)\n");
}`,
		Fix: `# kamgo check --kamailio 5.7
loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("calls: $shvinc(calls)\n");
}`,
	},
}
