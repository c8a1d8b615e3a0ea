package server_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/module"

	_ "github.com/kamgo/kamgo/modules/corex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/server"
)

// staticHostConfig forwards to names only corex's dns_cache knows, so no
// test depends on the machine's DNS: ok.example is 127.0.0.1, bad.example
// does not exist. Ports are written so that no SRV lookup is made.
const staticHostConfig = `#!KAMAILIO
` + siptest.ListenUDP + `loadmodule "pv.so"
loadmodule "corex.so"
modparam("corex", "dns_cache", "type=A;name=bad.example;flags=1;ttl=3600")
modparam("corex", "dns_cache", "type=A;name=ok.example;addr=127.0.0.1;ttl=3600")

request_route {
	forward("ok.example", PEER);
	if ($rU == "x") {
		forward("BAD", 5060);
	}
	exit;
}
`

// TestForwardHostAtStart: a forward() host that does not resolve refuses
// the configuration when its SIP sockets open, with Kamailio's lines (the
// resolver's, then "fixing failed" at the forward and at the if around
// it, in the file's absolute path); the sockets are closed again.
func TestForwardHostAtStart(t *testing.T) {
	s, err := siptest.Load(t, staticHostConfig, siptest.Options{Subst: []string{"PEER", "5070", "BAD", "bad.example"}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Srv.StartSIP(context.Background())
	if err == nil || err.Error() != "error -478 while trying to fix configuration" {
		t.Fatalf("StartSIP: %v", err)
	}
	if s.Srv.SIP() != nil {
		t.Error("the transport serves after a refusal")
	}
	abs, err := filepath.Abs("kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`CRITICAL: core: mk_proxy(): could not resolve hostname: "bad.example"`,
		"ERROR: core: fix_actions(): fixing failed (code=-478) at cfg:" + abs + ":11",
		"ERROR: core: fix_actions(): fixing failed (code=-478) at cfg:" + abs + ":13",
	}
	var got []string
	for _, l := range s.Lines() {
		if strings.HasPrefix(l, "CRITICAL") || strings.HasPrefix(l, "ERROR") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The socket was closed: a second start opens it again.
	s.Srv.Program().StaticHosts()[1].Host = "ok.example"
	if err := s.Srv.StartSIP(context.Background()); err != nil {
		t.Fatalf("second StartSIP: %v", err)
	}
	_ = s.Srv.StopSIP(context.Background())
}

// TestForwardHostResolvedAtStart: the hosts resolve when the sockets open
// and forward() sends to that address; a reload whose new host does not
// resolve, or whose force_send_socket() names no socket of the server, is
// refused and the running program kept.
func TestForwardHostResolvedAtStart(t *testing.T) {
	peer := siptest.NewUA(t, "peer")
	port := strconv.Itoa(peer.Port())
	s := siptest.Start(t, staticHostConfig, siptest.Options{Subst: []string{"PEER", port, "BAD", "ok.example"}})
	hosts := s.Srv.Program().StaticHosts()
	for _, h := range hosts {
		if a, ok := h.Addr(); !ok || a.Addr().String() != "127.0.0.1" {
			t.Errorf("%s:%d resolved to %v (%v)", h.Host, h.Port, a, ok)
		}
	}
	phone := siptest.Dial(t, "phone", s.Addr)
	phone.Send("OPTIONS sip:y@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + strconv.Itoa(phone.Port()) + ";branch=z9hG4bK-sh1\r\n" +
		"From: <sip:a@a.org>;tag=1\r\nTo: <sip:y@b.org>\r\nCall-ID: static-host@a.org\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	if got := peer.RecvText(); !strings.HasPrefix(got, "OPTIONS sip:y@127.0.0.1 SIP/2.0\r\n") {
		t.Errorf("peer got %q", got)
	}

	prog := s.Srv.Program()
	cfg := strings.NewReplacer("PEER", port, "BAD", "bad.example", siptest.SIPPort, strconv.Itoa(s.Port)).Replace(staticHostConfig)
	an, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(cfg), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	diags = s.Srv.Reload(an)
	if len(diags) != 1 || diags[0].Code != server.CodeUnresolved || diags[0].Subject.Start.Line != 11 ||
		diags[0].Summary != `host "bad.example" does not resolve` {
		t.Errorf("reload: %v", diags)
	}
	if s.Srv.Program() != prog {
		t.Error("the refused reload replaced the program")
	}
	cfg = strings.Replace(cfg, `forward("bad.example", 5060)`, "force_send_socket(tcp:127.0.0.1:5)", 1)
	if an, diags, _ = check.AnalyzeSource("kamailio.cfg", []byte(cfg), preproc.Options{}, module.Catalog()); diags.HasErrors() {
		t.Fatal(diags)
	}
	diags = s.Srv.Reload(an)
	if len(diags) != 1 || diags[0].Code != server.CodeUnresolved || diags[0].Summary != `host "127.0.0.1" is not a socket kamgo listens on` {
		t.Errorf("reload: %v", diags)
	}
	if s.Srv.Program() != prog {
		t.Error("the refused reload replaced the program")
	}
}

// TestRelayHostAtStart: tm's relays written with a host resolve it when
// the sockets open too: t_relay(host, port) relays there, and
// t_relay_to("udp:host:port") with a host that does not resolve refuses
// the configuration with tm's line and its fixup's code.
func TestRelayHostAtStart(t *testing.T) {
	const cfg = `#!KAMAILIO
` + siptest.ListenUDP + `loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "corex.so"
modparam("corex", "dns_cache", "type=A;name=bad.example;flags=1;ttl=3600")
modparam("corex", "dns_cache", "type=A;name=ok.example;addr=127.0.0.1;ttl=3600")

request_route {
	CALL;
	exit;
}
`
	s, err := siptest.Load(t, strings.Replace(cfg, "CALL", `t_relay_to("udp:bad.example:5060")`, 1), siptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Srv.StartSIP(context.Background()); err == nil || err.Error() != "error -1 while trying to fix configuration" {
		t.Fatalf("StartSIP: %v", err)
	}
	abs, err := filepath.Abs("kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	want := `CRITICAL: core: mk_proxy(): could not resolve hostname: "bad.example"
ERROR: tm: fixup_t_relay_to(): failed to build proxy structure for <bad.example>
ERROR: core: fix_actions(): fixing failed (code=-1) at cfg:` + abs + `:10`
	var got []string
	for _, l := range s.Lines() {
		if strings.HasPrefix(l, "CRITICAL") || strings.HasPrefix(l, "ERROR") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != want {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}

	peer := siptest.NewUA(t, "peer")
	r := siptest.Start(t, strings.Replace(cfg, "CALL", `t_relay("ok.example", "`+strconv.Itoa(peer.Port())+`")`, 1), siptest.Options{})
	phone := siptest.Dial(t, "phone", r.Addr)
	phone.Send("OPTIONS sip:y@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + strconv.Itoa(phone.Port()) + ";branch=z9hG4bK-sh2\r\n" +
		"From: <sip:a@a.org>;tag=1\r\nTo: <sip:y@b.org>\r\nCall-ID: static-relay@a.org\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
	if got := peer.RecvText(); !strings.HasPrefix(got, "OPTIONS sip:y@127.0.0.1 SIP/2.0\r\n") {
		t.Errorf("peer got %q", got)
	}
	if a, ok := r.Srv.Program().StaticHosts()[0].Addr(); !ok || a.Addr().String() != "127.0.0.1" {
		t.Errorf("ok.example resolved to %v (%v)", a, ok)
	}
}
