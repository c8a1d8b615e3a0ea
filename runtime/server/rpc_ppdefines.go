package server

import (
	"context"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// Define is one preprocessor define of the running configuration, as
// core.ppdefines_full reports it.
type Define struct {
	Name  string
	Value string // "" for a define without a value
	// Kind is how it was last defined, Kamailio's dtype: 0 #!define (and
	// the names Kamailio and -A predefine), 1 #!trydef, 2 #!redefine.
	Kind int
}

// storeDefines keeps the defines cfg was read with; a configuration that
// did not come through the preprocessor has none.
func (s *Server) storeDefines(cfg *ast.Config) {
	if cfg.Defines == nil {
		s.defines.Store(nil)
		return
	}
	d := SortDefines(cfg.Defines)
	s.defines.Store(&d)
}

// loadDefines returns the defines of the running configuration.
func (s *Server) loadDefines() ([]Define, bool) {
	d := s.defines.Load()
	if d == nil {
		return nil, false
	}
	return *d, true
}

// SortDefines turns a define table into the list core.ppdefines shows:
// Kamailio's predefined names first (KAMAILIO_5, KAMAILIO_5_6 ...), then
// the others by name. Kamailio lists them in the order they were
// defined, which kamgo's preprocessor does not keep; every Kind is 0.
func SortDefines(table map[string]string) []Define {
	out := make([]Define, 0, len(table))
	for n, v := range table {
		out = append(out, Define{Name: n, Value: v})
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := strings.HasPrefix(out[i].Name, "KAMAILIO_"), strings.HasPrefix(out[j].Name, "KAMAILIO_")
		if pi != pj {
			return pi
		}
		if pi && len(out[i].Name) != len(out[j].Name) {
			return len(out[i].Name) < len(out[j].Name)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ppRPC are core.ppdefines and core.ppdefines_full.
func (s *Server) ppRPC() []rpc.Command {
	defs := func(c *rpc.Call) ([]Define, bool) {
		d, ok := s.loadDefines()
		if !ok {
			c.Fault(rpc.CodeInternal, "preprocessor defines not available")
		}
		return d, ok
	}
	return []rpc.Command{
		{Name: "core.ppdefines", Doc: "The names the configuration's preprocessor defined.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				list, _ := defs(c)
				for _, d := range list {
					c.Add(rpc.NewStr(d.Name))
				}
			}},
		{Name: "core.ppdefines_full", Doc: "The configuration's preprocessor defines with how they were defined and their values.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				list, _ := defs(c)
				for _, d := range list {
					v := d.Value
					if v == "" {
						v = "none"
					}
					c.AddStruct().
						Set("name", rpc.NewStr(d.Name)).
						Set("type", rpc.NewInt(int64(d.Kind))).
						Set("value", rpc.NewStr(v))
				}
			}},
	}
}
