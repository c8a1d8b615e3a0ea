// Package interp owns the execution of a Kamailio configuration: it
// compiles every route block of an ast.Config once into Go closures
// (statements to actions, expressions to typed evaluators, constant
// regular expressions to compiled regexps, pseudo-variables to pv.Refs,
// module calls to module.Calls) and runs routes on events with Kamailio's
// control flow and value rules. Nothing walks the AST or parses text per
// event.
//
// Semantics follow what Kamailio 5.6.3 does (probed on the installed
// binary; value rules are in runtime/value/ops.go):
//
//   - Return codes: a route call's value is the return code of the last
//     action it ran; `return` alone returns 1; `return 0`, `exit` and a
//     module function returning 0 end the whole event; `drop` is exit plus
//     Context.Dropped. $rc/$retcode/$? hold the code of the last module
//     function or route call (other actions leave it alone) and start at 0
//     in every event. A route or function called inside an expression
//     yields 1 when its code is > 0, else 0.
//   - Conditions are true when their int value is > 0 ("abc" converts with
//     a warning to 0: false; "-1" is false). `!` is C's not: !-1 is 0.
//   - while stops with "runaway while" after max_while_loops iterations
//     (default 100); the loop statement returns -1 and the route goes on.
//     Nested blocks and route calls deeper than max_recursive_level (256)
//     fail with "too many recursive routing table lookups" and -1.
//   - A run-time error in an expression (division or modulo by zero, a bad
//     dynamic regex) is logged; an assignment then leaves its target
//     unchanged and returns -1, a condition is false, a switch takes its
//     default. The event goes on.
//   - route($var(x)) naming an unknown route logs an error, returns -1 and
//     does not change $rc.
//   - switch compares as ints when every case is an int, else as strings
//     (case /"re": is a case-sensitive POSIX regex); cases fall through
//     until break; default may be anywhere.
//   - `=~` is POSIX ERE, case-insensitive; see regex.go for the mapping to
//     Go's RE2 syntax.
//
// Deviations: Kamailio dies of SIGFPE on -2147483648 / -1; kamgo yields
// -2147483648. Back-references in regexes are refused at load.
//
// Diagnostic codes (KC2000-KC2099; never reused):
//
//	KC2001 unknown function
//	KC2002 unknown route in route(NAME)
//	KC2003 wrong number of arguments
//	KC2004 module function refused its arguments
//	KC2005 bad pseudo-variable
//	KC2006 type mismatch in an expression
//	KC2007 bad regular expression
//	KC2008 bad flag
//	KC2009 assignment to a read-only pseudo-variable or bad operator
//	KC2010 expression not supported outside SIP processing
//	KC2011 route defined twice
//	KC2012 return value must be an integer
package interp

// Diagnostic codes of this package.
const (
	CodeUnknownFunc  = "KC2001"
	CodeUnknownRoute = "KC2002"
	CodeArgCount     = "KC2003"
	CodeFixup        = "KC2004"
	CodeBadPV        = "KC2005"
	CodeTypeMismatch = "KC2006"
	CodeBadRegex     = "KC2007"
	CodeBadFlag      = "KC2008"
	CodeBadAssign    = "KC2009"
	CodeUnsupported  = "KC2010"
	CodeDupRoute     = "KC2011"
	CodeBadReturn    = "KC2012"
)

// Codes maps each code to a one-line title.
var Codes = map[string]string{
	CodeUnknownFunc:  "unknown function",
	CodeUnknownRoute: "unknown route",
	CodeArgCount:     "wrong number of arguments",
	CodeFixup:        "module function refused its arguments",
	CodeBadPV:        "bad pseudo-variable",
	CodeTypeMismatch: "type mismatch in an expression",
	CodeBadRegex:     "bad regular expression",
	CodeBadFlag:      "bad flag",
	CodeBadAssign:    "bad assignment",
	CodeUnsupported:  "expression not supported outside SIP processing",
	CodeDupRoute:     "route defined twice",
	CodeBadReturn:    "return value must be an integer",
}
