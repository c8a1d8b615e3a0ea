package textops

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"

	_ "github.com/kamgo/kamgo/modules/pv"
)

// testRequest is the message the function tests run on.
const testRequest = "INVITE sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport\r\n" +
	"From: <sip:alice@example.com>;tag=1\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"Call-ID: c1\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Content-Type: text/plain\r\n" +
	"Content-Length: 5\r\n\r\n" +
	"hello"

// fixture is a provisioned textops module on a test host with pv's
// classes ($var), and a request in an event context.
type fixture struct {
	t   *testing.T
	h   *pvtest.Host
	m   *Module
	c   *event.Context
	msg *sipmsg.Msg
}

func newFixture(t *testing.T, text string) *fixture {
	t.Helper()
	info, ok := module.Lookup("pv")
	if !ok {
		t.Fatal("pv not registered")
	}
	m := &Module{}
	h, err := pvtest.NewHost(m, info.New())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	msg := siptest.Parse(t, text)
	sipmsg.Set(c, msg)
	return &fixture{t: t, h: h, m: m, c: c, msg: msg}
}

// call compiles fn with the argument texts (pvtest.Host.Args) and runs
// it on the fixture's event.
func (f *fixture) call(fn string, args ...string) int {
	f.t.Helper()
	call, err := f.h.Call(f.m, fn, args...)
	if err != nil {
		f.t.Fatalf("%s%q: %v", fn, args, err)
	}
	return call(f.c)
}

// set assigns a $var for the arguments that read one.
func (f *fixture) set(name, val string) {
	f.t.Helper()
	r, err := f.h.Ref("$var(" + name + ")")
	if err != nil {
		f.t.Fatal(err)
	}
	if err := r.Set(f.c, value.MakeStr(val)); err != nil {
		f.t.Fatal(err)
	}
}

// setInt assigns an integer $var.
func (f *fixture) setInt(name string, n int64) {
	f.t.Helper()
	r, err := f.h.Ref("$var(" + name + ")")
	if err != nil {
		f.t.Fatal(err)
	}
	if err := r.Set(f.c, value.MakeInt(n)); err != nil {
		f.t.Fatal(err)
	}
}

// get reads a $var as a string ("<null>" when unset).
func (f *fixture) get(name string) string {
	f.t.Helper()
	r, err := f.h.Ref("$var(" + name + ")")
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Get(f.c).String()
}
