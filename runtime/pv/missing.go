package pv

import (
	"fmt"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// NotImplementedError is the error of compiling a pseudo-variable class or
// transformation that Kamailio has and kamgo does not run.
type NotImplementedError struct {
	What   string // "$cnt", "{s.fmtlines}"
	Module string
}

func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("%s (module %s) is not implemented by kamgo", e.What, e.Module)
}

// MissingClass returns a stand-in for a class of module mod that kamgo
// does not implement. When allowed (the module was named by
// --allow-missing), the class compiles and reads as null, and warn is
// called once, at the first read; otherwise compiling it fails with a
// NotImplementedError.
func MissingClass(name, mod string, allowed bool, warn func(c *event.Context, msg string)) *Class {
	var once sync.Once
	return &Class{Name: name, Module: mod, Compile: func(_ *Table, p *ast.PVar) (Spec, error) {
		if !allowed {
			return nil, &NotImplementedError{What: "$" + name, Module: mod}
		}
		return GetterFunc(func(c *event.Context) value.Value {
			once.Do(func() {
				warn(c, fmt.Sprintf("$%s of module %s is not implemented by kamgo: it reads as <null>", name, mod))
			})
			return value.NullValue
		}), nil
	}}
}
