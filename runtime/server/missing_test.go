package server

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// TestAllowMissing checks what --allow-missing covers for a module kamgo
// does not implement: its functions are no-ops returning 1, its
// parameters are ignored, and its pseudo-variables read as <null> with
// one warning.
func TestAllowMissing(t *testing.T) {
	src := `loadmodule "tmod.so"
loadmodule "tm.so"
loadmodule "tmx.so"
modparam("tm", "fr_timer", 3000)
modparam("tmod", "greeting", "")
event_route[test:ev] {
	t_relay();
	say("id=$T(id_index) rc=$rc");
}
`
	// Without it: one error per missing module, naming its uses.
	_, dl := Load(parse(t, src), Options{Registry: testModules})
	var got []string
	for _, d := range dl {
		var rel []string
		for _, r := range d.Related {
			rel = append(rel, r.Message)
		}
		got = append(got, d.Code+" "+d.Summary+" ["+strings.Join(rel, ", ")+"]")
	}
	want := []string{
		CodeUnknownModule + " module tm is not implemented by kamgo [t_relay() used here]",
		CodeUnknownModule + " module tmx is not implemented by kamgo [$T used here]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var warnings []string
	lg, lines := newLog()
	lg.SetHook(func(lv klog.Level, origin, msg string) {
		switch {
		case origin == "script":
			*lines = append(*lines, msg)
		case lv == klog.Warn:
			warnings = append(warnings, msg)
		}
	})
	s, dl := Load(parse(t, src), Options{Log: lg, Registry: testModules, AllowMissing: []string{"tm", "tmx"}})
	if s == nil {
		t.Fatal(dl)
	}
	w := event.NewWorker(1)
	for i := 0; i < 2; i++ {
		if rc, ok := s.Dispatch(event.Event("test:ev"), w, nil); !ok || rc != 1 {
			t.Fatalf("rc=%d ok=%v", rc, ok)
		}
	}
	if got := strings.Join(*lines, "|"); got != "id=<null> rc=1|id=<null> rc=1" {
		t.Errorf("script log %q", got)
	}
	want = []string{
		"t_relay() at t.cfg:7 is a no-op: module tm is not implemented",
		"$T of module tmx is not implemented by kamgo: it reads as <null>",
	}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
}

// TestNotImplementedInModule checks that a function and a
// pseudo-variable Kamailio's module has and kamgo's does not are load
// errors naming them, not "unknown function".
func TestNotImplementedInModule(t *testing.T) {
	reg := module.NewRegistry()
	reg.Register(&tmod{})
	reg.Register(partialPV{})
	_, dl := Load(parse(t, `loadmodule "tmod.so"
loadmodule "pv.so"
event_route[test:ev] {
	xavp_rm("a");
	say("$cnt($avp(x))");
}
`), Options{Registry: reg})
	var got []string
	for _, d := range dl {
		got = append(got, d.Code+" "+d.Summary)
	}
	want := []string{
		interp.CodeNotImplemented + " pv.xavp_rm is not implemented by kamgo",
		interp.CodeNotImplemented + " $cnt (module pv) is not implemented by kamgo",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// partialPV stands for a pv module that implements nothing.
type partialPV struct{}

func (partialPV) ModuleInfo() module.Info {
	return module.Info{Name: "pv", New: func() module.Module { return partialPV{} }}
}
