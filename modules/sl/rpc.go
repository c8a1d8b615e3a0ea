package sl

import (
	"context"
	"strconv"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: sl.stats, Kamailio 5.6.3's only sl
// command.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "sl.stats", Doc: "Counts of the stateless replies sent, by code and by class.", Handler: m.rpcStats},
	}
}

// statsBuckets are sl.stats' members in Kamailio's order: each code it
// counts on its own, then its class for the other codes of the class.
var statsBuckets = []struct {
	name  string
	class int   // 1-6, 0 for "xxx" (below 200 or 700 and above)
	codes []int // the codes counted on their own, for a class member
}{
	{"200", 0, nil}, {"202", 0, nil}, {"2xx", 2, []int{200, 202}},
	{"300", 0, nil}, {"301", 0, nil}, {"302", 0, nil}, {"3xx", 3, []int{300, 301, 302}},
	{"400", 0, nil}, {"401", 0, nil}, {"403", 0, nil}, {"404", 0, nil}, {"407", 0, nil},
	{"408", 0, nil}, {"483", 0, nil}, {"4xx", 4, []int{400, 401, 403, 404, 407, 408, 483}},
	{"500", 0, nil}, {"5xx", 5, []int{500}},
	{"6xx", 6, nil},
	{"xxx", 0, nil},
}

// byCodeOf is the count of one of countedCodes.
func (s *counters) byCodeOf(code int) uint64 {
	for i, c := range countedCodes {
		if c == code {
			return s.byCode[i].Load()
		}
	}
	return 0
}

func (m *Module) rpcStats(_ context.Context, c *rpc.Call) {
	s := &m.stats
	st := c.AddStruct()
	for _, b := range statsBuckets {
		var n uint64
		switch {
		case b.name == "xxx":
			// Kamailio puts provisional codes with the invalid ones.
			n = s.byClass[0].Load() + s.byClass[1].Load()
		case b.class != 0:
			n = s.byClass[b.class].Load()
			for _, code := range b.codes {
				n -= s.byCodeOf(code)
			}
		default:
			code, _ := strconv.Atoi(b.name)
			n = s.byCodeOf(code)
		}
		// Kamailio adds the counters as C ints.
		st.Set(b.name, rpc.NewInt(int64(int32(n))))
	}
}

var _ rpc.Provider = (*Module)(nil)
