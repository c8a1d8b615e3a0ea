package catalog

import (
	"reflect"
	"testing"
)

func load(t *testing.T, r string) *Catalog {
	t.Helper()
	c, err := LoadRelease(r)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReleases(t *testing.T) {
	want := []string{"5.6", "5.7", "5.8", "6.0", "6.1"}
	if got := Releases(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Releases() = %v, want %v", got, want)
	}
	tags := map[string]string{"5.6": "5.6.3", "5.7": "5.7.7", "5.8": "5.8.8", "6.0": "6.0.7", "6.1": "6.1.4"}
	for _, r := range want {
		c := load(t, r)
		if c.Release() != r || c.Tag() != tags[r] {
			t.Errorf("LoadRelease(%s): release %s tag %s", r, c.Release(), c.Tag())
		}
		if again := load(t, r); again != c {
			t.Errorf("LoadRelease(%s) is not shared", r)
		}
		for _, p := range c.Problems() {
			t.Errorf("%s: %s", r, p)
		}
	}
	if _, err := LoadRelease("5.5"); err == nil {
		t.Error("LoadRelease(5.5) succeeded")
	}
	if Load().Release() != "5.6" || Load().Tag() != "5.6.3" {
		t.Errorf("Load() is %s (%s), want 5.6 (5.6.3)", Load().Release(), Load().Tag())
	}
}

// Load is the 5.6 release with only the modules Debian 12 ships; the
// release itself has every module of the source tree.
func TestLoadIsDebians(t *testing.T) {
	deb, all := Load(), load(t, "5.6")
	if len(deb.Modules()) != 226 {
		t.Errorf("Load() has %d modules, Debian 12 ships 226", len(deb.Modules()))
	}
	var others []string
	for _, m := range all.Modules() {
		if m.Package == "" {
			others = append(others, m.Name)
			if deb.Module(m.Name) != nil || deb.ModuleByFile(m.File) != nil {
				t.Errorf("Load() has %s, which Debian does not ship", m.Name)
			}
		} else if deb.Module(m.Name) == nil {
			t.Errorf("Load() lacks %s (%s)", m.Name, m.Package)
		}
	}
	if len(others) != len(all.Modules())-226 {
		t.Errorf("modules without package: %v", others)
	}
	for _, n := range []string{"db_oracle", "app_java", "osp"} {
		if m := all.Module(n); m == nil || m.Package != "" {
			t.Errorf("LoadRelease(5.6).Module(%s) = %+v, want a module without package", n, m)
		}
	}
	if len(deb.Func("checkospheader")) != 0 || len(all.Func("checkospheader")) != 1 {
		t.Error("functions of modules Debian does not ship must only be in the release's catalog")
	}
}

func TestEvapiAcrossReleases(t *testing.T) {
	for _, r := range Releases() {
		m := load(t, r).Module("evapi")
		newer := r != "5.6"
		for _, p := range []string{"wait_idle", "wait_increase"} {
			if got := m.Param(p) != nil; got != newer {
				t.Errorf("%s: evapi has %s = %v, want %v", r, p, got, newer)
			}
		}
		// Only on the development branch after 6.1.
		for _, p := range []string{"send_task_timeout", "send_data_timeout", "context_mlimit"} {
			if m.Param(p) != nil {
				t.Errorf("%s: evapi has %s", r, p)
			}
		}
		if p := m.Param("wait_idle"); p != nil && (p.Type != Int || p.Ext != "") {
			t.Errorf("%s: wait_idle = %+v", r, p)
		}
		if len(m.Funcs) != 8 || m.Package != "kamailio-extra-modules" {
			t.Errorf("%s: evapi has %d functions, package %q", r, len(m.Funcs), m.Package)
		}
	}
}

func TestCoreAcrossReleases(t *testing.T) {
	since := func(r, from string) bool {
		i, _ := releaseIndex(r)
		j, _ := releaseIndex(from)
		return i >= j
	}
	for _, r := range Releases() {
		c := load(t, r)
		for name, from := range map[string]string{
			"use_dns_cache": "5.6", "dns_use_cache": "5.7", "dns_rev_via": "5.7", "auto_domains": "5.7",
			"tcp_accept_protocols": "5.8", "udp_receiver_mode": "6.0", "tcp_main_threads": "6.1",
		} {
			if _, ok := c.CoreParam(name); ok != since(r, from) {
				t.Errorf("%s: core param %s = %v, want %v", r, name, ok, since(r, from))
			}
		}
		if p, ok := c.CoreParam("tcp_accept_protocols"); ok && p.Kind != "int|str" {
			t.Errorf("%s: tcp_accept_protocols is %s", r, p.Kind)
		}
		for name, from := range map[string]string{"define": "5.6", "substdef": "5.6", "ifexp": "5.7", "defexps": "5.7"} {
			if c.Directive(name) != since(r, from) {
				t.Errorf("%s: directive %s = %v", r, name, c.Directive(name))
			}
		}
		if c.Directive("undef") || c.Directive("tryundef") {
			t.Errorf("%s: #!undef is newer than 6.1", r)
		}
		if c.Syntax("loadmodule-call") != since(r, "5.7") || c.Syntax("coreparam") != since(r, "6.1") {
			t.Errorf("%s: syntax facts", r)
		}
		if _, ok := c.EventOwner("core:tkv"); ok != since(r, "6.0") {
			t.Errorf("%s: event_route[core:tkv] = %v", r, ok)
		}
		if got := c.PVClass("iuid") != nil; got != since(r, "6.1") {
			t.Errorf("%s: $iuid = %v", r, got)
		}
		if c.PVClass("rc") == nil || c.PVClass("rc").Module != "core" {
			t.Errorf("%s: $rc is not the core's", r)
		}
	}
}

func TestModuleFactsAcrossReleases(t *testing.T) {
	type check struct {
		from string
		has  func(c *Catalog) bool
	}
	checks := map[string]check{
		"{s.byteat}":               {"5.8", func(c *Catalog) bool { return c.Trans("s").HasOp("byteat") }},
		"{s.sha1}":                 {"6.1", func(c *Catalog) bool { return c.Trans("s").HasOp("sha1") }},
		"{uri.rmparam}":            {"6.1", func(c *Catalog) bool { return c.Trans("uri").HasOp("rmparam") }},
		"{val.json}":               {"5.7", func(c *Catalog) bool { return c.Trans("val") != nil && c.Trans("val").HasOp("json") }},
		"{num.fdigit}":             {"6.1", func(c *Catalog) bool { return c.Trans("num") != nil && c.Trans("num").HasOp("fdigit") }},
		"$TV(Sm)":                  {"5.7", func(c *Catalog) bool { return c.PVClass("TV").HasName("Sm") }},
		"$rcv(evtype)":             {"5.8", func(c *Catalog) bool { return c.PVClass("rcv").HasName("evtype") }},
		"$K(IP4)":                  {"6.0", func(c *Catalog) bool { return c.PVClass("K").HasName("IP4") }},
		"$via0(oc)":                {"5.8", func(c *Catalog) bool { return c.PVClass("via0").HasName("oc") }},
		"$tcp(aconid)":             {"5.8", func(c *Catalog) bool { return c.PVClass("tcp").HasName("aconid") }},
		"rtpengine:dtmf-event":     {"5.8", func(c *Catalog) bool { o, _ := c.EventOwner("rtpengine:dtmf-event"); return o == "rtpengine" }},
		"microhttpd:request":       {"5.8", func(c *Catalog) bool { o, _ := c.EventOwner("microhttpd:request"); return o == "microhttpd" }},
		"tm:local-ack-sent":        {"6.1", func(c *Catalog) bool { o, _ := c.EventOwner("tm:local-ack-sent"); return o == "tm" }},
		"evapi:message-received":   {"5.6", func(c *Catalog) bool { o, _ := c.EventOwner("evapi:message-received"); return o == "evapi" }},
		"lock/2 kinds":             {"6.0", func(c *Catalog) bool { return len(c.Func("lock")[0].Kinds(2)) == 2 }},
		"module file_out":          {"5.8", func(c *Catalog) bool { return c.Module("file_out") != nil }},
		"module app_sqlang (gone)": {"5.6", func(c *Catalog) bool { return c.Module("app_sqlang") == nil }},
	}
	for _, r := range Releases() {
		c := load(t, r)
		ri, _ := releaseIndex(r)
		for name, ch := range checks {
			fi, _ := releaseIndex(ch.from)
			want := ri >= fi
			if name == "module app_sqlang (gone)" {
				want = ri >= 2 // removed in 5.8
			}
			if got := ch.has(c); got != want {
				t.Errorf("%s: %s = %v, want %v", r, name, got, want)
			}
		}
	}
}

// From 6.0 on two .so files declare the module name ims_qos.
func TestSharedModuleName(t *testing.T) {
	c := load(t, "6.0")
	m, npn := c.Module("ims_qos"), c.ModuleByFile("ims_qos_npn")
	if m == nil || m.File != "ims_qos" || npn == nil || npn.Name != "ims_qos" || npn == m {
		t.Fatalf("Module(ims_qos) = %+v, ModuleByFile(ims_qos_npn) = %+v", m, npn)
	}
	if c.Module("ims_qos_npn") != nil {
		t.Error("ims_qos_npn is a file name, not a module name")
	}
	if o, ok := c.EventOwner("qos:asr_call"); !ok || o != "ims_qos" {
		t.Errorf("EventOwner(qos:asr_call) = %q %v", o, ok)
	}
	if len(npn.Events) != 4 || len(m.Events) != 0 {
		t.Errorf("events: npn %v, ims_qos %v", npn.Events, m.Events)
	}
}

func TestConcurrentLoad(t *testing.T) {
	done := make(chan *Module, 8)
	for i := 0; i < 8; i++ {
		go func() { done <- load(t, "6.1").Module("tm") }()
	}
	first := <-done
	for i := 1; i < 8; i++ {
		if m := <-done; m != first {
			t.Fatal("a module was decoded twice")
		}
	}
}
