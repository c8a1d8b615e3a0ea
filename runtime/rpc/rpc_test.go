package rpc

import (
	"context"
	"testing"
)

func TestCallScansAndConverts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  []*Value
		convert bool
		want    string // the reply, or the fault
	}{
		{"strings", []*Value{NewStr("a"), NewInt(7)}, true, "a 7"},
		{"no conversion", []*Value{NewInt(7), NewInt(7)}, false, "fault 400 Invalid Parameter Type"},
		{"missing", []*Value{NewStr("a")}, true, "fault 400 Missing Parameter: integer"},
		{"digits", []*Value{NewStr("a"), NewStr(" 42 ")}, true, "a 42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry()
			if err := r.Register(Command{Name: "t.scan", Handler: func(_ context.Context, c *Call) {
				s, ok := c.NextStr()
				if !ok {
					return
				}
				n, ok := c.NextInt()
				if !ok {
					return
				}
				c.Printf("%s %d", s, n)
			}}); err != nil {
				t.Fatal(err)
			}
			c := &Call{Method: "t.scan", Params: tc.params, Convert: tc.convert}
			if !r.Run(context.Background(), c) {
				t.Fatal("not found")
			}
			got := ""
			if vals, f := c.Reply(); f != nil {
				got = "fault " + f.Error()
			} else if len(vals) == 1 {
				got = vals[0].String()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	h := func(_ context.Context, c *Call) {
		c.AddStruct().Set("a", NewInt(1)).Set("b", NewArray().Append(NewStr("x"), NewBool(true)))
	}
	if err := r.Register(Command{Name: "b.two", Handler: h}, Command{Name: "a.one", Handler: h}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(Command{Name: "a.one", Handler: h}); err == nil {
		t.Error("a name registered twice was accepted")
	}
	if got := r.Names(); len(got) != 2 || got[0] != "a.one" || got[1] != "b.two" {
		t.Errorf("Names() = %q", got)
	}
	if r.Run(context.Background(), &Call{Method: "no.such"}) {
		t.Error("an unknown method ran")
	}
	c := &Call{Method: "a.one"}
	r.Run(context.Background(), c)
	vals, f := c.Reply()
	if f != nil || len(vals) != 1 || vals[0].String() != "{a: 1, b: [x, 1]}" {
		t.Errorf("reply %v %v", vals, f)
	}
}

func TestPanickingHandlerFaults(t *testing.T) {
	r := NewRegistry()
	_ = r.Register(Command{Name: "x.boom", Handler: func(context.Context, *Call) { panic("boom") }})
	c := &Call{Method: "x.boom"}
	r.Run(context.Background(), c)
	if _, f := c.Reply(); f == nil || f.Code != CodeInternal {
		t.Errorf("fault = %v", f)
	}
}

func TestFirstFaultWins(t *testing.T) {
	c := &Call{}
	c.Add(NewInt(1))
	c.Fault(404, "first")
	c.Fault(500, "second")
	if vals, f := c.Reply(); vals != nil || f.Text != "first" {
		t.Errorf("got %v %v", vals, f)
	}
}

func TestUintIsAnInt(t *testing.T) {
	v := NewUint(4294967295)
	if v.Kind != Int || !v.Unsigned || v.Int != 4294967295 || v.String() != "4294967295" {
		t.Fatalf("NewUint(max) = %+v (%s)", v, v)
	}
	if NewInt(-1).Unsigned {
		t.Fatal("NewInt is signed")
	}
}
