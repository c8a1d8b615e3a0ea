package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Flags: the message flags ($mf, $mF, $Mf(n); the ones setflag() sets),
// the script flags ($sf, $sF, $Sf(n)) and the branch flags of the
// Request-URI ($bf, $bF, $Bf(n)). All three start at 0 with each event
// (Kamailio saves and clears the script flags around each top route). The
// all-flags classes read an unsigned number (F: eight hex digits); $null
// clears them all.

var sflagsKey = event.NewKey() // Context slot: *uint32, the script flags

// flagStore is where one kind of flags lives.
type flagStore func(c *event.Context) *uint32

func msgFlags(c *event.Context) *uint32 { return &c.Flags }

func scriptFlags(c *event.Context) *uint32 {
	if p, ok := c.Get(sflagsKey).(*uint32); ok {
		return p
	}
	p := new(uint32)
	c.Set(sflagsKey, p)
	return p
}

func branchFlags(c *event.Context) *uint32 { return &sipmsg.FromContext(c).RuriFlags }

// intOrErr is an assigned value that must be an integer.
func intOrErr(c *event.Context, v value.Value, what string) (int64, error) {
	if v.K != value.Int && !v.Num {
		logf(c, klog.Err, "assigning non-int value to %s", what)
		return 0, fmt.Errorf("%s take an integer", what)
	}
	return v.I, nil
}

type allFlags struct {
	store flagStore
	hex   bool
	what  string
}

func (f allFlags) Get(c *event.Context) value.Value {
	n := *f.store(c)
	if f.hex {
		return strInt(fmt.Sprintf("%08x", n), int(int32(n)))
	}
	return uintValue(int64(n))
}

func (f allFlags) Set(c *event.Context, v value.Value) error {
	if v.IsNull() {
		*f.store(c) = 0
		return nil
	}
	n, err := intOrErr(c, v, f.what)
	if err != nil {
		return err
	}
	*f.store(c) = uint32(n)
	return nil
}

type oneFlag struct {
	store flagStore
	bit   uint
	what  string
}

func (f oneFlag) Get(c *event.Context) value.Value {
	return uintValue(int64(*f.store(c) >> f.bit & 1))
}

// Set sets or resets the flag; $null clears every flag of the kind.
func (f oneFlag) Set(c *event.Context, v value.Value) error {
	p := f.store(c)
	if v.IsNull() {
		*p = 0
		return nil
	}
	n, err := intOrErr(c, v, f.what)
	if err != nil {
		return err
	}
	if n != 0 {
		*p |= 1 << f.bit
	} else {
		*p &^= 1 << f.bit
	}
	return nil
}

// compileFlag compiles $Mf(n), $Sf(n) and $Bf(n): n is a flag number,
// 0 to 31 (kamgo has no named flags).
func compileFlag(store flagStore, what string) func(*pv.Table, *ast.PVar) (pv.Spec, error) {
	return func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil || p.Name.Text == "" {
			return nil, fmt.Errorf("missing flag")
		}
		n, ok := value.Str2Sint(p.Name.Text)
		if !ok {
			return nil, fmt.Errorf("flag not declared: [%s]", p.Name.Text)
		}
		if n < 0 || n > 31 {
			return nil, fmt.Errorf("bad flag value: [%s]", p.Name.Text)
		}
		return oneFlag{store: store, bit: uint(n), what: what}, nil
	}
}

func flagClasses() []*pv.Class {
	var out []*pv.Class
	for _, k := range []struct {
		prefix, upper, what string
		store               flagStore
	}{
		{"m", "M", "msg flags", msgFlags},
		{"s", "S", "script flags", scriptFlags},
		{"b", "B", "branch 0 flags", branchFlags},
	} {
		out = append(out,
			specClass(k.prefix+"f", allFlags{store: k.store, what: k.what}),
			specClass(k.prefix+"F", allFlags{store: k.store, hex: true, what: k.what}),
			&pv.Class{Name: k.upper + "f", Module: "pv", Compile: compileFlag(k.store, k.what)})
	}
	return out
}
