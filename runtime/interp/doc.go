// Package interp owns the execution of a Kamailio configuration: it
// compiles every route block of a checked ast.Config once into Go closures
// (statements to actions, expressions to typed evaluators, constant
// regular expressions to compiled regexps, pseudo-variables to pv.Refs,
// module calls to module.Calls) and runs routes on events with Kamailio's
// control flow and value rules. Nothing walks the AST or parses text per
// event.
//
// What a route computes (values, conversions, operators, return codes,
// return/exit/drop, while, recursion, switch) is specified in
// spec/language.md §4 (Evaluation), from what Kamailio 5.6.3 does; the
// value rules themselves are runtime/value's. Not said there: a route
// named at run time (route($var(x))) that does not exist logs an error,
// yields -1 and leaves $rc alone, as in Kamailio.
//
// The interpreter trusts the tree lang/check has passed and does not
// repeat its rules. Its own codes (codes.go) are what only it can find: a
// module refusing a call's arguments or a pseudo-variable (KC2204), what
// kamgo does not run (KC2213), and, for a caller that skipped check, a
// tree with a mistake check would have reported (KC2214).
package interp
