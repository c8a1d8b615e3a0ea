package htable

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// funcs are the script functions of Kamailio 5.6.3's export table.
func (m *Module) funcs() []module.Func {
	f := func(name string, n int, compile func(h module.Host, args []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: compile}
	}
	return []module.Func{
		f("sht_print", 0, func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int { m.print(c); return 1 }, nil
		}),
		f("sht_rm", 2, m.strs2(func(c *event.Context, a []string) int {
			if a[0] == "" {
				clogf(c, klog.Err, "w_ht_rm(): cannot get the hash table name")
				return -1
			}
			if a[1] == "" {
				clogf(c, klog.Err, "w_ht_rm(): cannot get the item table name")
				return -1
			}
			return m.rm(c, a[0], a[1])
		})),
		f("sht_rm_name_re", 1, m.keyed("ht_rm_name_re", func(c *event.Context, t *Table, k string) int { return m.rmRE(c, t, k, false) }, 1)),
		f("sht_rm_value_re", 1, m.keyed("ht_rm_value_re", func(c *event.Context, t *Table, k string) int { return m.rmRE(c, t, k, true) }, 1)),
		f("sht_rm_name", 3, m.items("w_ht_rm_items", false, m.rmItems)),
		f("sht_rm_value", 3, m.items("w_ht_rm_items", true, m.rmItems)),
		f("sht_match_name", 3, m.items("w_ht_match_str_items", false, m.matchItems)),
		f("sht_has_name", 3, m.items("w_ht_match_str_items", false, m.matchItems)),
		f("sht_match_str_value", 3, m.items("w_ht_match_str_items", true, m.matchItems)),
		f("sht_has_str_value", 3, m.items("w_ht_match_str_items", true, m.matchItems)),
		f("sht_lock", 1, m.keyed("w_ht_slot_lock", func(c *event.Context, t *Table, k string) int {
			_, i := t.slotOf(k)
			t.slots[i].lock.lock(ownerOf(c))
			return 1
		}, -11)),
		f("sht_unlock", 1, m.keyed("w_ht_slot_unlock", func(c *event.Context, t *Table, k string) int {
			_, i := t.slotOf(k)
			t.slots[i].lock.unlock(ownerOf(c))
			return 1
		}, -11)),
		f("sht_reset", 1, m.strs2(func(c *event.Context, a []string) int {
			if a[0] == "" {
				clogf(c, klog.Err, "ht_reset(): cannot get hash table name")
				return -1
			}
			return m.reset(c, a[0])
		})),
		f("sht_iterator_start", 2, m.strs2(func(c *event.Context, a []string) int {
			if a[0] == "" {
				clogf(c, klog.Err, "w_ht_iterator_start(): cannot get iterator name")
				return -1
			}
			if a[1] == "" {
				clogf(c, klog.Err, "w_ht_iterator_start(): cannot get hash table name")
				return -1
			}
			return m.iterStartRC(c, a[0], a[1])
		})),
		f("sht_iterator_next", 1, m.iterName("w_ht_iterator_next", m.iterNextRC)),
		f("sht_iterator_end", 1, m.iterName("w_ht_iterator_end", m.iterEndRC)),
		f("sht_iterator_rm", 1, m.iterName("w_ht_iterator_rm", m.iterRemoveRC)),
		f("sht_iterator_sets", 2, m.strs2(func(c *event.Context, a []string) int {
			return m.iterSetRC(c, a[0], true, a[1], 0)
		})),
		f("sht_iterator_seti", 2, m.strInt("w_ht_iterator_seti", "cannot get iterator name", func(c *event.Context, s string, n int64) int {
			return m.iterSetRC(c, s, false, "", n)
		})),
		f("sht_iterator_setex", 2, m.strInt("w_ht_iterator_setex", "cannot get iterator name", m.iterSetExpireRC)),
		f("sht_setxs", 4, m.setx(true)),
		f("sht_setxi", 4, m.setx(false)),
		// Kamailio 6.1's script forms of the KEMI functions.
		ext(f("sht_is_null", 2, m.strs2(func(c *event.Context, a []string) int {
			if a[0] == "" {
				clogf(c, klog.Err, "w_ht_is_null(): cannot get the hash table name")
				return 3
			}
			if a[1] == "" {
				clogf(c, klog.Err, "w_ht_is_null(): cannot get the item table name")
				return 3
			}
			return m.isNull(c, a[0], a[1])
		}))),
		ext(f("sht_inc", 2, m.strs2(func(c *event.Context, a []string) int { return m.addFunc(c, a, 1) }))),
		ext(f("sht_dec", 2, m.strs2(func(c *event.Context, a []string) int { return m.addFunc(c, a, -1) }))),
	}
}

// ext marks a function of Kamailio 6.1, allowed in every route.
func ext(f module.Func) module.Func {
	f.Ext, f.Routes = "Kamailio 6.1", routetype.Any
	return f
}

// addFunc is sht_inc(table, key) and sht_dec (Kamailio 6.1): 1 when the
// integer item was changed, -1 otherwise.
func (m *Module) addFunc(c *event.Context, a []string, delta int64) int {
	const fn = "w_ht_add_opp"
	switch {
	case a[0] == "":
		clogf(c, klog.Err, "%s(): cannot get the hash table name", fn)
		return -1
	case a[1] == "":
		clogf(c, klog.Err, "%s(): cannot get the item table name", fn)
		return -1
	}
	t, ok := m.Table(a[0])
	if !ok {
		clogf(c, klog.Err, "%s(): cannot get htable %s", fn, a[0])
		return -1
	}
	v, ok := t.Add(ownerOf(c), a[1], delta)
	switch {
	case !ok:
		clogf(c, klog.Err, "%s(): failed updating $sht(%s=>%s)", fn, a[0], a[1])
		return -1
	case v.IsStr:
		clogf(c, klog.Err, "%s(): $sht(%s=>%s) is not an integer", fn, a[0], a[1])
		return -1
	}
	return 1
}

// strs2 compiles a function whose arguments are all strings with
// pseudo-variables.
func (m *Module) strs2(run func(c *event.Context, a []string) int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			a := make([]string, len(fs))
			for i, f := range fs {
				a[i] = f(c)
			}
			return run(c, a)
		}, nil
	}
}

// keyed compiles a function whose one argument is "table=>key", a
// constant parsed at load time as $sht's name is. noTable is the code
// when the table does not exist.
func (m *Module) keyed(fn string, run func(c *event.Context, t *Table, k string) int, noTable int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		text, ok := args[0].Literal()
		if !ok {
			return nil, fmt.Errorf("invalid parameter 1: a table=>key string is expected")
		}
		r, err := m.parseItem(h.PV(), text, args[0].Expr.Span())
		if err != nil {
			return nil, fmt.Errorf("invalid parameter 1: %v", err)
		}
		return func(c *event.Context) int {
			t, k, ok := r.resolve(c)
			if !ok {
				if noTable != 1 {
					clogf(c, klog.Err, "%s(): cannot get $sht root", fn)
				}
				return noTable
			}
			return run(c, t, k)
		}, nil
	}
}

// items compiles sht_rm_* and sht_match_* with their three strings: the
// table, the operator and the value.
func (m *Module) items(fn string, byValue bool, run func(c *event.Context, table, op, val string, byValue bool) int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return m.strs2(func(c *event.Context, a []string) int {
		switch {
		case a[0] == "":
			clogf(c, klog.Err, "%s(): cannot get the hash table name", fn)
			return -1
		case a[1] == "":
			clogf(c, klog.Err, "%s(): cannot get the match operation", fn)
			return -1
		case a[2] == "":
			clogf(c, klog.Err, "%s(): cannot the get match value", fn)
			return -1
		}
		return run(c, a[0], a[1], a[2], byValue)
	})
}

// iterName compiles an iterator function of one name.
func (m *Module) iterName(fn string, run func(c *event.Context, name string) int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return m.strs2(func(c *event.Context, a []string) int {
		if a[0] == "" {
			clogf(c, klog.Err, "%s(): cannot get iterator name", fn)
			return -1
		}
		return run(c, a[0])
	})
}

// strInt compiles a function of a string and an integer (fixup_spve_igp).
func (m *Module) strInt(fn, emptyMsg string, run func(c *event.Context, s string, n int64) int) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		s, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		n, err := args[1].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			name := s(c)
			if name == "" {
				clogf(c, klog.Err, "%s(): %s", fn, emptyMsg)
				return -1
			}
			v, ok := n(c)
			if !ok {
				module.NotInt(c)
				clogf(c, klog.Err, "%s(): cannot get value", fn)
				return -1
			}
			return run(c, name, v)
		}, nil
	}
}

// setx compiles sht_setxs(table, key, value, expire) (isStr) and
// sht_setxi(table, key, ivalue, expire).
func (m *Module) setx(isStr bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	fn := "w_ht_setxi"
	if isStr {
		fn = "w_ht_setxs"
	}
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		names, err := module.Strs(h, args[0], args[1])
		if err != nil {
			return nil, err
		}
		var sval module.StrFunc
		var ival module.IntFunc
		if isStr {
			sval, err = args[2].Str(h)
		} else {
			ival, err = args[2].Int(h)
		}
		if err != nil {
			return nil, err
		}
		exp, err := args[3].Int(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			tname, key := names[0](c), names[1](c)
			if tname == "" {
				clogf(c, klog.Err, "%s(): cannot get htable name", fn)
				return -1
			}
			if key == "" {
				clogf(c, klog.Err, "%s(): cannot get item name", fn)
				return -1
			}
			var s string
			var n int64
			if isStr {
				s = sval(c)
			} else {
				v, ok := ival(c)
				if !ok {
					module.NotInt(c)
					clogf(c, klog.Err, "%s(): cannot get item value", fn)
					return -1
				}
				n = v
			}
			e, ok := exp(c)
			if !ok {
				module.NotInt(c)
				clogf(c, klog.Err, "%s(): cannot get expire value", fn)
				return -1
			}
			return m.setxRC(c, tname, key, isStr, s, n, e)
		}, nil
	}
}

// The operations behind the functions and KEMI, with Kamailio's codes.

// table returns the table named name, logging Kamailio's error when there
// is none.
func (m *Module) table(c *event.Context, fn, name string) (*Table, bool) {
	t, ok := m.Table(name)
	if !ok {
		clogf(c, klog.Err, "%s(): cannot get hash table [%s]", fn, name)
	}
	return t, ok
}

func (m *Module) rm(c *event.Context, tname, key string) int {
	t, ok := m.table(c, "ki_ht_rm", tname)
	if !ok {
		return -1
	}
	t.Delete(ownerOf(c), key)
	return 1
}

func (m *Module) rmRE(c *event.Context, t *Table, re string, byValue bool) int {
	if err := t.RemoveRE(ownerOf(c), re, byValue); err != nil {
		clogf(c, klog.Err, "ht_rm_cell_re(): %v", err)
		return -1
	}
	return 1
}

// rmREByName is the KEMI form: a missing table is success.
func (m *Module) rmREByName(c *event.Context, tname, re string, byValue bool) int {
	t, ok := m.Table(tname)
	if !ok {
		return 1
	}
	return m.rmRE(c, t, re, byValue)
}

func (m *Module) rmItems(c *event.Context, tname, op, val string, byValue bool) int {
	t, ok := m.table(c, "ht_rm_items", tname)
	if !ok {
		return -1
	}
	var err error
	switch op {
	case opRe:
		err = t.RemoveRE(ownerOf(c), val, byValue)
	case opSw:
		err = t.RemovePrefix(ownerOf(c), val, byValue)
	default:
		clogf(c, klog.Warn, "ht_rm_items(): unsupported match operator: %s", op)
		return -1
	}
	if err != nil {
		clogf(c, klog.Err, "ht_rm_cell_re(): %v", err)
		return -1
	}
	return 1
}

func (m *Module) matchItems(c *event.Context, tname, op, val string, byValue bool) int {
	t, ok := m.table(c, "ht_match_str_items", tname)
	if !ok {
		return -1
	}
	switch op {
	case opEq, opNe, opRe, opSw:
	default:
		clogf(c, klog.Warn, "ht_match_str_items(): unsupported match operator: %s", op)
		return -1
	}
	found, err := t.Match(ownerOf(c), op, val, byValue)
	if err != nil {
		clogf(c, klog.Err, "ht_match_cell_op_str(): %v", err)
		return -1
	}
	if !found {
		return -1
	}
	return 1
}

func (m *Module) reset(c *event.Context, tname string) int {
	t, ok := m.table(c, "ht_reset_by_name", tname)
	if !ok {
		return -1
	}
	t.Reset(ownerOf(c))
	return 1
}

func (m *Module) lockKey(c *event.Context, tname, key string, unlock bool) int {
	t, ok := m.Table(tname)
	if !ok {
		mode := 0
		if unlock {
			mode = 1
		}
		clogf(c, klog.Err, "ki_ht_slot_xlock(): cannot get hash table by name [%s] (%d)", tname, mode)
		return -1
	}
	_, i := t.slotOf(key)
	if unlock {
		t.slots[i].lock.unlock(ownerOf(c))
	} else {
		t.slots[i].lock.lock(ownerOf(c))
	}
	return 1
}

func (m *Module) iterStartRC(c *event.Context, name, tname string) int {
	if err := m.iterStart(c, name, tname); err != nil {
		clogf(c, klog.Err, "ht_iterator_start(): %v", err)
		return -1
	}
	return 1
}

func (m *Module) iterNextRC(c *event.Context, name string) int {
	done, err := m.iterNext(c, name)
	if err != nil {
		clogf(c, klog.Err, "ht_iterator_next(): %v", err)
		return -1
	}
	if done {
		return -1
	}
	return 1
}

func (m *Module) iterEndRC(c *event.Context, name string) int {
	if err := m.iterEnd(c, name); err != nil {
		clogf(c, klog.Err, "ht_iterator_end(): %v", err)
		return -1
	}
	return 1
}

func (m *Module) iterRemoveRC(c *event.Context, name string) int {
	last, err := m.iterRemove(c, name)
	if err != nil {
		clogf(c, klog.Err, "ht_iterator_rm(): %v", err)
		return -1
	}
	if last {
		return -2
	}
	return 1
}

func (m *Module) iterSetRC(c *event.Context, name string, isStr bool, s string, n int64) int {
	fn := "seti"
	if isStr {
		fn = "sets"
	}
	if name == "" {
		clogf(c, klog.Err, "ki_ht_iterator_%s(): invalid parameters", fn)
		return -1
	}
	if err := m.iterSet(c, name, isStr, s, n); err != nil {
		clogf(c, klog.Err, "ht_iterator_%s(): %v", fn, err)
		return -1
	}
	return 1
}

func (m *Module) iterSetExpireRC(c *event.Context, name string, exp int64) int {
	if err := m.iterSetExpire(c, name, wrap32(exp)); err != nil {
		clogf(c, klog.Err, "ht_iterator_setex(): %v", err)
		return -1
	}
	return 1
}

// setxRC is ki_ht_setxs and ki_ht_setxi. Kamailio 5.6.3's sht_setxi
// returns 0 when it succeeds, which ends the route that called it; kamgo
// keeps that (later releases return 1).
func (m *Module) setxRC(c *event.Context, tname, key string, isStr bool, s string, n, exp int64) int {
	fn := "ki_ht_setxi"
	if isStr {
		fn = "ki_ht_setxs"
	}
	t, ok := m.Table(tname)
	if !ok {
		clogf(c, klog.Err, "%s(): No such htable: %s", fn, tname)
		return -1
	}
	t.Set(ownerOf(c), key, isStr, s, n, wrap32(exp))
	if isStr {
		return 1
	}
	return 0
}

// print is sht_print: every table, slot and item, logged at the error
// level as Kamailio's ht_dbg does.
func (m *Module) print(c *event.Context) {
	o := ownerOf(c)
	for _, t := range m.tables {
		clogf(c, klog.Err, "ht_dbg(): htable[%s] hid: %d exp: %d>", t.Name, t.htid, t.autoexpire)
		t.each(o, func(i int, s *slot) {
			clogf(c, klog.Err, "ht_dbg(): htable[%d] -- <%d>", i, len(s.cells))
			for _, it := range s.cells {
				clogf(c, klog.Err, "ht_dbg(): \tcell: %s", it.name)
				clogf(c, klog.Err, "ht_dbg(): \thid: %d msize: %d flags: %d expire: %d", it.id, it.msize(), it.flags(), uint32(it.expire))
				if it.isStr {
					clogf(c, klog.Err, "ht_dbg(): \tv-s:%s", it.s)
				} else {
					clogf(c, klog.Err, "ht_dbg(): \tv-i:%d", it.n)
				}
			}
		})
	}
}
