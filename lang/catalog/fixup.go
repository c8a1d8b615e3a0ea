package catalog

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// ArgKind is what a function's fixup requires of one argument, as
// fixups.txt records it.
type ArgKind struct {
	Kind  ArgClass
	Route ast.RouteKind // for ArgRoute: the kind of block named
	Max   uint32        // for ArgNumber: the largest value accepted
}

// ArgClass is the class of an argument kind.
type ArgClass uint8

// Argument classes.
const (
	ArgAny     ArgClass = iota // nothing is checked
	ArgFormat                  // a format string: its pseudo-variables are parsed
	ArgPV                      // names a pseudo-variable
	ArgOutPV                   // names a writable pseudo-variable
	ArgInt                     // an integer or a pseudo-variable
	ArgRegex                   // a regular expression
	ArgMethods                 // a comma-separated list of SIP method names
	ArgSubst                   // a sed-style /re/replacement/flags expression
	ArgRoute                   // names a route block of kind Route
	ArgNumber                  // a literal unsigned decimal number up to Max
)

var argClassNames = map[string]ArgClass{
	"any": ArgAny, "format": ArgFormat, "pv": ArgPV, "outpv": ArgOutPV, "int": ArgInt,
	"regex": ArgRegex, "methods": ArgMethods, "subst": ArgSubst,
}

var routeKindNames = map[string]ast.RouteKind{
	"route": ast.Named, "failure_route": ast.Failure, "branch_route": ast.Branch, "onreply_route": ast.OnReply,
}

func parseArgKind(s string) (ArgKind, bool) {
	if m, ok := strings.CutPrefix(s, "number:"); ok {
		n, err := strconv.ParseUint(m, 10, 32)
		return ArgKind{Kind: ArgNumber, Max: uint32(n)}, err == nil
	}
	if r, ok := strings.CutPrefix(s, "route:"); ok {
		k, ok := routeKindNames[r]
		return ArgKind{Kind: ArgRoute, Route: k}, ok
	}
	k, ok := argClassNames[s]
	return ArgKind{Kind: k}, ok
}

// readFixups sorts fixups.txt's facts ("fixup MODULE FUNC ARGS KIND...")
// by module; they are applied when the module is decoded.
func (r *release) readFixups(fs []fact) {
	for _, f := range fs {
		if !f.holds(r.num) {
			continue
		}
		if f.fields[0] != "fixup" || len(f.fields) < 5 {
			r.problem(f, "bad line")
			continue
		}
		i, ok := r.find(f.fields[1])
		if !ok {
			r.problem(f, "unknown module "+f.fields[1])
			continue
		}
		r.fixupFacts[i] = append(r.fixupFacts[i], f)
	}
}

// applyFixup sets the argument kinds of one fixup fact on the module's
// function form, or says why it cannot.
func applyFixup(m *Module, fs []string) string {
	args, err := strconv.Atoi(fs[3])
	if err != nil || args != len(fs)-4 {
		return "the argument count does not match the kinds"
	}
	kinds := make([]ArgKind, 0, args)
	for _, k := range fs[4:] {
		ak, ok := parseArgKind(k)
		if !ok {
			return "unknown argument kind " + k
		}
		kinds = append(kinds, ak)
	}
	for _, f := range m.Funcs {
		if f.Name != fs[2] {
			continue
		}
		for i := range f.Forms {
			if f.Forms[i].Args == args {
				f.Forms[i].Kinds = kinds
				return ""
			}
		}
	}
	return "module " + fs[1] + " exports no " + fs[2] + " with " + fs[3] + " arguments"
}

// Kinds returns what the fixup of f's form taking nargs arguments requires
// of each argument, or nil when the catalog has no facts for it.
func (f *Func) Kinds(nargs int) []ArgKind {
	for _, fo := range f.Forms {
		if fo.Args == nargs {
			return fo.Kinds
		}
	}
	return nil
}
