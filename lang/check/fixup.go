package check

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// argKind tells how a module function uses an argument, where Kamailio's
// fixup for it rejects bad constant values at startup.
type argKind uint8

const (
	argAny     argKind = iota
	argFormat          // a format string: pseudo-variables are parsed
	argOutPV           // must name a writable pseudo-variable
	argPV              // must name a pseudo-variable
	argInt             // an integer or a pseudo-variable
	argRoute           // names a route of the kind in the table
	argRegex           // a regular expression
	argMethods         // a comma-separated list of SIP method names
	argSubst           // a sed-style /re/replacement/flags expression
)

type funcArgs struct {
	kinds []argKind
	route ast.RouteKind // for argRoute
}

// moduleArgFixups lists what the fixups of common functions require of
// constant arguments (read from each module's fixup functions at 5.6.3).
var moduleArgFixups = map[string]funcArgs{
	"xlog": {kinds: []argKind{argFormat}}, "xdbg": {kinds: []argKind{argFormat}},
	"xinfo": {kinds: []argKind{argFormat}}, "xnotice": {kinds: []argKind{argFormat}},
	"xwarn": {kinds: []argKind{argFormat}}, "xerr": {kinds: []argKind{argFormat}},
	"xbug": {kinds: []argKind{argFormat}}, "xalert": {kinds: []argKind{argFormat}},
	"xcrit": {kinds: []argKind{argFormat}}, "xlogl": {kinds: []argKind{argFormat}},
	"evapi_relay": {kinds: []argKind{argFormat}}, "evapi_async_relay": {kinds: []argKind{argFormat}},
	"evapi_multicast": {kinds: []argKind{argFormat, argFormat}}, "evapi_async_multicast": {kinds: []argKind{argFormat, argFormat}},
	"evapi_unicast": {kinds: []argKind{argFormat, argFormat}}, "evapi_async_unicast": {kinds: []argKind{argFormat, argFormat}},
	"evapi_set_tag": {kinds: []argKind{argFormat}},
	"append_hf":     {kinds: []argKind{argFormat, argAny}},
	"pv_unset":      {kinds: []argKind{argPV}}, "pv_isset": {kinds: []argKind{argPV}},
	"jansson_get":              {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"jansson_get_field":        {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"jansson_array_size":       {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"json_get_field":           {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"sl_send_reply":            {kinds: []argKind{argInt, argAny}},
	"t_reply":                  {kinds: []argKind{argInt, argAny}},
	"mf_process_maxfwd_header": {kinds: []argKind{argInt}},
	"is_method":                {kinds: []argKind{argMethods}},
	"subst":                    {kinds: []argKind{argSubst}},
	"subst_uri":                {kinds: []argKind{argSubst}},
	"subst_user":               {kinds: []argKind{argSubst}},
	"subst_body":               {kinds: []argKind{argSubst}},
	"search":                   {kinds: []argKind{argRegex}},
	"t_on_failure":             {kinds: []argKind{argRoute}, route: ast.Failure},
	"t_on_branch":              {kinds: []argKind{argRoute}, route: ast.Branch},
	"t_on_reply":               {kinds: []argKind{argRoute}, route: ast.OnReply},
	"t_continue":               {kinds: []argKind{argAny, argAny, argRoute}, route: ast.Named},
}

// moduleArgs checks constant arguments of a module function call against
// what its fixup accepts. Problems Kamailio only finds at startup are still
// errors: Kamailio refuses to run the config.
func (c *checker) moduleArgs(f *catalog.Func, n *ast.Call) {
	spec, ok := moduleArgFixups[f.Name]
	if !ok {
		return
	}
	for i, a := range n.Args {
		k := argAny
		if i < len(spec.kinds) {
			k = spec.kinds[i]
		} else if len(spec.kinds) == 1 && strings.HasPrefix(f.Name, "x") {
			k = argFormat // xlog(level, fmt): the last argument is the format
		}
		if strings.HasPrefix(f.Name, "x") && f.Module == "xlog" && i < len(n.Args)-1 {
			k = argAny // xlog's level argument
		}
		s, isStr := a.(*ast.StrLit)
		switch k {
		case argFormat:
			if isStr {
				c.format(s)
			}
		case argOutPV, argPV:
			if isStr {
				p, d := pvsyntax.ParsePV(s.Value, s.Rng)
				if d != nil || !strings.HasPrefix(s.Value, "$") {
					c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must name a pseudo-variable, not %q", i+1, f.Name, s.Value)
					continue
				}
				c.pvar(p)
				if k == argOutPV {
					if cl := c.cat.PVClass(p.Class); cl != nil && !cl.Writable {
						c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must be a writable pseudo-variable; $%s is read-only", i+1, f.Name, p.Class)
					}
				}
			} else if _, ok := a.(*ast.PVar); !ok && k == argPV {
				c.errorf(CodeOutputPV, a.Span(), "argument %d of %s must name a pseudo-variable", i+1, f.Name)
			}
		case argInt:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := strconv.Atoi(strings.TrimSpace(s.Value)); err != nil {
					c.errorf(CodeIntArg, s.Rng, "argument %d of %s must be a number, not %q", i+1, f.Name, s.Value)
				}
			}
		case argRegex:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := regexp.Compile(s.Value); err != nil {
					c.errorf(CodeRegex, s.Rng, "bad regular expression %q: %v", s.Value, err)
				}
			}
		case argMethods:
			if isStr && !strings.Contains(s.Value, "$") {
				for _, m := range strings.FieldsFunc(s.Value, func(r rune) bool { return r == ',' || r == '|' }) {
					if !sipMethods[strings.ToUpper(strings.TrimSpace(m))] {
						c.errorf(CodeIntArg, s.Rng, "%s: unknown SIP method %q (only defined methods are accepted)", f.Name, strings.TrimSpace(m))
						break
					}
				}
			}
		case argSubst:
			if isStr {
				if msg := checkSubst(s.Value); msg != "" {
					c.errorf(CodeRegex, s.Rng, "%s: %s", f.Name, msg)
				}
			}
		case argRoute:
			if isStr && !strings.Contains(s.Value, "$") && !c.routeDefined(spec.route, s.Value) {
				c.warnf(CodeRouteRefArg, s.Rng, "%s names %s[%s], which is not defined", f.Name, spec.route, s.Value)
			}
		}
	}
}

// sipMethods are the method names Kamailio's method parser knows.
var sipMethods = map[string]bool{
	"INVITE": true, "CANCEL": true, "ACK": true, "BYE": true, "INFO": true, "REGISTER": true,
	"SUBSCRIBE": true, "NOTIFY": true, "MESSAGE": true, "OPTIONS": true, "PRACK": true,
	"UPDATE": true, "REFER": true, "PUBLISH": true, "KDMQ": true, "GET": true, "POST": true,
	"PUT": true, "DELETE": true,
}

// checkSubst validates a sed-style /re/repl/flags expression and returns a
// message, or "" when it is valid.
func checkSubst(e string) string {
	if len(e) < 3 {
		return "substitution expression too short"
	}
	sep := e[0]
	var parts []string
	cur := strings.Builder{}
	for i := 1; i < len(e); i++ {
		if e[i] == '\\' && i+1 < len(e) {
			cur.WriteByte(e[i])
			cur.WriteByte(e[i+1])
			i++
			continue
		}
		if e[i] == sep {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(e[i])
	}
	parts = append(parts, cur.String())
	if len(parts) != 3 {
		return fmt.Sprintf("bad substitution %q: want %cregex%creplacement%cflags", e, sep, sep, sep)
	}
	if _, err := regexp.Compile(parts[0]); err != nil {
		return fmt.Sprintf("bad regular expression %q: %v", parts[0], err)
	}
	return ""
}
