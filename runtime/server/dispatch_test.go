package server

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// parker is a test module whose park() detaches the running Context, as a
// transaction module suspends a transaction; mark(v) stores v in a slot of
// the Context (as AVPs and XAVPs are kept), wmark(v) in a slot of the
// worker (as $var values are), and show() logs both.
type parker struct{ parked []*event.Context }

var markKey = event.NewKey()

func (*parker) ModuleInfo() module.Info {
	return module.Info{Name: "parker", New: func() module.Module { return &parker{} }}
}

func (p *parker) Exports() module.Exports {
	return module.Exports{Funcs: []module.Func{
		{Name: "park", Compile: func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int {
				c.Detach()
				p.parked = append(p.parked, c)
				return 0
			}, nil
		}},
		{Name: "mark", MinArgs: 1, MaxArgs: 1, Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
			f, err := args[0].Str(h)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int { c.Set(markKey, f(c)); return 1 }, nil
		}},
		{Name: "wmark", MinArgs: 1, MaxArgs: 1, Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
			f, err := args[0].Str(h)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int { c.Worker.Set(markKey, f(c)); return 1 }, nil
		}},
		{Name: "show", Compile: func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int {
				v, _ := c.Get(markKey).(string)
				wv, _ := c.Worker.Get(markKey).(string)
				c.Log.Log(klog.Info, "script", "mark="+v+" worker="+wv)
				return 1
			}, nil
		}},
	}}
}

// TestDispatchEveryKind runs each kind of route block through Dispatch and
// checks the route type each one runs with.
func TestDispatchEveryKind(t *testing.T) {
	reg := module.NewRegistry()
	reg.Register(&tmod{})
	lg, lines := newLog()
	s, dl := Load(parse(t, `loadmodule "tmod.so"
modparam("tmod", "greeting", "hi ")
request_route { say("request"); }
reply_route { say("reply"); }
onsend_route { say("onsend"); }
failure_route[F] { say("failure"); }
branch_route[B] { say("branch"); }
onreply_route[R] { say("onreply"); }
route[N] { say("named"); }
event_route[test:ev] { say("event"); }
`), Options{Log: lg, Registry: reg})
	if s == nil {
		t.Fatal(dl)
	}
	w := event.NewWorker(1)
	for _, tt := range []struct {
		t    event.Target
		want routetype.Mask
	}{
		{event.Request(), routetype.Request},
		{event.Reply(), routetype.CoreOnReply},
		{event.OnSend(), routetype.OnSend},
		{event.Failure("F"), routetype.Failure},
		{event.Branch("B"), routetype.Branch},
		{event.OnReply("R"), routetype.OnReply},
		{event.Route("N", routetype.Failure), routetype.Failure},
		{event.Event("test:ev"), routetype.Event},
	} {
		var got routetype.Mask
		rc, ok := s.Dispatch(tt.t, w, func(c *event.Context) {
			c.Set(markKey, func() {}) // any slot: Dispatch must reset it
		})
		if !ok || rc != 1 {
			t.Errorf("%s: rc=%d ok=%v", tt.t, rc, ok)
		}
		// The route type is observed through a fresh run on a kept Context.
		c := s.AcquireContext(w)
		s.host.Run(c, tt.t)
		got = c.Route
		s.ReleaseContext(c)
		if got != tt.want {
			t.Errorf("%s ran with route type %s, want %s", tt.t, got, tt.want)
		}
		if s.Host().Has(tt.t) != true {
			t.Errorf("%s: Has = false", tt.t)
		}
	}
	if _, ok := s.Dispatch(event.Failure("nope"), w, nil); ok {
		t.Error("an undefined failure_route ran")
	}
	want := "request|request|reply|reply|onsend|onsend|failure|failure|branch|branch|onreply|onreply|named|named|event|event"
	if got := strings.ReplaceAll(strings.Join(*lines, "|"), "INFO: hi ", ""); got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}

// TestDetachResume suspends an event's Context in one event and resumes it
// from another on a different worker: module slots survive, $var values
// are those of the resuming worker, and a detached Context is not reused.
func TestDetachResume(t *testing.T) {
	reg := module.NewRegistry()
	reg.Register(&parker{})
	reg.Register(&tmod{})
	lg, lines := newLog()
	s, dl := Load(parse(t, `loadmodule "tmod.so"
loadmodule "parker.so"
request_route {
	wmark("first");
	mark("kept");
	park();
	say("not reached");
}
route[RESUME] {
	show();
}
event_route[test:ev] { wmark("second"); }
`), Options{Log: lg, Registry: reg})
	if s == nil {
		t.Fatal(dl)
	}
	p, _ := s.Module("parker")
	pk := p.(*parker)
	w1, w2 := event.NewWorker(1), event.NewWorker(2)
	if rc, ok := s.Dispatch(event.Request(), w1, nil); !ok || rc != 0 || len(*lines) != 0 {
		t.Fatalf("request: rc=%d ok=%v", rc, ok)
	}
	if len(pk.parked) != 1 || !pk.parked[0].Detached() || pk.parked[0].Worker != nil {
		t.Fatalf("not parked: %v", pk.parked)
	}
	c := pk.parked[0]
	// Other events run meanwhile and must not get the parked Context.
	for i := 0; i < 3; i++ {
		s.Dispatch(event.Event("test:ev"), w2, func(x *event.Context) {
			if x == c {
				t.Error("a detached Context was handed out again")
			}
		})
	}
	if rc, ok := s.Resume(c, event.Route("RESUME", routetype.Request), w2); !ok || rc != 1 {
		t.Fatalf("resume: rc=%d ok=%v", rc, ok)
	}
	got := strings.Join(*lines, "|")
	if got != "INFO: mark=kept worker=second" {
		t.Errorf("log %q", got)
	}
	if c.Detached() {
		t.Error("still detached after Resume")
	}
}

// TestCoreWorkers checks that the core pool has `children` workers.
func TestCoreWorkers(t *testing.T) {
	reg := module.NewRegistry()
	for _, tt := range []struct {
		cfg  string
		want int
	}{
		{"request_route { exit; }\n", DefaultChildren},
		{"children=3\nrequest_route { exit; }\n", 3},
	} {
		s, dl := Load(parse(t, tt.cfg), Options{Registry: reg})
		if s == nil {
			t.Fatal(dl)
		}
		if n := s.Workers().Size(); n != tt.want || s.Host().Workers() != s.Workers() {
			t.Errorf("%q: %d workers, want %d", tt.cfg, n, tt.want)
		}
	}
}

// TestAbort checks that a module's Abort reaches the server's owner once,
// with the first reason.
func TestAbort(t *testing.T) {
	s, dl := Load(parse(t, "request_route { exit; }\n"), Options{Registry: module.NewRegistry()})
	if s == nil {
		t.Fatal(dl)
	}
	ab, ok := s.Host().(module.Aborter)
	if !ok {
		t.Fatal("the host cannot abort")
	}
	select {
	case r := <-s.Aborted():
		t.Fatalf("aborted before Abort: %q", r)
	default:
	}
	ab.Abort("first")
	ab.Abort("second")
	if r := <-s.Aborted(); r != "first" {
		t.Errorf("reason %q", r)
	}
	select {
	case r := <-s.Aborted():
		t.Errorf("a second reason: %q", r)
	default:
	}
}
