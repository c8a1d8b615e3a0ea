package server

import (
	"testing"

	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestFailureRouteLogPrefix: a failure route runs with its faked
// request's prefix; on a goroutine that handles a message (a reply that
// ended the transaction) the prefix is gone after the route, as Kamailio
// leaves it, and a goroutine without a message (tm's timer) has no scope
// left behind.
func TestFailureRouteLogPrefix(t *testing.T) {
	src := "log_prefix=\"{$mt $ci} \"\nloadmodule \"pv.so\"\nfailure_route[F] { return; }\n"
	s, dl := Load(parse(t, src), Options{Log: klog.New(nil, klog.Text)})
	if s == nil || dl.HasErrors() {
		t.Fatal(dl)
	}
	msg := func(raw string, w *event.Worker) *event.Context {
		m, err := sipmsg.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		c := s.AcquireContext(w)
		sipmsg.Set(c, m)
		return c
	}
	req := "INVITE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\n" +
		"To: <sip:b@x>\r\nCall-ID: req-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
	rpl := "SIP/2.0 486 Busy\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\n" +
		"To: <sip:b@x>;tag=2\r\nCall-ID: req-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"

	// A reply's goroutine: tm runs the route with the transaction's
	// Context on the reply's worker.
	w := event.NewWorker(1)
	reply := msg(rpl, w)
	s.beginMessage(reply)
	if got := s.log.Prefix(); got != "{2 req-1} " {
		t.Fatalf("reply prefix %q", got)
	}
	faked := msg(req, w)
	if _, ok := s.host.Run(faked, event.Failure("F")); !ok {
		t.Fatal("failure route did not run")
	}
	if faked.LogPrefix != "{1 req-1} " {
		t.Errorf("failure route prefix %q", faked.LogPrefix)
	}
	if got := s.log.Prefix(); got != "" {
		t.Errorf("prefix after the failure route %q, want none", got)
	}
	reply.EndLogScope()
	if w.LogScope != nil || s.log.Current() != nil {
		t.Error("the message's scope outlived it")
	}

	// The timer's goroutine, with a worker of its own.
	faked.Worker = event.NewWorker(2)
	if _, ok := s.host.Run(faked, event.Failure("F")); !ok || faked.LogPrefix != "{1 req-1} " {
		t.Errorf("failure route from a timer: prefix %q", faked.LogPrefix)
	}
	if s.log.Current() != nil || faked.Worker.LogScope != nil {
		t.Error("the timer's goroutine kept a scope")
	}

	// Another route on a goroutine with no message has none.
	s.host.Run(faked, event.Event("x:y"))
	if faked.LogPrefix != "" {
		t.Errorf("event route prefix %q", faked.LogPrefix)
	}
}

// TestHTTPLogPrefix: an HTTP request that came over a SIP listener has no
// prefix, and its pseudo-variables are not read (Kamailio's
// log_prefix_set skips what is not SIP).
func TestHTTPLogPrefix(t *testing.T) {
	src := "log_prefix=\"{$mt $ci} \"\nloadmodule \"pv.so\"\n"
	s, dl := Load(parse(t, src), Options{Log: klog.New(nil, klog.Text)})
	if s == nil || dl.HasErrors() {
		t.Fatal(dl)
	}
	m, err := sipmsg.ParseHTTP("POST /RPC HTTP/1.1\r\nVia: SIP/2.0/TCP 127.0.0.1:5070\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	s.log.SetHook(func(_ klog.Level, _, msg string) { lines = append(lines, msg) })
	c := s.AcquireContext(event.NewWorker(1))
	sipmsg.Set(c, m)
	s.beginMessage(c)
	defer c.LogScope.End()
	if p := s.log.Prefix(); p != "" || len(lines) != 0 {
		t.Errorf("prefix %q, lines %q", p, lines)
	}
}
