package pv

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// pvIndex is a compiled [n], [*] or [$pv] of a pseudo-variable.
type pvIndex struct {
	all bool
	n   int
	ref *pv.Ref
}

func compileIndex(t *pv.Table, ix *ast.PVIndex) (pvIndex, error) {
	if ix == nil {
		return pvIndex{}, nil
	}
	if ix.All {
		return pvIndex{all: true}, nil
	}
	if ix.PV != nil {
		r, err := t.Compile(ix.PV)
		if err != nil {
			return pvIndex{}, err
		}
		return pvIndex{ref: r}, nil
	}
	return pvIndex{n: ix.N}, nil
}

// eval returns the index; ok is false when a pseudo-variable index does
// not hold an integer.
func (x pvIndex) eval(c *event.Context) (idx int, ok bool) {
	if x.ref == nil {
		return x.n, true
	}
	v := x.ref.Get(c)
	if v.K != value.Int && !v.Num {
		logf(c, klog.Err, "invalid index value")
		return 0, false
	}
	return int(v.I), true
}
