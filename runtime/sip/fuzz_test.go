package sip

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// FuzzReceive feeds datagrams to the SIP entry point (receive), whose
// routes build what kamgo sends: a local reply to each request and the
// request as forwarded, and each reply as forwarded. Nothing may panic;
// whatever is routed parsed, and what is built from it parses again.
// The seeds are the messages sipp's uac and uas scenarios exchange, in
// testdata/sipp.
func FuzzReceive(f *testing.F) {
	seeds, err := filepath.Glob("testdata/sipp/*.sip")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	r := newRouter(1)
	t, err := New(Config{Log: klog.New(nil, klog.Text)}, r)
	if err != nil {
		f.Fatal(err)
	}
	s := &socket{info: &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 5060}}
	var fail func(format string, args ...any)
	r.on(ast.Request, func(c *event.Context) int {
		m := sipmsg.FromContext(c)
		checkSpans(m, fail)
		rpl := BuildReply(m, Reply{Code: 200, Reason: "OK", ToTag: "t", Server: DefaultServerHeader})
		if _, err := sipmsg.Parse(rpl); err != nil {
			fail("reply does not parse: %v\n%q", err, rpl)
		}
		br, err := statelessBranch(m)
		if err != nil {
			return 1
		}
		fwd := t.buildRequest(m, s, sipmsg.ProtoUDP, br, false)
		if _, err := sipmsg.Parse(fwd); err != nil {
			fail("forwarded request does not parse: %v\n%q", err, fwd)
		}
		return 1
	})
	r.on(ast.Reply, func(c *event.Context) int {
		m := sipmsg.FromContext(c)
		checkSpans(m, fail)
		if v1, v2 := topVias(m); v1 != nil && v2 != nil && v1.err == nil && v2.err == nil {
			out := m.Build(removeVia(m, v1, v2))
			if _, err := sipmsg.Parse(out); err != nil {
				fail("forwarded reply does not parse: %v\n%q", err, out)
			}
		}
		return 0
	})
	f.Fuzz(func(tt *testing.T, data []byte) {
		fail = tt.Fatalf
		t.receive(0, string(data), s, sipmsg.Addr{IP: "127.0.0.1", Port: 5080}, nil)
	})
}

// checkSpans checks that every header's span is inside the text and its
// value where At says.
func checkSpans(m *sipmsg.Msg, fail func(string, ...any)) {
	for _, h := range m.Headers {
		if h.Start < 0 || h.End > len(m.Buf) || h.Start >= h.End {
			fail("header %+v outside the message", h)
		}
		if h.At >= 0 && m.Buf[h.At:h.At+len(h.Value)] != h.Value {
			fail("header %+v: value not at %d", h, h.At)
		}
	}
}
