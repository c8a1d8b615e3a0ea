package parser

import "github.com/kamgo/kamgo/lang/diag"

// The diagnostic codes of the grammar (KC0500-KC0599), with their texts.
// The code that reports one names it by its ID. Kamailio's own parser says
// "syntax error" for nearly all of them; kamgo names what is wrong.
func init() { diag.Register("lang/parser", diagCodes...) }

// CodeParenExpected is KC0506. A name written without parentheses as a
// statement is a call the parser keeps; lang/check reports this code for
// it unless the name is a core action that may be written bare.
const CodeParenExpected = "KC0506"

var diagCodes = []diag.Code{
	{
		ID:    "KC0500",
		Title: "syntax error",
		Explain: `The tokens at this point fit no rule of the grammar, and no more precise
code applies: a stray word after a complete item, a string where the
grammar has no place for one. Kamailio reports a syntax error here too and
does not start.`,
		Example: `flags ACC 1;`,
		Fix:     `flags ACC : 1;`,
	},
	{
		ID:    "KC0501",
		Title: "missing ';'",
		Explain: `Every statement in a route ends with ';' (blocks in braces do not). When
one is missing, the error shows at the next token, which is where both
Kamailio and kamgo notice it: often the start of the next line, an else or
a closing brace.`,
		Example: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "start\n")
	exit;
}`,
		Fix: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "start\n");
	exit;
}`,
	},
	{
		ID:    "KC0502",
		Title: "unbalanced '{'",
		Explain: `A block opened with '{' is not closed. kamgo points at the block that
stays open; Kamailio reports a syntax error at the end of the file, or at
the next route keyword it finds inside the unclosed block.`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") {
		exit;
}
route[A] {
	exit;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") {
		exit;
	}
}
route[A] {
	exit;
}`,
	},
	{
		ID:    "KC0503",
		Title: "unbalanced '}'",
		Explain: `A '}' at the top level closes no block: a block was closed twice, or an
opening brace was deleted. Kamailio reports a syntax error.`,
		Example: `request_route {
	exit;
}
}`,
		Fix: `request_route {
	exit;
}`,
	},
	{
		ID:    "KC0504",
		Title: "unknown top-level statement",
		Explain: `At the top level a config holds only core parameters (name = value),
loadmodule, modparam, flags, cfgengine, custom variables (group.name =
value) and route blocks. A word that starts none of them is a syntax error
for Kamailio; it is often a function call written outside any route, or a
stray word left by an edit.`,
		Example: `request_route {
	exit;
}
foo`,
		Fix: `request_route {
	exit;
}`,
	},
	{
		ID:    "KC0505",
		Title: "unknown statement",
		Explain: `Inside a route a statement is a function call, an assignment to a
pseudo-variable, if, switch, while, return, exit, drop, break, or a block.
A bare value or a comparison is none of these, and Kamailio reports a
syntax error.`,
		Example: `loadmodule "pv.so"
request_route {
	$rU == "alice";
}`,
		Fix: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") exit;
}`,
	},
	{
		ID:    CodeParenExpected,
		Title: "'(' expected after function name",
		Explain: `A function is called with parentheses, even without arguments: t_relay(),
not t_relay. The same holds for route(NAME), strlen(...) and selval(...).
Without them Kamailio reports a syntax error. Only a few core actions may
be written without parentheses (force_rport, add_rport, revert_uri,
set_reply_close ...); the catalog of core actions says which.`,
		Example: `loadmodule "tm.so"
request_route {
	t_relay;
}`,
		Fix: `loadmodule "tm.so"
request_route {
	t_relay();
}`,
	},
	{
		ID:    "KC0507",
		Title: "expected an expression",
		Explain: `A value is needed here (after an operator, between the parentheses of an
if, after '=') and there is none: the condition is empty, or the right side
of an operator is missing. Kamailio reports a syntax error.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(x) = ;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(x) = 0;
}`,
	},
	{
		ID:    "KC0508",
		Title: "the native language has no += or -=",
		Explain: `Kamailio's native language assigns only with '='. $var(i) += 1 is a
syntax error there; write the operation out.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(i) += 1;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(i) = $var(i) + 1;
}`,
	},
	{
		ID:    "KC0509",
		Title: "'%' is not an operator; use mod",
		Explain: `The remainder operator of Kamailio's language is the word mod. A '%' in an
expression is a syntax error.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(odd) = $var(n) % 2;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(odd) = $var(n) mod 2;
}`,
	},
	{
		ID:    "KC0510",
		Title: "reserved word used as a name",
		Explain: `A control word of the language (if, else, switch, while, route, exit, ...)
cannot name a route, neither in route[...] nor in route(...). Kamailio
reports a syntax error. Other reserved words, such as core parameter names,
are reported by the checker (KC2026).`,
		Example: `request_route {
	route(if);
}
route[if] {
	exit;
}`,
		Fix: `request_route {
	route(CHECK);
}
route[CHECK] {
	exit;
}`,
	},
	{
		ID:    "KC0511",
		Title: "reply_route takes no name",
		Explain: `reply_route { ... } is the one core reply route, run for every reply
Kamailio receives. It has no name; named reply routes, armed per
transaction with t_on_reply, are written onreply_route[NAME]. Kamailio
reports a syntax error for reply_route[NAME].`,
		Example: `reply_route[R] {
	exit;
}`,
		Fix: `onreply_route[R] {
	exit;
}`,
	},
	{
		ID:    "KC0512",
		Title: "nesting too deep",
		Explain: `Blocks, parentheses or unary operators are nested more than 200 deep.
kamgo stops there so that hostile input cannot exhaust its stack; no
handwritten config comes near it, so the input is most likely generated or
damaged.`,
		Example: `request_route {
	if (((((((((( ... (201 levels) ... ))))))))))) exit;
}`,
	},
	{
		ID:    "KC0513",
		Title: "missing ')'",
		Explain: `A parenthesis opened in a condition, an expression or an argument list is
not closed where the grammar needs it closed. Kamailio reports a syntax
error.`,
		Example: `loadmodule "textops.so"
request_route {
	if (is_method("INVITE") {
		exit;
	}
}`,
		Fix: `loadmodule "textops.so"
request_route {
	if (is_method("INVITE")) {
		exit;
	}
}`,
	},
	{
		ID:    "KC0514",
		Title: "invalid number",
		Explain: `A number that cannot be read, or that is far out of range where it
stands: a flag bit or a custom variable group index above 2^30. Kamailio
refuses the config. (Flag bits must be 0 to 31 in any case, see KC2017.)`,
		Example: `flags ACC : 5000000000;`,
		Fix:     `flags ACC : 5;`,
	},
	{
		ID:    "KC0515",
		Title: "route name expected",
		Explain: `The brackets of route[...] (and of failure_route, branch_route, ...) need a
name: a word, a number or a quoted string. A name with '-' or other
punctuation must be quoted; Kamailio reports a syntax error otherwise.
kamgo check reports most such names at the first character that cannot be
part of a name, as a missing ']' (KC0528).`,
		Example: `request_route {
	route("my-route");
}
route[my-route] {
	exit;
}`,
		Fix: `request_route {
	route("my-route");
}
route["my-route"] {
	exit;
}`,
	},
	{
		ID:    "KC0516",
		Title: "invalid event_route name",
		Explain: `An event_route is named module:event (evapi:message-received,
tm:local-request, core:worker-one-init). A name without the colon, or no
name at all, is a syntax error for Kamailio.`,
		Example: `event_route[worker_init] {
	exit;
}`,
		Fix: `event_route[core:worker-one-init] {
	exit;
}`,
	},
	{
		ID:    "KC0517",
		Title: "'else' without 'if'",
		Explain: `An else that follows no if statement. Most often a ';' after the closing
brace of the if block, or a brace in the wrong place, ended the if early.
Kamailio reports a syntax error.`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") {
		exit;
	};
	else {
		drop;
	}
}`,
		Fix: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") {
		exit;
	} else {
		drop;
	}
}`,
	},
	{
		ID:    "KC0518",
		Title: "'case' or 'default' outside a switch",
		Explain: `case and default labels belong inside the braces of a switch. Outside one,
Kamailio reports a syntax error; a '}' too many above the label closed the
switch early.`,
		Example: `request_route {
	case 1: exit;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	switch ($var(x)) {
		case 1: exit;
	}
}`,
	},
	{
		ID:    "KC0519",
		Title: "missing ':' after case label",
		Explain: `Each case value, and default, is followed by ':' before its statements.
Kamailio reports a syntax error without it.`,
		Example: `loadmodule "pv.so"
request_route {
	switch ($rU) {
		case "alice"
			exit;
	}
}`,
		Fix: `loadmodule "pv.so"
request_route {
	switch ($rU) {
		case "alice":
			exit;
	}
}`,
	},
	{
		ID:    "KC0520",
		Title: "invalid core parameter value",
		Explain: `The value of a core parameter or custom variable is missing or has a
shape the grammar refuses there: a listen attribute (advertise, name) with
nothing after it, a bare word where a number or string is needed, a token
that cannot be part of an address. Kamailio reports a syntax error. A bare
word is often a #!define that is not defined.`,
		Example: `listen = udp:127.0.0.1:5060 advertise`,
		Fix:     `listen = udp:127.0.0.1:5060 advertise 192.0.2.1:5060`,
	},
	{
		ID:    "KC0522",
		Title: "assignment to something that is not a pseudo-variable",
		Explain: `Only pseudo-variables can be assigned: $var(x) = 1. A bare word on the
left of '=' inside a route is a syntax error for Kamailio; the '$' is
probably missing.`,
		Example: `loadmodule "pv.so"
request_route {
	count = 1;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(count) = 1;
}`,
	},
	{
		ID:    "KC0523",
		Title: "'{' expected",
		Explain: `A route needs its body in braces after its name, and so do switch and the
blocks of if, else and while when they hold several statements. Kamailio
reports a syntax error when the brace is missing.`,
		Example: `route[A]
	exit;`,
		Fix: `route[A] {
	exit;
}`,
	},
	{
		ID:    "KC0524",
		Title: "too many errors",
		Explain: `One route block had more than 50 syntax errors; kamgo stops reporting the
rest of that block and goes on with the next. Such a block is usually
damaged in one place that confuses the rest: fix the first errors and
check again.`,
		Example: `request_route {
	... (more than 50 broken statements)
}`,
	},
	{
		ID:    "KC0525",
		Title: "unbalanced ')' or ']'",
		Explain: `A closing parenthesis or bracket that closes nothing: one too many, or the
opening one was deleted. Kamailio reports a syntax error.`,
		Example: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "hi\n"););
}`,
		Fix: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "hi\n");
}`,
	},
	{
		ID:    "KC0526",
		Title: "bad argument list",
		Explain: `Arguments of a call are separated by commas, and selval takes exactly
three. A missing comma or a wrong count is a syntax error for Kamailio.
Adjacent double-quoted strings are joined into one, so "a" "b" is one
argument.`,
		Example: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO" "hi\n" 1);
}`,
		Fix: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "hi\n");
}`,
	},
	{
		ID:    "KC0527",
		Title: "invalid select",
		Explain: `A select is @name.name[index]... (@via[1].host, @ruri.user): it reads a
part of the SIP message. An '@' with no name after it is a syntax error.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(h) = @;
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(h) = @ruri.host;
}`,
	},
	{
		ID:    "KC0528",
		Title: "missing ']'",
		Explain: `The name of a route, or a flag or custom variable index, is opened with
'[' and not closed with ']'. Kamailio reports a syntax error.`,
		Example: `route[A {
	exit;
}`,
		Fix: `route[A] {
	exit;
}`,
	},
	{
		ID:    "KC0529",
		Title: "'=' expected",
		Explain: `A core parameter or custom variable is a name, '=' and a value; the '='
is missing. Kamailio reports a syntax error.`,
		Example: `pstn[1].gw_ip "192.0.2.1" descr "gateway"`,
		Fix:     `pstn[1].gw_ip = "192.0.2.1" descr "gateway"`,
	},
	{
		ID:    "KC0530",
		Title: "modparam value must be a string or a number",
		Explain: `The value of modparam is a quoted string or a number. A bare word is a
syntax error for Kamailio; it is usually a #!define not defined at this
point, or a string that lost its quotes. A pseudo-variable is accepted only
by modparamx, which expands it when the config is read.`,
		Example: `loadmodule "tm.so"
modparam("tm", "fr_timer", FR_TIMER)`,
		Fix: `#!define FR_TIMER 5000
loadmodule "tm.so"
modparam("tm", "fr_timer", FR_TIMER)`,
	},
	{
		ID:    "KC0531",
		Title: "string expected",
		Explain: `loadmodule, loadpath, modparam's module and parameter names, cfgengine and
include_file take quoted strings. A bare word there is a syntax error for
Kamailio.`,
		Example: `loadmodule tm`,
		Fix:     `loadmodule "tm.so"`,
	},
	{
		ID:    "KC0532",
		Title: "empty block",
		Explain: `Kamailio's grammar has no empty block: a route, if, else or while body
must hold at least one statement, and {} is a syntax error. A lone ';' is
an empty statement and will do.`,
		Example: `request_route {
}`,
		Fix: `request_route {
	;
}`,
	},
	{
		ID:    "KC0533",
		Title: "block in braces where a statement is expected",
		Explain: `In Kamailio's grammar a block in braces is only the body of a route, an if,
an else or a while. Standing alone among the statements (or as the body of
a switch case) it is a syntax error. The usual cause is a ';' right after
an if condition: it ends the if with an empty statement, and the block that
was meant as its body then stands alone.`,
		Example: `loadmodule "pv.so"
request_route {
	if ($rU == "alice"); {
		exit;
	}
}`,
		Fix: `loadmodule "pv.so"
request_route {
	if ($rU == "alice") {
		exit;
	}
}`,
	},
}
