package kex

import (
	"context"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: kex's statistics commands. Each takes one
// or more statistic names, each either "all", "group:" (every counter of
// the group) or a statistic's name.
func (m *Module) RPC() []rpc.Command {
	return append([]rpc.Command{
		{Name: "stats.get_statistics", Doc: "Core and module statistics, as \"group:name = value\" lines.", Array: true,
			Handler: m.rpcGetStatistics},
		{Name: "stats.fetch", Doc: "Core and module statistics, in one structure of string values.",
			Handler: func(_ context.Context, c *rpc.Call) { m.rpcFetch(c, false) }},
		{Name: "stats.fetchn", Doc: "Core and module statistics, in one structure of numbers.",
			Handler: func(_ context.Context, c *rpc.Call) { m.rpcFetch(c, true) }},
		{Name: "stats.reset_statistics", Doc: "Reset statistics, answering nothing.",
			Handler: func(_ context.Context, c *rpc.Call) { m.rpcReset(c, false) }},
		{Name: "stats.clear_statistics", Doc: "Reset statistics, answering each one's new (and old) value.",
			Handler: func(_ context.Context, c *rpc.Call) { m.rpcReset(c, true) }},
	}, m.modRPC()...)
}

func (m *Module) statsRegistry() *counters.Registry {
	if h, ok := m.host.(counters.Host); ok {
		return h.Counters()
	}
	return counters.NewRegistry()
}

// statNames reads the names a statistics command takes: one at least.
func statNames(c *rpc.Call) ([]string, bool) {
	if c.Remaining() == 0 {
		c.Fault(rpc.CodeBadRequest, "statistic names expected")
		return nil, false
	}
	var names []string
	for c.Remaining() > 0 {
		s, ok := c.NextStr()
		if !ok {
			return nil, false
		}
		names = append(names, s)
	}
	return names, true
}

// selected returns the counters one name selects: every counter for
// "all", a group's for "group:", else the counter of that name
// registered last.
func selected(r *counters.Registry, stat string) []*counters.Counter {
	switch {
	case stat == "all":
		var out []*counters.Counter
		for _, g := range r.Groups() {
			out = append(out, r.Vars(g)...)
		}
		return out
	case strings.HasSuffix(stat, ":"):
		return r.Vars(strings.TrimSuffix(stat, ":"))
	}
	if k, ok := r.Lookup("", stat); ok {
		return []*counters.Counter{k}
	}
	return nil
}

// unsigned is a value as the statistics commands print it (C's %lu).
func unsigned(v int64) string { return strconv.FormatUint(uint64(v), 10) }

func (m *Module) rpcGetStatistics(_ context.Context, c *rpc.Call) {
	names, ok := statNames(c)
	if !ok {
		return
	}
	r := m.statsRegistry()
	for _, n := range names {
		for _, k := range selected(r, n) {
			c.Add(rpc.NewStr(k.Group() + ":" + k.Name() + " = " + unsigned(k.Value())))
		}
	}
}

// rpcFetch answers one structure with a member "group.name" per counter.
// A name that is not a statistic's may be "group.name" or "group:name".
func (m *Module) rpcFetch(c *rpc.Call, numeric bool) {
	names, ok := statNames(c)
	if !ok {
		return
	}
	r := m.statsRegistry()
	s := c.AddStruct()
	add := func(k *counters.Counter) {
		key := k.Group() + "." + k.Name()
		switch v := k.Value(); {
		case numeric && v >= 0:
			s.Set(key, rpc.NewInt(v))
		case numeric:
			// An unsigned long above what Int holds (a counter below 0).
			s.Set(key, rpc.NewDouble(float64(uint64(v))))
		default:
			s.Set(key, rpc.NewStr(unsigned(v)))
		}
	}
	for _, n := range names {
		ks := selected(r, n)
		if len(ks) == 0 && n != "all" && !strings.HasSuffix(n, ":") {
			ks = qualified(r, n)
		}
		for _, k := range ks {
			add(k)
		}
	}
}

// qualified finds the statistic "group.name" or "group:name" names: the
// counter registered last with the name after the separator, when its
// group is the part before.
func qualified(r *counters.Registry, stat string) []*counters.Counter {
	i := strings.IndexByte(stat, '.')
	if i < 0 {
		i = strings.IndexByte(stat, ':')
	}
	if i < 0 {
		return nil
	}
	k, ok := r.Lookup("", stat[i+1:])
	if !ok {
		return nil
	}
	// Its group must be what precedes the separator.
	if g := k.Group(); !strings.HasPrefix(stat, g) || len(stat) <= len(g) || (stat[len(g)] != '.' && stat[len(g)] != ':') {
		return nil
	}
	return []*counters.Counter{k}
}

// rpcReset resets the counters the names select; clear answers each one's
// value after, and before when it changed. A group's counters are found
// again by their name alone, as Kamailio does.
func (m *Module) rpcReset(c *rpc.Call, clear bool) {
	names, ok := statNames(c)
	if !ok {
		return
	}
	r := m.statsRegistry()
	for _, n := range names {
		ks := selected(r, n)
		if n == "all" || strings.HasSuffix(n, ":") {
			var byName []*counters.Counter
			for _, k := range ks {
				if last, ok := r.Lookup("", k.Name()); ok {
					byName = append(byName, last)
				}
			}
			ks = byName
		}
		for _, k := range ks {
			old := k.Value()
			k.Reset()
			now := k.Value()
			if !clear {
				continue
			}
			line := k.Group() + ":" + k.Name() + " = " + unsigned(now)
			if now != old {
				line += " (" + unsigned(old) + ")"
			}
			c.Add(rpc.NewStr(line))
		}
	}
}

var _ rpc.Provider = (*Module)(nil)
