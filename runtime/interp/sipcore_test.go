package interp

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// runMsg runs route[TEST] of src on the faked request and returns the
// message after it, the route's code and the core log.
func runMsg(t *testing.T, src string) (*sipmsg.Msg, int, []string) {
	t.Helper()
	r, dl := compileTest(t, testPrelude+"route[TEST] {\n"+src+"\n}\n", nil)
	if r == nil {
		t.Fatalf("compile: %v", dl)
	}
	c := &event.Context{Worker: r.w, Log: r.log}
	c.Reset()
	rc, _ := r.prog.Run(c, event.Event(testEvent))
	return sipmsg.FromContext(c), rc, r.core
}

// TestURIActions: the set*() and rewrite*() family, prefix, strip and
// userphone rebuild the Request-URI as Kamailio's action.c does.
func TestURIActions(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`seturi("sip:bob:pw@b.org:5070;transport=tcp?h=1");`, "sip:bob:pw@b.org:5070;transport=tcp?h=1"},
		{`seturi("sip:bob:pw@b.org:5070;transport=tcp"); setuser("al");`, "sip:al:pw@b.org:5070;transport=tcp"},
		{`seturi("sip:bob:pw@b.org:5070;transport=tcp"); rewriteuserpass("al:x");`, "sip:al:x@b.org:5070;transport=tcp"},
		{`seturi("sip:bob@b.org:5070;transport=tcp;lr"); sethostport("c.org:9");`, "sip:bob@c.org:9;transport=tcp;lr"},
		{`seturi("sip:bob@b.org:5070;x=1;transport=tcp;lr"); sethpt("c.org");`, "sip:bob@c.org;x=1;lr"},
		{`seturi("sip:bob@b.org"); setport("5080"); seth("d.org");`, "sip:bob@d.org:5080"},
		{`seturi("sip:123@b.org"); prefix("+49");`, "sip:+49123@b.org"},
		{`seturi("sip:b.org"); prefix("");`, "sip:@b.org"},
		{`seturi("sip:+49123@b.org"); strip(3);`, "sip:123@b.org"},
		{`seturi("sip:+49123@b.org"); strip_tail(2);`, "sip:+491@b.org"},
		{`seturi("sip:123:pw@b.org"); strip(9);`, "sip:b.org"},
		{`seturi("sip:123@b.org"); userphone();`, "sip:123@b.org;user=phone"},
		{`seturi("tel:+123;x=y"); sethost("gw.org");`, "sip:+123;x=y@gw.org;user=phone"},
		{`rewritehost("x.org"); revert_uri();`, "sip:you@kamailio.org"},
	} {
		m, rc, core := runMsg(t, tc.src)
		if got := m.RequestURI(); got != tc.want || rc != 1 {
			t.Errorf("%s\n got %s (rc %d), want %s\n%v", tc.src, got, rc, tc.want, core)
		}
	}
	_, rc, core := runMsg(t, `seturi("sip:123@b.org"); strip(5);`)
	if rc != 1 || len(core) != 1 || core[0] != "WARNING: do_action(): too long strip asked; deleting username: 5 of <123>" {
		t.Errorf("long strip: rc %d %q", rc, core)
	}
	_, rc, core = runMsg(t, `seturi("tel:+1"); if (!setport("5")) { xlog("L_INFO", "refused\n"); }`)
	if rc != 1 || len(core) != 2 || !strings.Contains(core[0], "port number of a tel: URI cannot be set") {
		t.Errorf("tel port: rc %d %q", rc, core)
	}
}

// TestSendActions: the actions that change how the message and its
// replies are sent set its send state.
func TestSendActions(t *testing.T) {
	m, _, _ := runMsg(t, `force_rport(); add_local_rport(); set_advertised_address("proxy.example"); set_advertised_port(5099);
	set_forward_no_connect(); set_reply_close();`)
	want := sipmsg.SendState{ForceRport: true, LocalRport: true, Fwd: sipmsg.NoConnect, Rpl: sipmsg.CloseAfter}
	want.SetVia(sipmsg.ViaFields{AdvAddress: "proxy.example", AdvPort: "5099"})
	if m.Send.ForceRport != want.ForceRport || m.Send.LocalRport != want.LocalRport || m.Send.Fwd != want.Fwd ||
		m.Send.Rpl != want.Rpl || m.Send.Via() != want.Via() {
		t.Errorf("send state %+v, via %+v", m.Send, m.Send.Via())
	}
}

// TestForwardWithoutSockets: with no SIP socket forward() fails as
// Kamailio's does without a socket for the destination.
func TestForwardWithoutSockets(t *testing.T) {
	_, rc, core := runMsg(t, `if (!forward()) { return 2; } return 3;`)
	if rc != 2 || len(core) != 1 || core[0] != "ERROR: do_action(): forward: no SIP socket is open (the configuration has no listen=) [in route[TEST] <- event_route[evapi:message-received]]" {
		t.Errorf("rc %d %q", rc, core)
	}
}

// TestForwardTLS: kamgo has no TLS transport, which is said at load.
func TestForwardTLS(t *testing.T) {
	r, dl := compileTest(t, testPrelude+"route[TEST] {\n\tforward_tls(\"h\", 5061);\n}\n", nil)
	if r != nil || !dl.HasErrors() || !strings.Contains(dl.Error(), "forward_tls is not implemented by kamgo: it has no tls transport") {
		t.Errorf("diagnostics %v", dl)
	}
}
