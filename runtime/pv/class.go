// Package pv owns the run-time side of pseudo-variables: the class table
// modules register classes into, compiled PV references (getters and setters
// with their transformations applied) and compiled format strings such as
// "from $fU: $(var(x){s.len})\n". Everything here is built once at load
// time; per event nothing is parsed. The event they read and write is
// runtime/event's Context.
package pv

import (
	"fmt"
	"sort"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// Class is a pseudo-variable class such as var, shv, avp, evapi or ru,
// registered by a module. Compile is called once per reference at load time
// with the parsed reference (class, inner name, index); it validates the
// name and returns the accessor. Transformations are applied by the table,
// not by the class.
type Class struct {
	Name    string
	Module  string
	Names   []string // fixed inner names, or nil for any
	Compile func(t *Table, p *ast.PVar) (Spec, error)
	// Ext is empty for a class Kamailio 5.6 exports; otherwise its origin
	// ("Kamailio 5.7", "kamgo"), as module.Param.Ext. Writable is only
	// read for an Ext class (the catalog knows the others).
	Ext      string
	Writable bool
}

// Spec is a compiled reference. It always reads; it writes when it also
// implements Setter; it reports "defined" through Defined when it implements
// Definer (otherwise defined means "not null").
type Spec interface {
	Getter
}

// Definer is implemented by specs whose "defined" test is not "not null".
type Definer interface {
	Defined(c *event.Context) bool
}

// TransFunc applies one compiled transformation to a value.
type TransFunc func(c *event.Context, in value.Value) (value.Value, error)

// TransClass is a transformation class such as s, uri or param. Compile
// validates one `{class.op,params}` and returns the function.
type TransClass struct {
	Name    string
	Module  string
	Ops     []string
	Compile func(t *Table, tr *ast.Trans) (TransFunc, error)
	Ext     string // as Class.Ext
}

// Table holds the classes and transformations available to one loaded
// configuration (those of the loaded modules and the core).
type Table struct {
	classes map[string]*Class
	trans   map[string]*TransClass
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{classes: map[string]*Class{}, trans: map[string]*TransClass{}}
}

// AddClass registers a class; a duplicate name is an error.
func (t *Table) AddClass(c *Class) error {
	if old, ok := t.classes[c.Name]; ok {
		return fmt.Errorf("pseudo-variable class $%s registered by both %s and %s", c.Name, old.Module, c.Module)
	}
	t.classes[c.Name] = c
	return nil
}

// AddTrans registers a transformation class; a duplicate name is an error.
func (t *Table) AddTrans(c *TransClass) error {
	if old, ok := t.trans[c.Name]; ok {
		return fmt.Errorf("transformation class %s registered by both %s and %s", c.Name, old.Module, c.Module)
	}
	t.trans[c.Name] = c
	return nil
}

// Class returns the named class.
func (t *Table) Class(name string) (*Class, bool) {
	c, ok := t.classes[name]
	return c, ok
}

// ClassNames returns the registered class names, sorted.
func (t *Table) ClassNames() []string {
	out := make([]string, 0, len(t.classes))
	for n := range t.classes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TransClass returns the named transformation class.
func (t *Table) TransClass(name string) (*TransClass, bool) {
	c, ok := t.trans[name]
	return c, ok
}
