package pv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// Ref is a compiled pseudo-variable reference: the class accessor followed
// by its transformations.
type Ref struct {
	Node  *ast.PVar
	spec  Spec
	trans []TransFunc
}

// CompileError is a load-time error about a pseudo-variable, with its place.
type CompileError struct {
	Node *ast.PVar
	Msg  string
}

func (e *CompileError) Error() string { return e.Msg }

// Compile resolves p against the table.
func (t *Table) Compile(p *ast.PVar) (*Ref, error) {
	c, ok := t.classes[p.Class]
	if !ok {
		return nil, &CompileError{p, fmt.Sprintf("unknown pseudo-variable class $%s", p.Class)}
	}
	if c.Names != nil && p.Name != nil && p.Name.Dyn == nil {
		found := false
		for _, n := range c.Names {
			if n == p.Name.Text {
				found = true
				break
			}
		}
		if !found {
			return nil, &CompileError{p, fmt.Sprintf("unknown name %q for $%s (one of: %s)", p.Name.Text, p.Class, strings.Join(c.Names, ", "))}
		}
	}
	spec, err := c.Compile(t, p)
	if err != nil {
		switch err.(type) {
		case *CompileError, *NotImplementedError:
			return nil, err
		}
		return nil, &CompileError{p, fmt.Sprintf("$%s: %v", p.Class, err)}
	}
	r := &Ref{Node: p, spec: spec}
	for _, tr := range p.Trans {
		tc, ok := t.trans[tr.Class]
		if !ok {
			return nil, &CompileError{p, fmt.Sprintf("unknown transformation class {%s.%s}", tr.Class, tr.Op)}
		}
		f, err := tc.Compile(t, tr)
		if err != nil {
			return nil, &CompileError{p, fmt.Sprintf("transformation {%s.%s}: %v", tr.Class, tr.Op, err)}
		}
		r.trans = append(r.trans, f)
	}
	return r, nil
}

// Get reads the reference and applies its transformations. A failing
// transformation yields null, as in Kamailio, and is logged.
func (r *Ref) Get(c *event.Context) value.Value {
	v, _ := r.Lookup(c)
	return v
}

// Lookup is Get that also reports whether the transformations succeeded.
// A format string prints nothing for a failed reference (Kamailio's
// pv_printf skips it), while Get's null prints as "<null>".
func (r *Ref) Lookup(c *event.Context) (value.Value, bool) {
	v := r.spec.Get(c)
	for _, f := range r.trans {
		var err error
		v, err = f(c, v)
		if err != nil {
			if c.Log != nil && err != ErrTransNull {
				c.Log.Logf(-1, "core", "transformation failed on %s: %v", r.Node.Text, err)
			}
			return value.NullValue, false
		}
	}
	return v, true
}

// ErrTransNull is returned by transformations given a null value; Kamailio
// fails them without logging.
var ErrTransNull = errors.New("transformation of a null value")

// Defined reports whether the reference is defined (for `defined $x` and
// comparisons with $null).
func (r *Ref) Defined(c *event.Context) bool {
	if d, ok := r.spec.(Definer); ok && len(r.trans) == 0 {
		return d.Defined(c)
	}
	return !r.Get(c).IsNull()
}

// Writable reports whether the reference can be assigned.
func (r *Ref) Writable() bool {
	_, ok := r.spec.(Setter)
	return ok && len(r.trans) == 0
}

// Set writes the reference.
func (r *Ref) Set(c *event.Context, v value.Value) error {
	s, ok := r.spec.(Setter)
	if !ok || len(r.trans) != 0 {
		return fmt.Errorf("%s is read-only", r.Node.Text)
	}
	return s.Set(c, v)
}

// Format is a compiled format string: literal text and references.
type Format struct {
	parts []formatPart
	lit   string // the whole text when constant
	Const bool
}

type formatPart struct {
	lit string
	ref *Ref
}

// CompileFormat compiles a parsed format string.
func (t *Table) CompileFormat(f *ast.Format) (*Format, error) {
	out := &Format{Const: true}
	for _, p := range f.Parts {
		if p.PV == nil {
			out.parts = append(out.parts, formatPart{lit: p.Lit})
			out.lit += p.Lit
			continue
		}
		r, err := t.Compile(p.PV)
		if err != nil {
			return nil, err
		}
		out.Const = false
		out.parts = append(out.parts, formatPart{ref: r})
	}
	return out, nil
}

// ConstFormat returns a format that always yields s.
func ConstFormat(s string) *Format {
	return &Format{parts: []formatPart{{lit: s}}, lit: s, Const: true}
}

// Append evaluates the format, appending to buf. Null values print as
// "<null>", as Kamailio's format printer does.
func (f *Format) Append(c *event.Context, buf []byte) []byte {
	if f.Const {
		return append(buf, f.lit...)
	}
	for _, p := range f.parts {
		if p.ref == nil {
			buf = append(buf, p.lit...)
			continue
		}
		v, ok := p.ref.Lookup(c)
		if !ok {
			continue
		}
		switch v.K {
		case value.Str:
			buf = append(buf, v.S...)
		case value.Int:
			buf = strconv.AppendInt(buf, v.I, 10)
		default:
			buf = append(buf, v.String()...)
		}
	}
	return buf
}

// String evaluates the format.
func (f *Format) String(c *event.Context) string {
	if f.Const {
		return f.lit
	}
	if len(f.parts) == 1 && f.parts[0].ref != nil {
		// A lone pseudo-variable ("$evapi(msg)") is its value's text: no
		// copy to make.
		v, ok := f.parts[0].ref.Lookup(c)
		if !ok {
			return ""
		}
		return v.String()
	}
	return string(f.Append(c, nil))
}
