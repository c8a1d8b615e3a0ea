package cfgutils

import (
	"context"
	"testing"
	"time"

	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func newHost(t *testing.T, m *Module) *pvtest.Host {
	t.Helper()
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestCfgutils replays testdata/cfgutils.txt, recorded from Kamailio 5.6.3.
func TestCfgutils(t *testing.T) {
	pvtest.CheckFile(t, "testdata/cfgutils.txt")
}

func TestLocks(t *testing.T) {
	m := newModule()
	if err := m.SetParam("lock_set_size", value.MakeInt(2)); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, m)
	c := h.Context()
	run := func(name string) int {
		call, err := h.Call(m, name, `"k"`)
		if err != nil {
			t.Fatal(err)
		}
		return call(c)
	}
	if rc := run("lock"); rc != 1 {
		t.Errorf("lock = %d", rc)
	}
	if rc := run("trylock"); rc != -1 {
		t.Errorf("trylock on a held lock = %d, want -1", rc)
	}
	if rc := run("unlock"); rc != 1 {
		t.Errorf("unlock = %d", rc)
	}
	if rc := run("unlock"); rc != 1 {
		t.Errorf("second unlock = %d", rc)
	}
	if rc := run("trylock"); rc != 1 {
		t.Errorf("trylock on a free lock = %d", rc)
	}
}

// TestSleepStops checks that Stop wakes a sleeping worker.
func TestSleepStops(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	call, err := h.Call(m, "sleep", "3600")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() { done <- call(h.Context()) }()
	_ = m.Stop(context.Background())
	select {
	case rc := <-done:
		if rc != 1 {
			t.Errorf("rc %d", rc)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sleep did not return after Stop")
	}
}
