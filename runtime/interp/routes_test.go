package interp

import (
	"slices"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
)

// TestJoinedBlocks checks that unnamed blocks of one kind run as one
// route, in the order written, as Kamailio 5.6.3 joins them (observed:
// route[0] then two request_route blocks print "route0" and "second", and
// a return in the second ends the route), and that route(0) is
// request_route.
func TestJoinedBlocks(t *testing.T) {
	r, dl := compileTest(t, `route[0] {
	xlog("L_INFO", "route0\n");
}
request_route {
	xlog("L_INFO", "second\n");
	if ($tmsg == "stop") return;
}
request_route {
	xlog("L_INFO", "third\n");
}
onreply_route {
	xlog("L_INFO", "reply1\n");
}
onreply_route[0] {
	xlog("L_INFO", "reply2\n");
}
failure_route {
	xlog("L_INFO", "failure1\n");
}
failure_route {
	xlog("L_INFO", "failure2\n");
}
event_route[evapi:message-received] {
	route(0);
}
`, nil)
	if r == nil {
		t.Fatalf("compile: %v", dl)
	}
	run := func(target event.Target, msg string) []string {
		t.Helper()
		r.lines = nil
		c := &event.Context{Worker: r.w, Log: r.log}
		c.Reset()
		c.Set(tmsgKey, msg)
		if _, ok := r.prog.Run(c, target); !ok {
			t.Fatalf("no route for %v", target)
		}
		return r.lines
	}
	cases := []struct {
		target event.Target
		msg    string
		want   []string
	}{
		{event.Request(), "", []string{"INFO: route0", "INFO: second", "INFO: third"}},
		{event.Request(), "stop", []string{"INFO: route0", "INFO: second"}},
		{event.Event(testEvent), "", []string{"INFO: route0", "INFO: second", "INFO: third"}},
		{event.Reply(), "", []string{"INFO: reply1", "INFO: reply2"}},
		{event.OnReply("0"), "", []string{"INFO: reply1", "INFO: reply2"}},
		{event.Failure(""), "", []string{"INFO: failure1", "INFO: failure2"}},
		{event.Failure("0"), "", []string{"INFO: failure1", "INFO: failure2"}},
	}
	for _, c := range cases {
		if got := run(c.target, c.msg); !slices.Equal(got, c.want) {
			t.Errorf("%v %q: got %q, want %q", c.target, c.msg, got, c.want)
		}
	}
	want := []string{"event_route[evapi:message-received]", "failure_route", "onreply_route", "route[0]"}
	if got := r.prog.Routes(); !slices.Equal(got, want) {
		t.Errorf("Routes() = %q, want %q", got, want)
	}
}

// TestFlagBits checks that a flag declared without a bit takes the lowest
// one no name has, that two names may share a bit written explicitly, and
// that a quoted flag is a name.
func TestFlagBits(t *testing.T) {
	r, dl := compileTest(t, testPrelude+`flags FA : 0, FB : 0;
flags FC, FD : 5, FE;
route[TEST] {
	setflag("FC");
	if (isflagset(1)) xlog("L_INFO", "FC is bit 1\n");
	if (isflagset(FE)) xlog("L_INFO", "FE set\n");
}
`, nil)
	if r == nil {
		t.Fatalf("compile: %v", dl)
	}
	for name, bit := range map[string]int{"FA": 0, "FB": 0, "FC": 1, "FD": 5, "FE": 2} {
		if got, ok := r.prog.Flag(name); !ok || got != bit {
			t.Errorf("flag %s: bit %d (%v), want %d", name, got, ok, bit)
		}
	}
	r.send("x")
	if want := []string{"INFO: FC is bit 1"}; !slices.Equal(r.lines, want) {
		t.Errorf("log %q, want %q", r.lines, want)
	}
}

// TestRouteZeroWithoutRequestRoute checks that route(0), written or
// computed, runs an empty request_route when none is written: Kamailio's
// slot 0 always exists, and an empty list yields 1 (observed on 5.6.3 in
// event_route[core:worker-one-init]).
func TestRouteZeroWithoutRequestRoute(t *testing.T) {
	r, dl := compileTest(t, testPrelude+`route[TEST] {
	route(0);
	xlog("L_INFO", "rc=$rc\n");
	$var(r) = "0";
	route($var(r));
	xlog("L_INFO", "dyn rc=$rc\n");
}
`, nil)
	if r == nil {
		t.Fatalf("compile: %v", dl)
	}
	if r.prog.Has(event.Request()) {
		t.Error("Has(request_route) with no request_route block")
	}
	r.send("x")
	if want := []string{"INFO: rc=1", "INFO: dyn rc=1"}; !slices.Equal(r.lines, want) {
		t.Errorf("log %q, want %q", r.lines, want)
	}
}
