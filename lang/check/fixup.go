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

// moduleArgs checks constant arguments of a module function call against
// what its fixup accepts (the catalog's fixup facts, per form). Problems Kamailio only finds at startup are still
// errors: Kamailio refuses to run the config.
func (c *checker) moduleArgs(f *catalog.Func, n *ast.Call) {
	kinds := f.Kinds(len(n.Args))
	for i, a := range n.Args {
		if i >= len(kinds) {
			break
		}
		k := kinds[i]
		s, isStr := a.(*ast.StrLit)
		switch k.Kind {
		case catalog.ArgFormat:
			if isStr {
				c.format(s)
			}
		case catalog.ArgOutPV, catalog.ArgPV:
			if isStr {
				p, d := pvsyntax.ParsePV(s.Value, s.Rng)
				if d != nil || !strings.HasPrefix(s.Value, "$") {
					c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must name a pseudo-variable, not %q", i+1, f.Name, s.Value)
					continue
				}
				c.strictPV = true
				c.pvar(p)
				c.strictPV = false
				if k.Kind == catalog.ArgOutPV {
					if cl := c.cat.PVClass(p.Class); cl != nil && !cl.Writable {
						c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must be a writable pseudo-variable; $%s is read-only", i+1, f.Name, p.Class)
					}
				}
			} else if _, ok := a.(*ast.PVar); !ok && k.Kind == catalog.ArgPV {
				c.errorf(CodeOutputPV, a.Span(), "argument %d of %s must name a pseudo-variable", i+1, f.Name)
			}
		case catalog.ArgInt:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := strconv.Atoi(strings.TrimSpace(s.Value)); err != nil {
					c.errorf(CodeIntArg, s.Rng, "argument %d of %s must be a number, not %q", i+1, f.Name, s.Value)
				}
			}
		case catalog.ArgRegex:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := regexp.Compile(s.Value); err != nil {
					c.errorf(CodeRegex, s.Rng, "bad regular expression %q: %v", s.Value, err)
				}
			}
		case catalog.ArgMethods:
			// Kamailio's fixup_method wants defined methods only in a
			// '|' list; a single name is compared as written.
			if isStr && !strings.Contains(s.Value, "$") && strings.Contains(s.Value, "|") {
				for _, m := range strings.FieldsFunc(s.Value, func(r rune) bool { return r == ',' || r == '|' }) {
					if !sipMethods[strings.ToUpper(strings.TrimSpace(m))] {
						c.errorf(CodeIntArg, s.Rng, "%s: unknown SIP method %q (only defined methods are accepted)", f.Name, strings.TrimSpace(m))
						break
					}
				}
			}
		case catalog.ArgSubst:
			if isStr {
				if msg := checkSubst(s.Value); msg != "" {
					c.errorf(CodeRegex, s.Rng, "%s: %s", f.Name, msg)
				}
			}
		case catalog.ArgNumber:
			c.numberArg(f, i, k.Max, a)
		case catalog.ArgRoute:
			if isStr && !strings.Contains(s.Value, "$") && !c.routeDefined(k.Route, s.Value) {
				c.warnf(CodeRouteRefArg, s.Rng, "%s names %s[%s], which is not defined", f.Name, k.Route, s.Value)
			}
		}
	}
}

// numberArg checks an argument that must be a literal unsigned decimal
// number up to max, as cfgutils' fixup_gflags reads it with str2int: one
// optional '+', then digits only ("" and "+" are 0), below 2^32; no sign,
// space or pseudo-variable. Kamailio refuses anything else when it starts
// ("bad number", "out of range"). A non-constant argument is the constant
// rule's (KC2033).
func (c *checker) numberArg(f *catalog.Func, i int, max uint32, a ast.Expr) {
	var text string
	switch v := a.(type) {
	case *ast.StrLit:
		text = v.Value
	case *ast.IntLit:
		text = strconv.FormatInt(v.Value, 10)
	default:
		return
	}
	digits := strings.TrimPrefix(text, "+")
	var n uint64
	var err error
	if digits != "" {
		n, err = strconv.ParseUint(digits, 10, 32)
	}
	switch {
	case err != nil || strings.Trim(digits, "0123456789") != "":
		d := c.errorf(CodeIntArg, a.Span(), "argument %d of %s must be a number, not %q", i+1, f.Name, text)
		d.Detail = f.Name + " reads its argument once, when the config is loaded: write the number itself (digits only); Kamailio refuses anything else when it starts"
	case n > uint64(max):
		d := c.errorf(CodeIntArg, a.Span(), "argument %d of %s is out of range: %d is above %d", i+1, f.Name, n, max)
		d.Detail = "Kamailio refuses it when it starts (`kamailio -c` does not check it)"
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
