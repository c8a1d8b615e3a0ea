package htable

import (
	"fmt"
	"math"
	"strconv"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The pseudo-variables. $sht(t=>k) reads and writes item k of table t
// (the key is a format string); $shtex its seconds to expiry; $shtcn and
// $shtcv count names and values; $shtinc and $shtdec add one and read the
// result; $shtrecord(key|value) is the item event_route[htable:expired:t]
// runs for; $shtitkey(i) and $shtitval(i) are the item iterator i is on.
func (m *Module) classes() []*pv.Class {
	item := func(name string, mk func(r *itemRef) pv.Spec) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
			r, err := m.compileItem(t, p)
			if err != nil {
				return nil, err
			}
			return mk(r), nil
		}}
	}
	iter := func(name string, get func(v Value) value.Value) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name == nil || p.Name.Text == "" {
				return nil, fmt.Errorf("missing iterator name")
			}
			it := p.Name.Text
			return pv.GetterFunc(func(c *event.Context) value.Value {
				v, ok := iterCurrent(c, it)
				if !ok {
					return value.NullValue
				}
				return get(v)
			}), nil
		}}
	}
	return []*pv.Class{
		item("sht", func(r *itemRef) pv.Spec { return &shtSpec{r} }),
		item("shtex", func(r *itemRef) pv.Spec { return &shtexSpec{r} }),
		item("shtcn", func(r *itemRef) pv.Spec {
			return r.getter(func(c *event.Context, t *Table, k string) value.Value { return r.count(c, t, k, false) })
		}),
		item("shtcv", func(r *itemRef) pv.Spec {
			return r.getter(func(c *event.Context, t *Table, k string) value.Value { return r.count(c, t, k, true) })
		}),
		item("shtinc", func(r *itemRef) pv.Spec {
			return r.getter(func(c *event.Context, t *Table, k string) value.Value { return add(c, t, k, 1) })
		}),
		item("shtdec", func(r *itemRef) pv.Spec {
			return r.getter(func(c *event.Context, t *Table, k string) value.Value { return add(c, t, k, -1) })
		}),
		{Name: "shtrecord", Module: Name, Names: []string{"key", "value"}, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			key := p.Name != nil && p.Name.Text == "key"
			return pv.GetterFunc(func(c *event.Context) value.Value {
				v, ok := c.Get(expiredKey).(Value)
				switch {
				case !ok:
					return value.NullValue
				case key:
					return value.MakeStr(v.Name)
				}
				return v.script()
			}), nil
		}},
		iter("shtitkey", func(v Value) value.Value { return value.MakeStr(v.Name) }),
		iter("shtitval", func(v Value) value.Value { return v.script() }),
	}
}

// script is the item's value as the script sees it.
func (v Value) script() value.Value {
	if v.IsStr {
		return value.MakeStr(v.S)
	}
	return value.MakeInt(v.N)
}

// itemRef is a compiled "table=>key" name: the table is looked up when
// used (tables are known once the module is provisioned), the key is a
// format expanded per use.
type itemRef struct {
	m     *Module
	table string
	key   *pv.Format
}

// compileItem compiles the name of $sht and its siblings.
func (m *Module) compileItem(t *pv.Table, p *ast.PVar) (*itemRef, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing table=>key name")
	}
	return m.parseItem(t, p.Name.Text, p.Rng)
}

// parseItem parses "table=>key" as Kamailio's pv_parse_ht_name does: the
// key is the rest of the text, a format string that must not be empty.
func (m *Module) parseItem(t *pv.Table, text string, rng diag.Range) (*itemRef, error) {
	name, rest, ok := splitKeyRaw(text)
	if !ok {
		return nil, fmt.Errorf("invalid htable item name %q (want table=>key)", text)
	}
	if rest == "" {
		return nil, fmt.Errorf("wrong format[%s]", text)
	}
	f, diags := pvsyntax.ParseFormat(rest, rng)
	if diags.HasErrors() {
		return nil, fmt.Errorf("wrong format[%s]: %v", text, diags.Error())
	}
	cf, err := t.CompileFormat(f)
	if err != nil {
		return nil, err
	}
	return &itemRef{m: m, table: name, key: cf}, nil
}

// splitKeyRaw is splitKey without skipping white space after "=>": the
// key of an item keeps it.
func splitKeyRaw(s string) (key, rest string, ok bool) {
	k, _, ok := splitKey(s)
	if !ok {
		return "", "", false
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	i += len(k)
	for i < len(s) && s[i] != '=' {
		i++
	}
	return k, s[i+2:], true
}

// resolve returns the table and the expanded key; ok is false when the
// table does not exist.
func (r *itemRef) resolve(c *event.Context) (*Table, string, bool) {
	t, ok := r.m.Table(r.table)
	if !ok {
		return nil, "", false
	}
	return t, r.key.String(c), true
}

// getter reads with f, null when the table does not exist.
func (r *itemRef) getter(f func(c *event.Context, t *Table, k string) value.Value) pv.Spec {
	return pv.GetterFunc(func(c *event.Context) value.Value {
		t, k, ok := r.resolve(c)
		if !ok {
			return value.NullValue
		}
		return f(c, t, k)
	})
}

func (r *itemRef) count(c *event.Context, t *Table, k string, byValue bool) value.Value {
	n, err := t.CountMatching(ownerOf(c), k, byValue)
	if err != nil {
		clogf(c, klog.Err, "ht_count_cells_re(): %v", err)
	}
	return value.MakeInt(int64(n))
}

// add is $shtinc and $shtdec: the item's value after adding delta, null
// when it is not an integer item (or none and no initval).
func add(c *event.Context, t *Table, k string, delta int64) value.Value {
	v, ok := t.Add(ownerOf(c), k, delta)
	if !ok || v.IsStr {
		return value.NullValue
	}
	return value.MakeInt(v.N)
}

// shtSpec is $sht(t=>k).
type shtSpec struct{ r *itemRef }

// Get reads the item: its value, initval for a table with one when the
// item is missing or expired, null otherwise.
func (s *shtSpec) Get(c *event.Context) value.Value {
	t, k, ok := s.r.resolve(c)
	if !ok {
		return value.NullValue
	}
	v, ok := t.Get(ownerOf(c), k)
	if !ok {
		if t.hasInit {
			return value.MakeInt(t.initVal)
		}
		return value.NullValue
	}
	return v.script()
}

// Set writes the item; $null removes it. Writing into a table that does
// not exist fails.
func (s *shtSpec) Set(c *event.Context, v value.Value) error {
	t, k, ok := s.r.resolve(c)
	if !ok {
		return fmt.Errorf("no htable %s", s.r.table)
	}
	o := ownerOf(c)
	switch {
	case v.IsNull():
		t.Delete(o, k)
	case v.K == value.Int:
		t.Set(o, k, false, "", v.I, 0)
	default:
		t.Set(o, k, true, v.String(), 0, 0)
	}
	return nil
}

// shtexSpec is $shtex(t=>k).
type shtexSpec struct{ r *itemRef }

// Get reads the seconds left before the item expires.
func (s *shtexSpec) Get(c *event.Context) value.Value {
	t, k, ok := s.r.resolve(c)
	if !ok {
		return value.NullValue
	}
	return uintValue(t.ExpiresIn(ownerOf(c), k))
}

// uintValue is Kamailio's unsigned pseudo-variable value: printed
// unsigned, but an int (a negative one above 2^31-1) in comparisons and
// arithmetic.
func uintValue(n uint32) value.Value {
	if n <= math.MaxInt32 {
		return value.MakeInt(int64(n))
	}
	return value.MakeStrInt(strconv.FormatUint(uint64(n), 10), int64(int32(n)))
}

// Set sets the item's expiry in seconds from now; anything but an
// integer (or 0) makes it never expire.
func (s *shtexSpec) Set(c *event.Context, v value.Value) error {
	t, k, ok := s.r.resolve(c)
	if !ok {
		return fmt.Errorf("no htable %s", s.r.table)
	}
	var n int64
	if v.K == value.Int || v.Num {
		n = wrap32(v.I)
	}
	t.SetExpire(ownerOf(c), k, n)
	return nil
}
