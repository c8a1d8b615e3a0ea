package htable

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/value"
)

// runRPC runs one command with string or integer parameters and returns
// its reply as text, or the fault.
func runRPC(t *testing.T, m *Module, method string, params ...any) string {
	t.Helper()
	reg := rpc.NewRegistry()
	if err := reg.Register(m.RPC()...); err != nil {
		t.Fatal(err)
	}
	c := &rpc.Call{Method: method}
	for _, p := range params {
		switch v := p.(type) {
		case string:
			c.Params = append(c.Params, rpc.NewStr(v))
		case int:
			c.Params = append(c.Params, rpc.NewInt(int64(v)))
		}
	}
	if !reg.Run(context.Background(), c) {
		t.Fatalf("no command %s", method)
	}
	vals, fault := c.Reply()
	if fault != nil {
		return "fault " + fault.Error()
	}
	out := ""
	for i, v := range vals {
		if i > 0 {
			out += " "
		}
		out += v.String()
	}
	return out
}

func TestRPC(t *testing.T) {
	m, _, clock := setup(t, "a=>size=2", "e=>size=1;autoexpire=60")
	for _, tc := range []struct {
		method string
		params []any
		want   string
	}{
		{"htable.sets", []any{"a", "k1", "v1"}, "Ok. Key set to new value."},
		{"htable.seti", []any{"a", "k2", 7}, "Ok. Key set to new value."},
		{"htable.seti", []any{"a", "k3"}, "fault 500 Not enough parameters (htable name, key name and value)"},
		{"htable.sets", []any{"x", "k", "v"}, "fault 500 No such htable"},
		{"htable.get", []any{"a", "k1"}, "{item: {name: k1, value: v1, flags: 2, expire: NEVER}}"},
		{"htable.get", []any{"a", "k2"}, "{item: {name: k2, value: 7, flags: 0, expire: NEVER}}"},
		{"htable.get", []any{"a", "nope"}, "fault 500 Key name doesn't exist in htable."},
		{"htable.get", []any{"a"}, "fault 500 Not enough parameters (htable name and key name)"},
		{"htable.dump", []any{"a"}, "{entry: 2, size: 1, slot: [{name: k1, value: v1, type: str}]} {entry: 3, size: 1, slot: [{name: k2, value: 7, type: int}]}"},
		{"htable.dump", []any{}, "fault 500 No htable name given"},
		{"htable.dump", []any{"x"}, "fault 500 No such htable"},
		{"htable.delete", []any{"a", "k2"}, "Ok. Key deleted."},
		{"htable.delete", []any{"a", "k2"}, "fault 404 Key not found in htable."},
		{"htable.delete", []any{"a"}, "fault 500 Not enough parameters (htable name & key name"},
		{"htable.setxi", []any{"e", "n", 5, 30}, "Ok. Key set to new value."},
		{"htable.setxs", []any{"e", "s", "v", 30}, "Ok. Key set to new value."},
		{"htable.setxs", []any{"x", "s", "v", 30}, "fault 500 Failed to set the item"},
		{"htable.setex", []any{"e", "n", 10}, "Ok"},
		{"htable.setex", []any{"x", "n", 10}, "fault 500 No such htable"},
		{"htable.listTables", nil, "{name: e, dbtable: , dbmode: 0, expire: 60, updateexpire: 1, size: 8, dmqreplicate: 0} {name: a, dbtable: , dbmode: 0, expire: 0, updateexpire: 1, size: 4, dmqreplicate: 0}"},
		{"htable.stats", nil, "{name: e, slots: 8, all: 2, min: 0, max: 1} {name: a, slots: 4, all: 1, min: 0, max: 1}"},
		{"htable.reload", []any{"a"}, "fault 500 No htable db_url"},
		{"htable.store", []any{"a"}, "fault 500 No htable db_url"},
		{"htable.flush", []any{"a"}, "Ok. Htable flushed."},
		{"htable.flush", []any{"x"}, "fault 500 No such htable"},
		{"htable.stats", nil, "{name: e, slots: 8, all: 2, min: 0, max: 1} {name: a, slots: 4, all: 0, min: 0, max: 0}"},
	} {
		if got := runRPC(t, m, tc.method, tc.params...); got != tc.want {
			t.Errorf("%s %v:\n got %s\nwant %s", tc.method, tc.params, got, tc.want)
		}
	}
	// The expiry htable.get shows is local time.
	exp := clock.Now().Add(10 * time.Second).Local().Format("2006-01-02 15:04:05")
	if got, want := runRPC(t, m, "htable.get", "e", "n"), "{item: {name: n, value: 5, flags: 0, expire: "+exp+"}}"; got != want {
		t.Errorf("htable.get with expiry:\n got %s\nwant %s", got, want)
	}
	clock.Advance(11 * time.Second)
	if got := runRPC(t, m, "htable.get", "e", "n"); got != "fault 500 Key name doesn't exist in htable." {
		t.Errorf("expired item: %s", got)
	}
	empty := newModule()
	if got := runRPC(t, empty, "htable.listTables"); got != "fault 500 No htables" {
		t.Errorf("no tables: %s", got)
	}
}

func TestKEMI(t *testing.T) {
	m, h, _ := setup(t, "a=>size=2", "n=>initval=3")
	c := h.Context()
	funcs := map[string]module.KEMIFunc{}
	for _, f := range m.KEMI() {
		funcs[f.Name] = f
	}
	run := func(name string, args ...any) module.KEMIValue {
		t.Helper()
		f, ok := funcs[name]
		if !ok {
			t.Fatalf("no KEMI %s", name)
		}
		var vs []value.Value
		for _, a := range args {
			switch v := a.(type) {
			case string:
				vs = append(vs, value.MakeStr(v))
			case int:
				vs = append(vs, value.MakeInt(int64(v)))
			}
		}
		return f.Call(h, c, vs)
	}
	for _, tc := range []struct {
		name string
		args []any
		want value.Value
	}{
		{"sht_sets", []any{"a", "s", "str"}, value.MakeInt(1)},
		{"sht_seti", []any{"a", "i", 4}, value.MakeInt(1)},
		{"sht_get", []any{"a", "s"}, value.MakeStr("str")},
		{"sht_get", []any{"a", "i"}, value.MakeInt(4)},
		{"sht_get", []any{"a", "none"}, value.NullValue},
		{"sht_gete", []any{"a", "none"}, value.MakeStr("")},
		{"sht_getw", []any{"a", "none"}, value.MakeStr("<null>")},
		{"sht_get", []any{"n", "none"}, value.MakeInt(3)},
		{"sht_inc", []any{"a", "i"}, value.MakeInt(5)},
		{"sht_dec", []any{"a", "i"}, value.MakeInt(4)},
		{"sht_inc", []any{"a", "s"}, value.MakeInt(noIntVal)},
		{"sht_inc", []any{"x", "s"}, value.MakeInt(noIntVal)},
		{"sht_is_null", []any{"a", "s"}, value.MakeInt(-1)},
		{"sht_is_null", []any{"a", "none"}, value.MakeInt(1)},
		{"sht_is_null", []any{"n", "none"}, value.MakeInt(-2)},
		{"sht_is_null", []any{"x", "none"}, value.MakeInt(2)},
		{"sht_match_name", []any{"a", "eq", "s"}, value.MakeInt(1)},
		{"sht_cn", []any{"a", "**", ""}, value.MakeInt(2)},
		{"sht_cn", []any{"a", "", "^[si]$"}, value.MakeInt(2)},
		{"sht_cn", []any{"a", "x", "s"}, value.MakeInt(-1)},
		{"sht_rm", []any{"a", "s"}, value.MakeInt(1)},
		{"sht_rm_name_re", []any{"x", "."}, value.MakeInt(1)},
		{"sht_setxi", []any{"a", "t", 1, 10}, value.MakeInt(0)},
		{"sht_setxs", []any{"a", "u", "v", 10}, value.MakeInt(1)},
		{"sht_reset", []any{"a"}, value.MakeInt(0)},
		{"sht_reset", []any{"x"}, value.MakeInt(-1)},
		{"sht_lock", []any{"a", "k"}, value.MakeInt(1)},
		{"sht_unlock", []any{"a", "k"}, value.MakeInt(1)},
		{"sht_iterator_start", []any{"it", "a"}, value.MakeInt(1)},
		{"sht_iterator_next", []any{"it"}, value.MakeInt(-1)},
		{"sht_iterator_end", []any{"it"}, value.MakeInt(1)},
	} {
		if got := run(tc.name, tc.args...); got.Value != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.args, got.Value, tc.want)
		}
	}
}
