package pv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// $xavp(name[i]=>key[j]) and $xavi(...), its case-insensitive twin: reads
// and assignments as Kamailio 5.6.3's pv_get_xavp/pv_set_xavp do them (see
// xlist.go for the list rules). Index 0 is the newest item; a negative
// index counts from the end when reading, and from one past the end when
// assigning (so `$(xavp(v[-1])) = x` fails, as in Kamailio).

// xindex is a compiled [n], [*] or [$pv] of an xavp name.
type xindex struct {
	set bool // an index was written
	all bool
	n   int
	ref *pv.Ref
}

var errXIndex = errors.New("invalid index")

// eval returns the index. An index read from a pseudo-variable must be an
// integer, as Kamailio's pv_get_spec_index requires.
func (x xindex) eval(c *event.Context) (idx int, all bool, err error) {
	switch {
	case !x.set:
		return 0, false, nil
	case x.all:
		return 0, true, nil
	case x.ref != nil:
		v := x.ref.Get(c)
		if v.K != value.Int && !v.Num {
			return 0, false, errXIndex
		}
		return int(v.I), false, nil
	}
	return x.n, false, nil
}

// xname is a parsed name[index] of an xavp reference.
type xname struct {
	name string
	idx  xindex
}

// parseXname parses one `name[index]` at the start of s the way
// pv_xavp_fill_ni does: the name ends at '=', '[' or white space, and the
// rest after the index is returned.
func parseXname(t *pv.Table, s string) (xname, string, error) {
	var x xname
	s = strings.TrimLeft(s, " \t\r\n")
	end := strings.IndexAny(s, "=[ \t\r\n")
	if end < 0 {
		end = len(s)
	}
	x.name, s = s[:end], s[end:]
	if x.name == "" {
		return x, "", fmt.Errorf("missing name")
	}
	rest := strings.TrimLeft(s, " \t\r\n")
	if !strings.HasPrefix(rest, "[") {
		return x, s, nil
	}
	depth, close := 0, -1
	for i := 1; i < len(rest) && close < 0; i++ {
		switch rest[i] {
		case '[':
			depth++
		case ']':
			if depth == 0 {
				close = i
			}
			depth--
		}
	}
	if close < 0 {
		return x, "", fmt.Errorf("unterminated index in %q", s)
	}
	in := rest[1:close]
	if in == "" {
		return x, "", fmt.Errorf("empty index")
	}
	idx, err := parseIndex(t, in)
	if err != nil {
		return x, "", err
	}
	x.idx = idx
	return x, rest[close+1:], nil
}

// parseIndex parses an index as pv_parse_index does: "*", a pseudo-
// variable, or an optional '-' and digits (anything after the digits is
// ignored).
func parseIndex(t *pv.Table, in string) (xindex, error) {
	x := xindex{set: true}
	switch {
	case in == "*":
		x.all = true
	case strings.HasPrefix(in, "$"):
		p, d := pvsyntax.ParsePV(in, diag.Range{})
		if d != nil {
			return x, fmt.Errorf("bad index %q", in)
		}
		r, err := t.Compile(p)
		if err != nil {
			return x, err
		}
		x.ref = r
	default:
		neg := strings.HasPrefix(in, "-")
		if neg {
			in = in[1:]
		}
		for i := 0; i < len(in) && in[i] >= '0' && in[i] <= '9'; i++ {
			x.n = x.n*10 + int(in[i]-'0')
		}
		if neg {
			x.n = -x.n
		}
	}
	return x, nil
}

// xref is a parsed $xavp/$xavi name: the root and an optional key.
type xref struct {
	root   xname
	key    xname
	hasKey bool
}

// parseXref parses "name[i]" or "name[i]=>key[j]"; text after the key is
// ignored, as in Kamailio (`r=>a=>b` is `r=>a`).
func parseXref(t *pv.Table, s string) (xref, error) {
	var r xref
	root, rest, err := parseXname(t, s)
	if err != nil {
		return r, err
	}
	r.root = root
	if !strings.HasPrefix(rest, "=") {
		return r, nil
	}
	if !strings.HasPrefix(rest, "=>") {
		return r, fmt.Errorf("expected => in %q", s)
	}
	key, _, err := parseXname(t, rest[2:])
	if err != nil {
		return r, err
	}
	r.key, r.hasKey = key, true
	return r, nil
}

// xavpSpec is a compiled $xavp or $xavi reference.
type xavpSpec struct {
	xref
	family func(x *xavps) *xfamily
}

func familyXavp(x *xavps) *xfamily { return &x.xavp }
func familyXavi(x *xavps) *xfamily { return &x.xavi }
func familyXavu(x *xavps) *xfamily { return &x.xavu }

func compileXavpClass(family func(x *xavps) *xfamily) func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	return func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil || p.Name.Text == "" {
			return nil, fmt.Errorf("missing name")
		}
		r, err := parseXref(t, p.Name.Text)
		if err != nil {
			return nil, err
		}
		return &xavpSpec{xref: r, family: family}, nil
	}
}

func (s *xavpSpec) Get(c *event.Context) value.Value {
	f := s.family(eventXavps(c))
	idx, _, err := s.root.idx.eval(c)
	if err != nil {
		return value.NullValue
	}
	if idx < 0 {
		idx += f.count(s.root.name, nil)
	}
	it := f.get(s.root.name, nil, idx)
	if it == nil {
		return value.NullValue
	}
	if !s.hasKey {
		return it.value()
	}
	sub := it.childList()
	if sub == nil {
		return value.NullValue
	}
	kidx, kall, err := s.key.idx.eval(c)
	if err != nil {
		return value.NullValue
	}
	if kidx < 0 {
		kidx += f.count(s.key.name, sub)
	}
	l, i := f.lookup(s.key.name, sub, kidx)
	if i < 0 {
		return value.NullValue
	}
	if !kall {
		return (*l)[i].value()
	}
	// [*] on the key: this value and the later ones of the same name.
	var b strings.Builder
	for n, x := range (*l)[i:] {
		if n > 0 && !f.same(x.name, s.key.name) {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(value.ToStr(x.value()))
	}
	return value.MakeStr(b.String())
}

// setIndex is pv_set_xavp's index rule: a negative index counts from one
// past the end.
func setIndex(f *xfamily, name string, idx int, l *[]*xitem) int {
	if idx < 0 {
		return f.count(name, l) + idx + 1
	}
	return idx
}

var errXavpSet = errors.New("cannot set the value")

func (s *xavpSpec) Set(c *event.Context, v value.Value) error {
	f := s.family(eventXavps(c))
	idx, all, err := s.root.idx.eval(c)
	if err != nil {
		return err
	}
	if v.IsNull() {
		return s.unset(c, f, idx, all)
	}
	if !s.hasKey {
		if s.root.idx.set {
			if all || !f.set(s.root.name, setIndex(f, s.root.name, idx, nil), f.newItem(s.root.name, v), nil) {
				return errXavpSet
			}
			return nil
		}
		f.add(f.newItem(s.root.name, v), nil)
		return nil
	}
	kidx, kall, err := s.key.idx.eval(c)
	if err != nil {
		return err
	}
	if !s.root.idx.set {
		f.add(f.newList(s.root.name, []*xitem{f.newItem(s.key.name, v)}), nil)
		return nil
	}
	if all {
		return nil
	}
	it := f.get(s.root.name, nil, setIndex(f, s.root.name, idx, nil))
	if it == nil {
		return nil
	}
	sub := it.childList()
	if sub == nil {
		return errXavpSet
	}
	if s.key.idx.set {
		if !kall {
			f.set(s.key.name, setIndex(f, s.key.name, kidx, sub), f.newItem(s.key.name, v), sub)
		}
		return nil
	}
	f.add(f.newItem(s.key.name, v), sub)
	return nil
}

// unset is the $null assignment: it removes items, never fails on a
// missing one.
func (s *xavpSpec) unset(c *event.Context, f *xfamily, idx int, all bool) error {
	if !s.hasKey {
		switch {
		case all:
			f.rmName(s.root.name, true, nil)
		case idx == 0:
			f.rmName(s.root.name, false, nil)
		default:
			f.rmIndex(s.root.name, setIndex(f, s.root.name, idx, nil), nil)
		}
		return nil
	}
	kidx, kall, err := s.key.idx.eval(c)
	if err != nil {
		return err
	}
	rmKey := func(it *xitem) {
		sub := it.childList()
		if sub == nil {
			return
		}
		switch {
		case s.key.idx.set && kall:
			f.rmName(s.key.name, true, sub)
		case s.key.idx.set:
			f.rmIndex(s.key.name, setIndex(f, s.key.name, kidx, sub), sub)
		default:
			f.rmName(s.key.name, false, sub)
		}
	}
	if all {
		for it := f.get(s.root.name, nil, 0); it != nil; it = f.next(f.root, it) {
			rmKey(it)
		}
		return nil
	}
	if it := f.get(s.root.name, nil, setIndex(f, s.root.name, idx, nil)); it != nil {
		rmKey(it)
	}
	return nil
}

func (s *xavpSpec) Defined(c *event.Context) bool { return !s.Get(c).IsNull() }
