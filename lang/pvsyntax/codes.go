package pvsyntax

import "github.com/kamgo/kamgo/lang/diag"

// Diagnostic codes of this package, declared with their texts in codes.
const (
	CodeBadPV      = "KC0400" // malformed pseudo-variable
	CodeBadTrans   = "KC0401" // malformed transformation
	CodeBadIndex   = "KC0402" // malformed index
	CodeLoneDollar = "KC0403" // '$' that starts no pseudo-variable in a format
)

func init() { diag.Register("lang/pvsyntax", diagCodes...) }

var diagCodes = []diag.Code{
	{
		ID:    CodeBadPV,
		Title: "malformed pseudo-variable",
		Explain: `The text after $ is not a pseudo-variable Kamailio can read: a class name
with nothing after $, a $( without its closing parenthesis, an inner name
whose parentheses do not balance, or text glued to the end. Kamailio parses
every pseudo-variable when it reads the config and refuses the config when
one does not parse.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(n) = $(var(x)s.len);
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(n) = $(var(x){s.len});
}`,
	},
	{
		ID:    CodeBadTrans,
		Title: "malformed transformation",
		Explain: `A transformation is written {class.name} or {class.name,param,...} inside
$( ... ): $(rU{s.len}), $(ru{uri.param,transport}). A { that is not closed,
or a transformation without the dot between class and name, cannot be
parsed, and Kamailio refuses the config.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{s.len);
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(n) = $(rU{s.len});
}`,
	},
	{
		ID:    CodeBadIndex,
		Title: "malformed pseudo-variable index",
		Explain: `An index selects one value of a pseudo-variable that has several:
$(hdr(Via)[1]) is the second Via header, [-1] the last one, [*] all of
them. The index must be a number, *, or a pseudo-variable holding a number,
between [ and ]. Kamailio refuses anything else ("invalid index") when it
reads the config.`,
		Example: `loadmodule "pv.so"
request_route {
	$var(v) = $(hdr(Via)[first]);
}`,
		Fix: `loadmodule "pv.so"
request_route {
	$var(v) = $(hdr(Via)[0]);
}`,
	},
	{
		ID:    CodeLoneDollar,
		Title: "'$' in a format string that starts no pseudo-variable (write $$ for a dollar sign)",
		Explain: `In a format string (the text of xlog, append_hf, evapi_relay, ...) every $
starts a pseudo-variable. A $ followed by a space, a digit or the end of the
string starts none, and the module refuses the string when Kamailio starts.
A literal dollar sign is written $$. kamgo check reports this inside module
function arguments as KC2020, the code for bad format strings.`,
		Example: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "price: 5 $\n");
}`,
		Fix: `loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "price: 5 $$\n");
}`,
	},
}
