package kemi

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestDeclarations: each core function is declared once, with at most
// Kamailio's six parameters and a Call. What Kamailio has of them is
// modules/app_lua's TestKEMIAPI; what they do, its TestKSR.
func TestDeclarations(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Core() {
		if seen[f.Path()] {
			t.Errorf("%s declared twice", f.Path())
		}
		seen[f.Path()] = true
		if len(f.Params) > module.KEMIMaxParams || f.Call == nil {
			t.Errorf("%s: %d parameters, call %v", f.Path(), len(f.Params), f.Call != nil)
		}
	}
}

func call(t *testing.T, c *event.Context, path string, args ...value.Value) module.KEMIValue {
	t.Helper()
	for _, f := range Core() {
		if f.Path() == path {
			return f.Call(nil, c, args)
		}
	}
	t.Fatalf("no %s", path)
	return module.KEMIValue{}
}

// TestHeaderEdits: the hdr functions that change the message change the
// text it would be sent as, not what reads see.
func TestHeaderEdits(t *testing.T) {
	m, err := sipmsg.Parse("MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:b@x>\r\n" +
		"Subject: one\r\n two\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody")
	if err != nil {
		t.Fatal(err)
	}
	c := &event.Context{}
	sipmsg.Set(c, m)
	s := value.MakeStr
	call(t, c, "hdr.remove", s("subject"))
	call(t, c, "hdr.append_after", s("X-A: 1\r\n"), s("t"))
	call(t, c, "hdr.insert", s("X-First: 0\r\n"))
	call(t, c, "hdr.append", s("X-Last: 9\r\n"))
	want := "MESSAGE sip:b@x SIP/2.0\r\nX-First: 0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:b@x>\r\nX-A: 1\r\n" +
		"Call-ID: 1\r\nContent-Length: 4\r\nX-Last: 9\r\n\r\nbody"
	if got := m.Rebuilt(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if v := call(t, c, "hdr.get", s("Subject")); v.S != "one two" {
		t.Errorf("reads see %q", v.S)
	}
	if v := call(t, c, "hdr.is_present", s("X-A")); v.I != -1 {
		t.Errorf("an added header reads as present")
	}
}
