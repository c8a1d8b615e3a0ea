package htable

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// noIntVal is what KSR.htable.sht_inc and sht_dec return when the item is
// not an integer (Kamailio's KSR_HT_KEMI_NOINTVAL).
const noIntVal = -255

// How sht_get, sht_gete and sht_getw return a missing item: nothing, an
// empty string, or "<null>".
const (
	nullNone = iota
	nullEmpty
	nullPrint
)

// KEMI implements module.KEMIExporter: KSR.htable.*, as Kamailio 5.6.3
// exports them, plus sht_cn (Kamailio 6.1).
func (m *Module) KEMI() []module.KEMIFunc {
	s, i, x := module.KEMIStr, module.KEMIInt, module.KEMIXVal
	rc := module.KEMIRC
	fn := func(name string, ret module.KEMIType, params []module.KEMIType, call func(c *event.Context, a []value.Value) module.KEMIValue) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: ret,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue { return call(c, a) }}
	}
	ss := []module.KEMIType{s, s}
	sss := []module.KEMIType{s, s, s}
	out := []module.KEMIFunc{
		fn("sht_lock", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.lockKey(c, a[0].S, a[1].S, false))
		}),
		fn("sht_unlock", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.lockKey(c, a[0].S, a[1].S, true))
		}),
		fn("sht_reset", i, []module.KEMIType{s}, func(c *event.Context, a []value.Value) module.KEMIValue {
			// ki_ht_reset_by_name returns 0 on success, as in Kamailio.
			if m.reset(c, a[0].S) < 0 {
				return rc(-1)
			}
			return rc(0)
		}),
		fn("sht_iterator_start", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			if a[0].S == "" || a[1].S == "" {
				clogf(c, klog.Err, "ki_ht_iterator_start(): invalid parameters")
				return rc(-1)
			}
			return rc(m.iterStartRC(c, a[0].S, a[1].S))
		}),
		fn("sht_iterator_next", i, []module.KEMIType{s}, m.kemiIter("ki_ht_iterator_next", m.iterNextRC)),
		fn("sht_iterator_end", i, []module.KEMIType{s}, m.kemiIter("ki_ht_iterator_end", m.iterEndRC)),
		fn("sht_iterator_rm", i, []module.KEMIType{s}, m.kemiIter("ki_ht_iterator_rm", m.iterRemoveRC)),
		fn("sht_iterator_sets", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.iterSetRC(c, a[0].S, true, a[1].S, 0))
		}),
		fn("sht_iterator_seti", i, []module.KEMIType{s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.iterSetRC(c, a[0].S, false, "", a[1].I))
		}),
		fn("sht_iterator_setex", i, []module.KEMIType{s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			if a[0].S == "" {
				clogf(c, klog.Err, "ki_ht_iterator_setex(): invalid parameters")
				return rc(-1)
			}
			return rc(m.iterSetExpireRC(c, a[0].S, a[1].I))
		}),
		fn("sht_rm", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.rm(c, a[0].S, a[1].S))
		}),
		fn("sht_rm_name_re", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.rmREByName(c, a[0].S, a[1].S, false))
		}),
		fn("sht_rm_value_re", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.rmREByName(c, a[0].S, a[1].S, true))
		}),
		fn("sht_rm_name", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.rmItems(c, a[0].S, a[1].S, a[2].S, false))
		}),
		fn("sht_rm_value", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.rmItems(c, a[0].S, a[1].S, a[2].S, true))
		}),
		fn("sht_match_name", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.matchItems(c, a[0].S, a[1].S, a[2].S, false))
		}),
		fn("sht_match_str_value", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.matchItems(c, a[0].S, a[1].S, a[2].S, true))
		}),
		fn("sht_get", x, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return m.kemiGet(c, a[0].S, a[1].S, nullNone)
		}),
		fn("sht_gete", x, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return m.kemiGet(c, a[0].S, a[1].S, nullEmpty)
		}),
		fn("sht_getw", x, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return m.kemiGet(c, a[0].S, a[1].S, nullPrint)
		}),
		fn("sht_sets", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.kemiSet(c, "ki_ht_sets", a[0].S, a[1].S, true, a[2].S, 0))
		}),
		fn("sht_seti", i, []module.KEMIType{s, s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.kemiSet(c, "ki_ht_seti", a[0].S, a[1].S, false, "", a[2].I))
		}),
		fn("sht_setex", i, []module.KEMIType{s, s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setex(c, a[0].S, a[1].S, a[2].I))
		}),
		fn("sht_setxi", i, []module.KEMIType{s, s, i, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setxRC(c, a[0].S, a[1].S, false, "", a[2].I, a[3].I))
		}),
		fn("sht_setxs", i, []module.KEMIType{s, s, s, i}, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setxRC(c, a[0].S, a[1].S, true, a[2].S, 0, a[3].I))
		}),
		fn("sht_is_null", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.isNull(c, a[0].S, a[1].S))
		}),
		fn("sht_inc", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.kemiAdd(c, a[0].S, a[1].S, 1))
		}),
		fn("sht_dec", i, ss, func(c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.kemiAdd(c, a[0].S, a[1].S, -1))
		}),
	}
	cn := fn("sht_cn", i, sss, func(c *event.Context, a []value.Value) module.KEMIValue {
		return rc(m.kemiCount(c, a[0].S, a[1].S, a[2].S))
	})
	cn.Ext = "Kamailio 6.1"
	return append(out, cn)
}

// kemiIter is an iterator function of one name.
func (m *Module) kemiIter(fn string, run func(c *event.Context, name string) int) func(c *event.Context, a []value.Value) module.KEMIValue {
	return func(c *event.Context, a []value.Value) module.KEMIValue {
		if a[0].S == "" {
			clogf(c, klog.Err, "%s(): invalid parameters", fn)
			return module.KEMIRC(-1)
		}
		return module.KEMIRC(run(c, a[0].S))
	}
}

// kemiGet is sht_get and its siblings: the item's value, initval for a
// table with one when the item is missing, and otherwise the null of
// mode.
func (m *Module) kemiGet(c *event.Context, tname, key string, mode int) module.KEMIValue {
	null := func() module.KEMIValue {
		switch mode {
		case nullEmpty:
			return module.KEMIOf(value.MakeStr(""))
		case nullPrint:
			return module.KEMIOf(value.MakeStr("<null>"))
		}
		return module.KEMIOf(value.NullValue)
	}
	t, ok := m.Table(tname)
	if !ok {
		clogf(c, klog.Err, "ki_ht_get_mode(): No such htable: %s", tname)
		return null()
	}
	v, ok := t.Get(ownerOf(c), key)
	if !ok {
		if t.hasInit {
			return module.KEMIOf(value.MakeInt(t.initVal))
		}
		return null()
	}
	return module.KEMIOf(v.script())
}

// kemiSet is sht_sets and sht_seti.
func (m *Module) kemiSet(c *event.Context, fn, tname, key string, isStr bool, s string, n int64) int {
	t, ok := m.Table(tname)
	if !ok {
		clogf(c, klog.Err, "%s(): No such htable: %s", fn, tname)
		return -1
	}
	t.Set(ownerOf(c), key, isStr, s, n, 0)
	return 1
}

// setex sets an item's expiry (KSR.htable.sht_setex, the htable.setex
// RPC).
func (m *Module) setex(c *event.Context, tname, key string, exp int64) int {
	t, ok := m.Table(tname)
	if !ok {
		clogf(c, klog.Err, "ki_ht_setex(): No such htable: %s", tname)
		return -1
	}
	t.SetExpire(ownerOf(c), key, wrap32(exp))
	return 1
}

// isNull is KSR.htable.sht_is_null: 1 when the item is not there, -1
// when it is, -2 for a table with initval, 2 when there is no such table.
func (m *Module) isNull(c *event.Context, tname, key string) int {
	t, ok := m.Table(tname)
	switch {
	case !ok:
		return 2
	case t.hasInit:
		return -2
	case t.Exists(ownerOf(c), key):
		return -1
	}
	return 1
}

// kemiAdd is KSR.htable.sht_inc and sht_dec.
func (m *Module) kemiAdd(c *event.Context, tname, key string, delta int64) int {
	t, ok := m.Table(tname)
	if !ok {
		return noIntVal
	}
	v, ok := t.Add(ownerOf(c), key, delta)
	if !ok || v.IsStr {
		return noIntVal
	}
	return int(v.N)
}

// kemiCount is KSR.htable.sht_cn(table, op, pattern) of Kamailio 6.1:
// $shtcn's count with the operator given apart ("" is a regular
// expression); -1 for a missing table or an operator that is not two
// characters.
func (m *Module) kemiCount(c *event.Context, tname, op, pat string) int {
	t, ok := m.table(c, "ki_sht_cn", tname)
	if !ok {
		return -1
	}
	switch len(op) {
	case 0:
		op = "~~"
	case 2:
	default:
		clogf(c, klog.Err, "ki_sht_cn(): invalid operator [%s]", op)
		return -1
	}
	n, err := t.CountMatching(ownerOf(c), op+pat, false)
	if err != nil {
		clogf(c, klog.Err, "ht_count_cells_re(): %v", err)
	}
	return n
}

var _ module.KEMIExporter = (*Module)(nil)
