package catalog

import (
	"sort"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
)

// CoreParam is a core (global) parameter, "name = value".
type CoreParam struct {
	Name string
	Kind string // int, bool, str, id, ip, proto, addr-list, tls-method, or a|b
}

// coreFacts are core.txt's facts that hold in one release.
type coreFacts struct {
	params     map[string]*CoreParam
	funcs      map[string]*Func
	pvs        []*PVClass
	events     []string
	directives []string // sorted
	syntax     map[string]bool
}

// readCore reads core.txt's facts for the release.
func (r *release) readCore(fs []fact) {
	c := &r.core
	c.params = make(map[string]*CoreParam, 256)
	c.funcs = map[string]*Func{}
	c.syntax = map[string]bool{}
	for _, f := range fs {
		if !f.holds(r.num) {
			continue
		}
		x := f.fields
		switch {
		case x[0] == "param" && len(x) == 3:
			c.params[x[1]] = &CoreParam{Name: x[1], Kind: x[2]}
		case x[0] == "func" && len(x) == 4:
			routes, ok := routetype.Parse(x[3])
			if !ok {
				r.problem(f, "bad route mask")
				continue
			}
			fn := c.funcs[x[1]]
			if fn == nil {
				fn = &Func{Name: x[1], Module: "core"}
				c.funcs[x[1]] = fn
			}
			for _, a := range strings.Split(x[2], ",") {
				if a == "bare" {
					fn.Bare = true
					continue
				}
				k, err := strconv.Atoi(a)
				if err != nil {
					r.problem(f, "bad arity")
					break
				}
				fn.Forms = append(fn.Forms, Form{Args: k, Routes: routes})
			}
		case x[0] == "pv" && len(x) >= 2:
			pv := &PVClass{Name: x[1], Module: "core", Inner: InnerNone}
			for _, o := range x[2:] {
				pv.Writable = pv.Writable || o == "w"
				if o == "named" {
					pv.Inner = InnerNeeded
				}
			}
			c.pvs = append(c.pvs, pv)
		case x[0] == "event" && len(x) == 2:
			c.events = append(c.events, x[1])
			if p, ok := strings.CutSuffix(x[1], "*"); ok {
				r.evPrefix = append(r.evPrefix, eventPrefix{p, -1})
			} else {
				r.events[x[1]] = -1
			}
		case x[0] == "directive" && len(x) == 2:
			c.directives = append(c.directives, x[1])
		case x[0] == "syntax" && len(x) == 2:
			c.syntax[x[1]] = true
		default:
			r.problem(f, "bad line")
		}
	}
	sort.Strings(c.directives)
}

// CoreParam returns a core parameter.
func (c *Catalog) CoreParam(name string) (*CoreParam, bool) {
	p, ok := c.rel.core.params[name]
	return p, ok
}

// CoreParams returns the core parameter names, sorted.
func (c *Catalog) CoreParams() []string {
	out := make([]string, 0, len(c.rel.core.params))
	for n := range c.rel.core.params {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CoreFunc returns a core action such as forward, setflag or strip.
func (c *Catalog) CoreFunc(name string) (*Func, bool) {
	f, ok := c.rel.core.funcs[name]
	return f, ok
}

// CorePVs returns the pseudo-variable classes registered by the core itself
// (not by the pv module).
func (c *Catalog) CorePVs() []*PVClass {
	if c.corePVs != nil {
		return c.corePVs
	}
	return c.rel.core.pvs
}

// CoreEvents returns the event_route names raised by the core.
func (c *Catalog) CoreEvents() []string { return c.rel.core.events }

// Directive reports whether the release's preprocessor knows the
// directive #!name (define, ifexp, substdef ...). An older Kamailio reads
// a directive it does not know as a comment.
func (c *Catalog) Directive(name string) bool {
	d := c.rel.core.directives
	i := sort.SearchStrings(d, name)
	return i < len(d) && d[i] == name
}

// Directives returns the preprocessor directives of the release, sorted,
// without the "#!".
func (c *Catalog) Directives() []string { return c.rel.core.directives }

// Syntax reports whether the release's config grammar has a construct
// core.txt names with a "syntax" fact: loadmodule-call (loadmodule("x")),
// socket-block (socket = { ... }), coreparam (coreparam[name] = value).
func (c *Catalog) Syntax(name string) bool { return c.rel.core.syntax[name] }
