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
// Diagnostic codes (KC2200-KC2299; never reused):
//
//	KC2201 unknown function (retired: the checker's KC2001 finds it)
//	KC2202 unknown route in route(NAME)
//	KC2203 wrong number of arguments
//	KC2204 module function refused its arguments
//	KC2205 bad pseudo-variable
//	KC2206 type mismatch in an expression
//	KC2207 bad regular expression
//	KC2208 bad flag
//	KC2209 assignment to a read-only pseudo-variable or bad operator
//	KC2210 expression not supported outside SIP processing
//	KC2211 route defined twice
//	KC2212 return value must be an integer
//	KC2213 function or pseudo-variable not implemented by kamgo
package interp

// Diagnostic codes of this package.
const (
	CodeUnknownRoute = "KC2202"
	CodeArgCount     = "KC2203"
	CodeFixup        = "KC2204"
	CodeBadPV        = "KC2205"
	CodeTypeMismatch = "KC2206"
	CodeBadRegex     = "KC2207"
	CodeBadFlag      = "KC2208"
	CodeBadAssign    = "KC2209"
	CodeUnsupported  = "KC2210"
	CodeDupRoute     = "KC2211"
	CodeBadReturn    = "KC2212"
	// CodeNotImplemented: a function, argument count, parameter or
	// pseudo-variable Kamailio has and kamgo does not run.
	CodeNotImplemented = "KC2213"
)

// Codes maps each code to a one-line title.
var Codes = map[string]string{
	CodeUnknownRoute:   "unknown route",
	CodeArgCount:       "wrong number of arguments",
	CodeFixup:          "module function refused its arguments",
	CodeBadPV:          "bad pseudo-variable",
	CodeTypeMismatch:   "type mismatch in an expression",
	CodeBadRegex:       "bad regular expression",
	CodeBadFlag:        "bad flag",
	CodeBadAssign:      "bad assignment",
	CodeUnsupported:    "expression not supported outside SIP processing",
	CodeDupRoute:       "route defined twice",
	CodeBadReturn:      "return value must be an integer",
	CodeNotImplemented: "not implemented by kamgo",
}
