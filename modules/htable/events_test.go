package htable_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/app_lua"
	"github.com/kamgo/kamgo/modules/htable"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// start loads and starts cfg in kamgo (no SIP listener) with htable on
// clock, and returns the log.
func start(t *testing.T, cfg string, clock htable.Clock) (*linelog.Log, error) {
	t.Helper()
	s, err := siptest.Load(t, cfg, siptest.Options{Name: "htable.cfg",
		Setup: func(srv *server.Server) { siptest.Module[*htable.Module](t, srv, "htable").SetClock(clock) }})
	return s.Log, err
}

// script returns the script's log lines.
func script(ll *linelog.Log) []string {
	var out []string
	for _, l := range ll.Lines() {
		if strings.Contains(l, "<script>") {
			out = append(out, l)
		}
	}
	return out
}

const eventsCfg = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "htable.so"
modparam("htable", "htable", "t=>size=2;autoexpire=30")
modparam("htable", "htable", "k=>size=1")
modparam("htable", "timer_interval", 10)
event_route[htable:mod-init] {
	$sht(t=>a) = "first";
	$sht(t=>b) = 2;
	$sht(k=>c) = 3;
	xlog("L_INFO", "mod-init cn=$shtcn(t=>**)\n");
}
event_route[htable:expired:t] {
	xlog("L_INFO", "expired $shtrecord(key)=$shtrecord(value) left=$shtcn(t=>**)\n");
}
request_route {
	drop;
}
`

// TestEvents: event_route[htable:mod-init] runs once at start; the timer
// runs every timer_interval seconds and runs event_route[htable:expired:t]
// for each item whose autoexpire passed, with $shtrecord set, before
// removing it.
func TestEvents(t *testing.T) {
	clock := fakeclock.New()
	ll, err := start(t, eventsCfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	if got := script(ll); !slices.Equal(got, []string{"INFO: <script>: mod-init cn=2"}) {
		t.Fatalf("after start: %q", got)
	}
	clock.Advance(30 * time.Second) // the timer at 30s: expiry is 30, not passed yet
	if got := script(ll); len(got) != 1 {
		t.Errorf("expired too early: %q", got)
	}
	clock.Advance(10 * time.Second)
	// In slot order (a's slot comes first); each item is removed after its
	// event ran.
	got := script(ll)[1:]
	want := []string{"INFO: <script>: expired a=first left=2", "INFO: <script>: expired b=2 left=1"}
	if !slices.Equal(got, want) {
		t.Errorf("expired events %q, want %q", got, want)
	}
}

// TestModInitDrop: drop in event_route[htable:mod-init] refuses the start.
func TestModInitDrop(t *testing.T) {
	cfg := strings.Replace(eventsCfg, `xlog("L_INFO", "mod-init cn=$shtcn(t=>**)\n");`, "drop;", 1)
	ll, err := start(t, cfg, fakeclock.New())
	if err == nil {
		t.Fatal("start succeeded")
	}
	if !slices.Contains(ll.Lines(), "ERROR: <htable>: child_init(): exit due to 'drop' in event route") {
		t.Errorf("log %q", ll.Lines())
	}
}

// TestEventCallback: with a Lua configuration the events run the
// event_callback function with the event name, and KSR.htable works in
// them.
func TestEventCallback(t *testing.T) {
	lua := filepath.Join(t.TempDir(), "ht.lua")
	code := `
function ksr_request_route() end
function ksr_htable_event(evname)
	KSR.info("event " .. evname .. "\n")
	if evname == "htable:mod-init" then
		KSR.htable.sht_sets("t", "k", "v")
		KSR.info("get " .. KSR.htable.sht_get("t", "k") .. " null=" .. tostring(KSR.htable.sht_get("t", "x")) .. "\n")
	else
		KSR.info("record " .. KSR.pv.get("$shtrecord(key)") .. "=" .. KSR.pv.get("$shtrecord(value)") .. "\n")
	end
end
`
	if err := os.WriteFile(lua, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "htable.so"
loadmodule "app_lua.so"
modparam("htable", "htable", "t=>size=1;autoexpire=5")
modparam("htable", "timer_interval", 5)
modparam("htable", "event_callback", "ksr_htable_event")
modparam("app_lua", "load", "` + lua + `")
cfgengine "lua"
`
	clock := fakeclock.New()
	ll, err := start(t, cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Second)
	want := []string{
		"INFO: <core>: sr_kemi_core_info(): event htable:mod-init",
		"INFO: <core>: sr_kemi_core_info(): get v null=nil",
		"INFO: <core>: sr_kemi_core_info(): event htable:expired:t",
		"INFO: <core>: sr_kemi_core_info(): record k=v",
	}
	var got []string
	for _, l := range ll.Lines() {
		if strings.Contains(l, "sr_kemi_core_info") {
			got = append(got, l)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("log %q, want %q\n%s", got, want, ll.Text())
	}
}
