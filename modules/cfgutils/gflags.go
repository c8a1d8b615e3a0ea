package cfgutils

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// Global flags are 32 bits shared by every worker, starting from
// initial_gflags.

func (m *Module) setGflag(bit uint32) int {
	for {
		old := m.gflags.Load()
		if m.gflags.CompareAndSwap(old, old|bit) {
			return 1
		}
	}
}

func (m *Module) resetGflag(bit uint32) int {
	for {
		old := m.gflags.Load()
		if m.gflags.CompareAndSwap(old, old&^bit) {
			return 1
		}
	}
}

func (m *Module) isGflag(bit uint32) int {
	if m.gflags.Load()&bit != 0 {
		return 1
	}
	return -1
}

// compileFlag builds set_gflag, reset_gflag and is_gflag. The flag is a
// number 0..31 fixed at load time, read as Kamailio's str2int reads it
// (an optional '+', digits; "" is 0); a pseudo-variable is not allowed.
func (m *Module) compileFlag(f func(bit uint32) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(_ module.Host, args []*module.Arg) (module.Call, error) {
		s, ok := argText(args[0])
		if !ok {
			return nil, fmt.Errorf("bad number: the flag must be a literal number")
		}
		n, ok := parseFlag(s)
		if !ok {
			return nil, fmt.Errorf("bad number <%s>", s)
		}
		if n > 31 {
			return nil, fmt.Errorf("flag <%d> out of range [0..31]", n)
		}
		bit := uint32(1) << n
		return func(*event.Context) int { return f(bit) }, nil
	}
}

// parseFlag is str2int that must succeed.
func parseFlag(s string) (uint64, bool) {
	t := strings.TrimPrefix(s, "+")
	var n uint64
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(t[i]-'0')
		if n > 1<<32-1 {
			return 0, false
		}
	}
	return n, true
}
