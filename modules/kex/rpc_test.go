package kex

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// stackHere returns the stack of its caller's call to it and the line of
// that call.
func stackHere() ([32]uintptr, int) {
	var pcs [32]uintptr
	runtime.Callers(2, pcs[:])
	_, _, line, _ := runtime.Caller(1)
	return pcs, line
}

// record is a profile record of one object of 1e9 bytes still in use
// (so large that sampling does not scale it), allocated at stack.
func record(stack [32]uintptr) runtime.MemProfileRecord {
	return runtime.MemProfileRecord{AllocBytes: 2e9, FreeBytes: 1e9, AllocObjects: 2, FreeObjects: 1, Stack0: stack}
}

func runMem(t *testing.T, method string, params ...string) string {
	t.Helper()
	reg := rpc.NewRegistry()
	if err := reg.Register(new(Module).modRPC()...); err != nil {
		t.Fatal(err)
	}
	c := &rpc.Call{Method: method}
	for _, p := range params {
		c.Params = append(c.Params, rpc.NewStr(p))
	}
	if !reg.Run(context.Background(), c) {
		t.Fatalf("%s not registered", method)
	}
	vals, f := c.Reply()
	if f != nil {
		return "fault " + f.Error()
	}
	var out []string
	for _, v := range vals {
		out = append(out, "<"+v.String()+">")
	}
	return strings.Join(out, " ")
}

// TestModMemStats runs mod.stats, mod.mem_stats and mod.mem_statsx on a
// made-up heap profile: one site in kex's code, one with no kamgo frame.
func TestModMemStats(t *testing.T) {
	kexStack, line := stackHere()
	// A stack of the frame that called this test (testing's): no kamgo
	// code in it.
	var coreStack [32]uintptr
	for _, pc := range kexStack {
		if pc != 0 && !strings.HasPrefix(runtime.FuncForPC(pc-1).Name(), kamgoPath) {
			coreStack[0] = pc
			break
		}
	}
	if coreStack[0] == 0 {
		t.Fatal("no frame outside kamgo on the test's stack")
	}
	_, coreKey := allocSite(coreStack[:1])
	real := heapProfile
	t.Cleanup(func() { heapProfile = real })
	heapProfile = func() []runtime.MemProfileRecord {
		return []runtime.MemProfileRecord{record(kexStack), record(kexStack), record(coreStack)}
	}
	kexSite := fmt.Sprintf("TestModMemStats(%d)", line)
	kexAll := "<Module: kex> <{" + kexSite + ": 2000000000, Total: 2000000000}> <>"
	coreAll := "<Module: core> <{" + coreKey + ": 1000000000, Total: 1000000000}> <>"
	for _, tc := range []struct {
		method string
		params []string
		want   string
	}{
		{"mod.stats", nil, `fault 500 Module name or "all" needed`},
		{"mod.stats", []string{"kex"}, `fault 500 "pkg" or "shm" or "all" needed`},
		{"mod.stats", []string{"kex", "shm"}, kexAll},
		{"mod.mem_stats", []string{"kex", "all"}, kexAll},
		{"mod.stats", []string{"kex", "pkg"}, "<Module: kex> <>"},
		{"mod.stats", []string{"kex", "nothing"}, "<Module: kex> <>"},
		{"mod.stats", []string{"tm", "shm"}, "<Module: tm> <{Total: 0}> <>"},
		{"mod.stats", []string{"all", "shm"}, coreAll + " " + kexAll},
		{"mod.stats", []string{"all", "pkg"}, "<Module: core> <> <Module: kex> <>"},
		{"mod.mem_statsx", []string{"kex", "shm"}, "<Module: kex> <{" + kexSite + ": 2000000000 (2), Total: 2000000000}> <>"},
	} {
		if got := runMem(t, tc.method, tc.params...); got != tc.want {
			t.Errorf("%s %q:\n got  %s\n want %s", tc.method, tc.params, got, tc.want)
		}
	}
}

// TestModMemStatsLive reads the process's own heap profile after this
// test allocated 8 MiB it still holds: an allocation that size is always
// sampled, and shows under kex (this package) at this function.
func TestModMemStatsLive(t *testing.T) {
	held := make([]byte, 8<<20)
	_, _, line, _ := runtime.Caller(0)
	// The profile is published by garbage collections, up to two late.
	runtime.GC()
	runtime.GC()
	got := runMem(t, "mod.stats", "kex", "shm")
	runtime.KeepAlive(held)
	want := fmt.Sprintf("TestModMemStatsLive(%d): ", line-1)
	if !strings.HasPrefix(got, "<Module: kex> <{") || !strings.Contains(got, want) || !strings.HasSuffix(got, "<>") {
		t.Errorf("mod.stats kex shm = %.300s, want %s...", got, want)
	}
}

func TestModuleOf(t *testing.T) {
	for fn, want := range map[string]string{
		kamgoPath + "modules/tm.(*txn).start":          "tm",
		kamgoPath + "modules/evapi.newClient":          "evapi",
		kamgoPath + "modules/internal/netstring.Read":  "core",
		kamgoPath + "runtime/sip.(*Transport).receive": "core",
		kamgoPath + "modules/app_lua/sub.f":            "app_lua",
	} {
		if got := moduleOf(fn); got != want {
			t.Errorf("moduleOf(%q) = %q, want %q", fn, got, want)
		}
	}
}

// TestScaleSample: pprof's estimate of what a sample stands for.
func TestScaleSample(t *testing.T) {
	for _, tc := range []struct {
		bytes, count, allocBytes, allocObjects, rate int64
		wantBytes, wantCount                         int64
	}{
		{100, 1, 100, 1, 0, 100, 1},                     // sampling off: every allocation recorded
		{100, 1, 100, 1, 1, 100, 1},                     // rate 1: every allocation recorded
		{1 << 30, 1, 1 << 30, 1, 512 << 10, 1 << 30, 1}, // far above the rate: exact
		{512, 1, 512, 1, 512, 809, 1},                   // average at the rate: 1/(1-1/e)
	} {
		b, c := scaleSample(tc.bytes, tc.count, tc.allocBytes, tc.allocObjects, tc.rate)
		if b != tc.wantBytes || c != tc.wantCount {
			t.Errorf("scaleSample(%+v) = %d, %d", tc, b, c)
		}
	}
}
