package htable

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: the htable.* commands of Kamailio 5.6.3,
// with its parameters, reply shapes, texts and fault codes. reload and
// store answer as Kamailio does without db_url: kamgo has no database.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "htable.dump", Doc: "Lists the items of a table, slot by slot: table name.", Handler: m.rpcDump, Array: true},
		{Name: "htable.delete", Doc: "Removes one item: table name, item name.", Handler: m.rpcDelete},
		{Name: "htable.get", Doc: "Shows one item with its flags and expiry: table name, item name.", Handler: m.rpcGet},
		{Name: "htable.sets", Doc: "Stores a string item: table name, item name, value.", Handler: m.rpcSets},
		{Name: "htable.seti", Doc: "Stores an integer item: table name, item name, value.", Handler: m.rpcSeti},
		{Name: "htable.setex", Doc: "Sets the seconds before an item expires: table name, item name, seconds.", Handler: m.rpcSetex},
		{Name: "htable.setxs", Doc: "Stores a string item with its expiry: table name, item name, value, seconds.", Handler: m.rpcSetx(true)},
		{Name: "htable.setxi", Doc: "Stores an integer item with its expiry: table name, item name, value, seconds.", Handler: m.rpcSetx(false)},
		{Name: "htable.listTables", Doc: "Lists the tables with their attributes.", Handler: m.rpcList, Array: true},
		{Name: "htable.reload", Doc: "Loads a table again from its database table (needs a database).", Handler: rpcNoDB},
		{Name: "htable.store", Doc: "Writes a table to its database table (needs a database).", Handler: rpcNoDB},
		{Name: "htable.stats", Doc: "Counts the items of each table: all, and the fewest and most in one slot.", Handler: m.rpcStats, Array: true},
		{Name: "htable.flush", Doc: "Removes every item of a table: table name.", Handler: m.rpcFlush},
	}
}

// args reads a call's parameters as Kamailio's rpc->scan does: through
// the transport's rules when it has them, otherwise plainly; a missing or
// mistyped parameter is reported, not faulted, so that the handler
// answers with Kamailio's own fault.
type args struct {
	c *rpc.Call
	i int
}

func (a *args) str() (string, bool) {
	if a.c.Scan != nil {
		return a.c.NextStr()
	}
	v := a.c.Param(a.i)
	if v == nil {
		return "", false
	}
	switch {
	case v.Kind == rpc.Str:
		a.i++
		return v.Str, true
	case a.c.Convert && (v.Kind == rpc.Int || v.Kind == rpc.Double):
		a.i++
		return v.String(), true
	}
	return "", false
}

func (a *args) int() (int64, bool) {
	if a.c.Scan != nil {
		n, ok := a.c.NextInt()
		return int64(int32(n)), ok
	}
	v := a.c.Param(a.i)
	if v == nil {
		return 0, false
	}
	switch {
	case v.Kind == rpc.Int:
		a.i++
		return int64(int32(v.Int)), true
	case a.c.Convert && v.Kind == rpc.Str:
		n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 64)
		if err == nil {
			a.i++
		}
		return int64(int32(n)), err == nil
	}
	return 0, false
}

// convert is the '.' of a scan format: the parameters after it convert.
func (a *args) convert() { a.c.Convert = true }

// tableKey reads a table name and an item name.
func (m *Module) tableKey(c *rpc.Call, p *args, tooFew string) (*Table, string, bool) {
	tname, ok1 := p.str()
	key, ok2 := p.str()
	if !ok1 || !ok2 {
		c.Fault(rpc.CodeInternal, "%s", tooFew)
		return nil, "", false
	}
	t, ok := m.Table(tname)
	if !ok {
		c.Fault(rpc.CodeInternal, "No such htable")
		return nil, "", false
	}
	return t, key, true
}

func (m *Module) rpcDelete(_ context.Context, c *rpc.Call) {
	t, key, ok := m.tableKey(c, &args{c: c}, "Not enough parameters (htable name & key name")
	if !ok {
		return
	}
	if !t.Delete(new(byte), key) {
		c.Fault(rpc.CodeNotFound, "Key not found in htable.")
		return
	}
	c.Printf("Ok. Key deleted.")
}

// rpcGet answers {item: {name, value, flags, expire}}; expire is the
// local time the item expires, or NEVER.
func (m *Module) rpcGet(_ context.Context, c *rpc.Call) {
	t, key, ok := m.tableKey(c, &args{c: c}, "Not enough parameters (htable name and key name)")
	if !ok {
		return
	}
	v, ok := t.Get(new(byte), key)
	if !ok {
		c.Fault(rpc.CodeInternal, "Key name doesn't exist in htable.")
		return
	}
	exp := "NEVER"
	if v.Expire != 0 {
		exp = time.Unix(v.Expire, 0).Format("2006-01-02 15:04:05")
	}
	item := rpc.NewStruct()
	c.AddStruct().Set("item", item)
	item.Set("name", rpc.NewStr(v.Name))
	if v.IsStr {
		item.Set("value", rpc.NewStr(v.S))
		item.Set("flags", rpc.NewInt(2))
	} else {
		item.Set("value", rpc.NewInt(v.N))
		item.Set("flags", rpc.NewInt(0))
	}
	item.Set("expire", rpc.NewStr(exp))
}

func (m *Module) rpcSets(_ context.Context, c *rpc.Call) {
	m.rpcSet(c, true)
}

func (m *Module) rpcSeti(_ context.Context, c *rpc.Call) {
	m.rpcSet(c, false)
}

// rpcSet is htable.sets ("SS.S") and htable.seti ("SS.d").
func (m *Module) rpcSet(c *rpc.Call, isStr bool) {
	p := &args{c: c}
	tname, ok1 := p.str()
	key, ok2 := p.str()
	p.convert()
	var s string
	var n int64
	ok3 := false
	if isStr {
		s, ok3 = p.str()
	} else {
		n, ok3 = p.int()
	}
	if !ok1 || !ok2 || !ok3 {
		c.Fault(rpc.CodeInternal, "Not enough parameters (htable name, key name and value)")
		return
	}
	t, ok := m.Table(tname)
	if !ok {
		c.Fault(rpc.CodeInternal, "No such htable")
		return
	}
	t.Set(new(byte), key, isStr, s, n, 0)
	c.Printf("Ok. Key set to new value.")
}

func (m *Module) rpcSetex(_ context.Context, c *rpc.Call) {
	p := &args{c: c}
	tname, ok1 := p.str()
	key, ok2 := p.str()
	p.convert()
	exp, ok3 := p.int()
	if !ok1 || !ok2 || !ok3 {
		c.Fault(rpc.CodeInternal, "Not enough parameters (htable name, item name and expire)")
		return
	}
	t, ok := m.Table(tname)
	if !ok {
		c.Fault(rpc.CodeInternal, "No such htable")
		return
	}
	t.SetExpire(new(byte), key, exp)
	c.Printf("Ok")
}

// rpcSetx is htable.setxs ("SS.Sd") and htable.setxi ("SS.dd").
func (m *Module) rpcSetx(isStr bool) rpc.Handler {
	return func(_ context.Context, c *rpc.Call) {
		p := &args{c: c}
		tname, ok1 := p.str()
		key, ok2 := p.str()
		p.convert()
		var s string
		var n int64
		ok3 := false
		if isStr {
			s, ok3 = p.str()
		} else {
			n, ok3 = p.int()
		}
		exp, ok4 := p.int()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			c.Fault(rpc.CodeInternal, "Not enough parameters (htable name, key name, value and expire)")
			return
		}
		t, ok := m.Table(tname)
		if !ok {
			fn := "xi"
			if isStr {
				fn = "xs"
			}
			m.logf(klog.Err, "ki_ht_set%s(): No such htable: %s", fn, tname)
			m.logf(klog.Err, "htable_rpc_set%s(): cannot set $sht(%s=>%s)", fn, tname, key)
			c.Fault(rpc.CodeInternal, "Failed to set the item")
			return
		}
		t.Set(new(byte), key, isStr, s, n, exp)
		c.Printf("Ok. Key set to new value.")
	}
}

// rpcDump answers one structure per slot that has items: {entry, size,
// slot: [{name, value, type}]}. Items are listed as stored, expired ones
// not yet removed included.
func (m *Module) rpcDump(_ context.Context, c *rpc.Call) {
	tname, ok := (&args{c: c}).str()
	if !ok {
		c.Fault(rpc.CodeInternal, "No htable name given")
		return
	}
	t, ok := m.Table(tname)
	if !ok {
		c.Fault(rpc.CodeInternal, "No such htable")
		return
	}
	t.each(new(byte), func(i int, s *slot) {
		if len(s.cells) == 0 {
			return
		}
		items := rpc.NewArray()
		c.AddStruct().Set("entry", rpc.NewInt(int64(i))).Set("size", rpc.NewInt(int64(len(s.cells)))).Set("slot", items)
		for _, it := range s.cells {
			st := rpc.NewStruct().Set("name", rpc.NewStr(it.name))
			if it.isStr {
				st.Set("value", rpc.NewStr(it.s)).Set("type", rpc.NewStr("str"))
			} else {
				st.Set("value", rpc.NewInt(it.n)).Set("type", rpc.NewStr("int"))
			}
			items.Append(st)
		}
	})
}

func (m *Module) rpcList(_ context.Context, c *rpc.Call) {
	if len(m.tables) == 0 {
		c.Fault(rpc.CodeInternal, "No htables")
		return
	}
	for _, t := range m.tables {
		ue := int64(0)
		if t.updateExpire {
			ue = 1
		}
		c.AddStruct().Set("name", rpc.NewStr(t.Name)).Set("dbtable", rpc.NewStr(t.dbtable)).
			Set("dbmode", rpc.NewInt(t.dbmode)).Set("expire", rpc.NewInt(t.autoexpire)).
			Set("updateexpire", rpc.NewInt(ue)).Set("size", rpc.NewInt(int64(t.nslots))).
			Set("dmqreplicate", rpc.NewInt(t.dmqReplicate))
	}
}

func (m *Module) rpcStats(_ context.Context, c *rpc.Call) {
	if len(m.tables) == 0 {
		c.Fault(rpc.CodeInternal, "No htables")
		return
	}
	for _, t := range m.tables {
		all, lo, hi := 0, -1, 0
		t.each(new(byte), func(_ int, s *slot) {
			n := len(s.cells)
			all += n
			if lo < 0 || n < lo {
				lo = n
			}
			hi = max(hi, n)
		})
		c.AddStruct().Set("name", rpc.NewStr(t.Name)).Set("slots", rpc.NewInt(int64(t.nslots))).
			Set("all", rpc.NewInt(int64(all))).Set("min", rpc.NewInt(int64(lo))).Set("max", rpc.NewInt(int64(hi)))
	}
}

func (m *Module) rpcFlush(_ context.Context, c *rpc.Call) {
	tname, ok := (&args{c: c}).str()
	if !ok {
		c.Fault(rpc.CodeInternal, "No htable name given")
		return
	}
	t, ok := m.Table(tname)
	if !ok {
		c.Fault(rpc.CodeInternal, "No such htable")
		return
	}
	t.Reset(new(byte))
	c.Printf("Ok. Htable flushed.")
}

// rpcNoDB answers htable.reload and htable.store as Kamailio does when
// db_url is not set, which is always the case in kamgo.
func rpcNoDB(_ context.Context, c *rpc.Call) {
	c.Fault(rpc.CodeInternal, "No htable db_url")
}

var _ rpc.Provider = (*Module)(nil)
