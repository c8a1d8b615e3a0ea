package pv

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// Getter reads a compiled pseudo-variable.
type Getter interface {
	Get(c *event.Context) value.Value
}

// Setter writes a compiled pseudo-variable. Assigning NullValue unsets it
// where the class supports that.
type Setter interface {
	Set(c *event.Context, v value.Value) error
}

// GetterFunc adapts a function to Getter.
type GetterFunc func(c *event.Context) value.Value

// Get calls f.
func (f GetterFunc) Get(c *event.Context) value.Value { return f(c) }
