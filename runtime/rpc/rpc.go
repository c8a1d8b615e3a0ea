// Package rpc owns kamgo's management interface as Kamailio's RPC layer
// defines it: commands named "group.command" that modules and the core
// register, the typed parameters a call brings, and the reply a handler
// builds (a sequence of integers, doubles, strings, booleans, structures
// and arrays, or a fault with a code). It knows no transport: ctl (binrpc,
// kamcmd's protocol) and jsonrpcs (JSON-RPC 2.0 over a FIFO, a datagram
// socket or HTTP) decode requests into a Call, run it here and encode its
// reply in their own format.
package rpc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of values, as Kamailio's rpc_t formats carry them: 'd' and
// 'u' (Int; an Int with Unsigned set is a 'u'), 'f' (Double), 's' and 'S'
// (Str), 'b' (Bool), '{' (Struct), '[' (Array). Null is a JSON null a
// transport received.
const (
	Null Kind = iota
	Int
	Double
	Str
	Bool
	Struct
	Array
)

// Value is a parameter or a reply value. Structures and arrays are built
// in place after they are added to a reply, as Kamailio's handlers do.
type Value struct {
	Kind    Kind
	Int     int64
	Double  float64
	Str     string
	Bool    bool
	Members []Member // Struct, in insertion order; names may repeat
	Items   []*Value // Array
	// Names are the names array items were added with (AppendNamed),
	// parallel to Items; nil when none has one. Kamailio's handlers add
	// named members to some arrays (core.sockets_list): binrpc sends
	// the names, JSON drops them.
	Names []string
	// Printed marks a string made by Call.Printf (Kamailio's
	// rpc->rpl_printf), which ctl formats into a buffer of
	// binrpc_buffer_size bytes.
	Printed bool
	// Unsigned marks an Int added as a C unsigned int (format 'u'); Int
	// then holds 0 to 4294967295. The transports differ on it: JSON-RPC
	// sends the unsigned number, binrpc a signed 32-bit integer (all bits
	// set reads -1 in kamcmd). It is an Int otherwise, so code that knows
	// only the kinds reads it as the number it is.
	Unsigned bool
}

// Member is one named member of a structure.
type Member struct {
	Name  string
	Value *Value
}

// NewInt, NewDouble, NewStr, NewBool, NewStruct and NewArray make values.
func NewInt(n int64) *Value      { return &Value{Kind: Int, Int: n} }
func NewDouble(f float64) *Value { return &Value{Kind: Double, Double: f} }
func NewStr(s string) *Value     { return &Value{Kind: Str, Str: s} }
func NewBool(b bool) *Value      { return &Value{Kind: Bool, Bool: b} }
func NewStruct() *Value          { return &Value{Kind: Struct} }
func NewArray() *Value           { return &Value{Kind: Array} }

// NewUint makes an unsigned integer ('u').
func NewUint(n uint32) *Value { return &Value{Kind: Int, Int: int64(n), Unsigned: true} }

// Set appends a member to a structure and returns the structure.
func (v *Value) Set(name string, m *Value) *Value {
	v.Members = append(v.Members, Member{Name: name, Value: m})
	return v
}

// Append appends an item to an array and returns the array.
func (v *Value) Append(items ...*Value) *Value {
	v.Items = append(v.Items, items...)
	if v.Names != nil {
		v.Names = append(v.Names, make([]string, len(items))...)
	}
	return v
}

// AppendNamed appends an item added with a name to an array and
// returns the array.
func (v *Value) AppendNamed(name string, item *Value) *Value {
	if v.Names == nil {
		v.Names = make([]string, len(v.Items))
	}
	v.Items = append(v.Items, item)
	v.Names = append(v.Names, name)
	return v
}

// ItemName returns the name item i of an array was added with, "" when
// none.
func (v *Value) ItemName(i int) string {
	if i < 0 || i >= len(v.Names) {
		return ""
	}
	return v.Names[i]
}

// Get returns the first member named name of a structure.
func (v *Value) Get(name string) (*Value, bool) {
	for _, m := range v.Members {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// String is the value as text: numbers in decimal, booleans as 1 and 0,
// structures and arrays in a compact JSON-like form (for logs and tests).
func (v *Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v *Value) write(b *strings.Builder) {
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Int:
		b.WriteString(strconv.FormatInt(v.Int, 10))
	case Double:
		b.WriteString(strconv.FormatFloat(v.Double, 'f', -1, 64))
	case Str:
		b.WriteString(v.Str)
	case Bool:
		if v.Bool {
			b.WriteString("1")
		} else {
			b.WriteString("0")
		}
	case Struct:
		b.WriteByte('{')
		for i, m := range v.Members {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.Name)
			b.WriteString(": ")
			m.Value.write(b)
		}
		b.WriteByte('}')
	case Array:
		b.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if n := v.ItemName(i); n != "" {
				b.WriteString(n)
				b.WriteString(": ")
			}
			it.write(b)
		}
		b.WriteByte(']')
	}
}

// Fault is an error reply: Kamailio's rpc->fault(ctx, code, text).
type Fault struct {
	Code int
	Text string
}

func (f *Fault) Error() string { return strconv.Itoa(f.Code) + " " + f.Text }

// The fault codes Kamailio's handlers use most.
const (
	CodeBadRequest = 400 // a missing or malformed parameter
	CodeNotFound   = 404
	CodeInternal   = 500
)

// Call is one request: its method, its parameters, and the reply the
// handler builds.
type Call struct {
	Method string
	Params []*Value
	// Convert lets a parameter of one kind be read as another (a number
	// as a string, digits as a number), as jsonrpcs always does and ctl
	// does with its autoconversion parameter.
	Convert bool
	// Scan, when not nil, reads parameters in place of Convert's rules,
	// for a transport that keeps its Kamailio module's rpc->scan rules
	// (ctl's binrpc, jsonrpcs). It gets the parameter's index, the parameter (nil
	// when there is none), the kind wanted (Str or Int) and Convert, and
	// returns the value read or the text of a 400 fault. A failed read
	// leaves a pending fault, as Kamailio's binrpc does: it is the reply
	// only when the handler adds no value and makes no fault of its own,
	// and the next read clears it.
	Scan func(idx int, v *Value, want Kind, convert bool) (out *Value, fault string)

	reply   []*Value
	fault   *Fault
	pending *Fault // a failed Scan read
	next    int    // the next parameter Next* reads
}

// Add appends values to the reply.
func (c *Call) Add(vs ...*Value) {
	c.reply = append(c.reply, vs...)
}

// AddStruct appends a new structure to the reply and returns it.
func (c *Call) AddStruct() *Value {
	s := NewStruct()
	c.reply = append(c.reply, s)
	return s
}

// AddArray appends a new array to the reply and returns it.
func (c *Call) AddArray() *Value {
	a := NewArray()
	c.reply = append(c.reply, a)
	return a
}

// Printf appends a formatted string to the reply (rpc->rpl_printf).
func (c *Call) Printf(format string, args ...any) {
	v := NewStr(fmt.Sprintf(format, args...))
	v.Printed = true
	c.Add(v)
}

// Fault makes the reply a fault; the first fault wins, and values added
// before or after it are not sent.
func (c *Call) Fault(code int, format string, args ...any) {
	if c.fault == nil {
		c.fault = &Fault{Code: code, Text: fmt.Sprintf(format, args...)}
	}
}

// Reply returns the values added, or the fault.
func (c *Call) Reply() ([]*Value, *Fault) {
	if c.fault != nil {
		return nil, c.fault
	}
	if c.pending != nil && len(c.reply) == 0 {
		return nil, c.pending
	}
	return c.reply, nil
}

// scan reads the next parameter through c.Scan.
func (c *Call) scan(want Kind) (*Value, bool) {
	c.pending = nil
	var v *Value
	if c.next < len(c.Params) {
		v = c.Params[c.next]
	}
	out, text := c.Scan(c.next, v, want, c.Convert)
	if out == nil || out.Kind != want {
		c.pending = &Fault{Code: CodeBadRequest, Text: text}
		return nil, false
	}
	c.next++
	return out, true
}

// Remaining is the number of parameters Next* has not read.
func (c *Call) Remaining() int { return len(c.Params) - c.next }

// Param returns parameter i (from 0), nil when there are fewer.
func (c *Call) Param(i int) *Value {
	if i < 0 || i >= len(c.Params) {
		return nil
	}
	return c.Params[i]
}

// NextStr reads the next parameter as a string. A missing parameter or
// one of another kind (unless Convert) faults the call with Kamailio's
// wording and returns ok false.
func (c *Call) NextStr() (string, bool) {
	if c.Scan != nil {
		v, ok := c.scan(Str)
		if !ok {
			return "", false
		}
		return v.Str, true
	}
	v, ok := c.take("string")
	if !ok {
		return "", false
	}
	switch {
	case v.Kind == Str:
		return v.Str, true
	case c.Convert && v.Kind == Int:
		return strconv.FormatInt(v.Int, 10), true
	case c.Convert && v.Kind == Double:
		return strconv.FormatFloat(v.Double, 'f', -1, 64), true
	}
	c.Fault(CodeBadRequest, "Invalid Parameter Type")
	return "", false
}

// NextInt reads the next parameter as an integer, as NextStr does.
func (c *Call) NextInt() (int64, bool) {
	if c.Scan != nil {
		v, ok := c.scan(Int)
		if !ok {
			return 0, false
		}
		return v.Int, true
	}
	v, ok := c.take("integer")
	if !ok {
		return 0, false
	}
	switch {
	case v.Kind == Int:
		return v.Int, true
	case v.Kind == Bool:
		return map[bool]int64{true: 1, false: 0}[v.Bool], true
	case c.Convert && v.Kind == Double:
		return int64(v.Double), true
	case c.Convert && v.Kind == Str:
		if n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 64); err == nil {
			return n, true
		}
	}
	c.Fault(CodeBadRequest, "Invalid Parameter Type")
	return 0, false
}

// OptStr reads the next parameter as a string when there is one; ok is
// false when there is none or it is of another kind (then the call has
// faulted).
func (c *Call) OptStr() (s string, present, ok bool) {
	if c.Remaining() == 0 {
		return "", false, true
	}
	s, ok = c.NextStr()
	return s, true, ok
}

// OptInt is OptStr for an integer.
func (c *Call) OptInt() (n int64, present, ok bool) {
	if c.Remaining() == 0 {
		return 0, false, true
	}
	n, ok = c.NextInt()
	return n, true, ok
}

func (c *Call) take(what string) (*Value, bool) {
	if c.next >= len(c.Params) {
		c.Fault(CodeBadRequest, "Missing Parameter: %s", what)
		return nil, false
	}
	v := c.Params[c.next]
	c.next++
	return v, true
}

// Handler runs a call; it reports through c.
type Handler func(ctx context.Context, c *Call)

// Command is one RPC command.
type Command struct {
	Name    string // "group.command"
	Doc     string // one line, what system.methodHelp answers
	Handler Handler
	// Array marks commands whose reply is one value per item (Kamailio's
	// RET_ARRAY flag): jsonrpcs sends them as an array even with one item.
	Array bool
}

// Provider is implemented by module instances that offer RPC commands.
type Provider interface {
	RPC() []Command
}

// Registry holds the commands of a server. It is safe for concurrent use.
type Registry struct {
	mu   sync.RWMutex
	cmds map[string]*Command
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{cmds: map[string]*Command{}} }

// Register adds commands; a name registered twice is an error, as in
// Kamailio's rpc_register.
func (r *Registry) Register(cmds ...Command) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range cmds {
		c := cmds[i]
		if c.Name == "" || c.Handler == nil {
			return fmt.Errorf("rpc: command %q without name or handler", c.Name)
		}
		if _, dup := r.cmds[c.Name]; dup {
			return fmt.Errorf("rpc: command %s registered twice", c.Name)
		}
		r.cmds[c.Name] = &c
	}
	return nil
}

// Lookup returns the command named name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.cmds[name]
	return c, ok
}

// Names returns the registered command names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.cmds))
	for n := range r.cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run runs call c; ok is false when no command has that name (the
// transport answers in its own words then).
func (r *Registry) Run(ctx context.Context, c *Call) (ok bool) {
	cmd, found := r.Lookup(c.Method)
	if !found {
		return false
	}
	defer func() {
		// A handler's bug faults its call; the server keeps serving.
		if p := recover(); p != nil {
			c.fault = &Fault{Code: CodeInternal, Text: fmt.Sprintf("internal error in %s: %v", c.Method, p)}
		}
	}()
	cmd.Handler(ctx, c)
	return true
}

// Host is implemented by module hosts that serve RPC: transports find the
// registry through it.
type Host interface {
	RPC() *Registry
}
