package kex

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// sruid makes $sruid's values as Kamailio's sruid does: "srid-", the
// server_id in hex and "-" when it is set, the start time and the process
// id in hex, each followed by "-", then a counter starting at 1 whose hex
// digits are written lowest first. One counter serves every worker: they
// share the process id, so separate counters would repeat ids.
type sruid struct {
	root    string
	counter atomic.Uint32
}

func (s *sruid) init(serverID int64) {
	now, pid := uint32(time.Now().Unix()), uint32(os.Getpid())
	if serverID != 0 {
		s.root = fmt.Sprintf("srid-%x-%x-%x-", uint32(serverID), now, pid)
	} else {
		s.root = fmt.Sprintf("srid-%x-%x-", now, pid)
	}
}

// next returns the next id. Counter 0 is skipped when it wraps, as
// Kamailio skips it.
func (s *sruid) next() string {
	n := s.counter.Add(1)
	for n == 0 {
		n = s.counter.Add(1)
	}
	b := make([]byte, 0, len(s.root)+8)
	b = append(b, s.root...)
	for ; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

// sruidClass is $sruid: a new id at each read.
func (m *Module) sruidClass() *pv.Class {
	return &pv.Class{Name: "sruid", Module: Name, Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
		return pv.GetterFunc(func(*event.Context) value.Value {
			if m.uid.root == "" {
				return value.NullValue
			}
			return value.MakeStr(m.uid.next())
		}), nil
	}}
}
