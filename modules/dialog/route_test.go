package dialog_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// routeConfig logs $dlg before and after loose_route() and lets a
// request with X-Drop be answered before loose_route() runs.
const routeConfig = `modparam("dialog", "default_timeout", 120)
request_route {
	if ($tt != $null) {
		xlog("L_INFO", "before $rm status=$DLG_status\n");
		if (is_present_hf("X-Drop")) {
			sl_send_reply("403", "Dropped");
			exit;
		}
		if (loose_route()) {
			xlog("L_INFO", "after $rm state=$dlg(state)\n");
			t_relay();
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (method == "INVITE") {
		record_route();
		dlg_manage();
	}
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
	exit;
}
`

// TestMatchOnLooseRoute checks that an in-dialog request moves its
// dialog when loose_route() routes it, not before: $dlg is unset before
// loose_route(), and a BYE the script answers before loose_route() leaves
// the dialog confirmed.
func TestMatchOnLooseRoute(t *testing.T) { matchOnLooseRoute(t, startKamgo) }

// starter starts a server (kamgo, or Kamailio in the kamailio-tagged
// tests) with a configuration and the callee peer.
type starter func(t *testing.T, cfg string, peers ...*siptest.UA) target

func matchOnLooseRoute(t *testing.T, start starter) {
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	tg := start(t, routeConfig, b)
	ok, _ := call(t, tg, a, b, "call-lr")
	waitState(t, tg, "call-lr", 4)
	bye := within(a, "BYE", "call-lr", 11, "b-call-lr", ok.HeaderValues("record-route"), contactOf(ok))
	a.SendTo(tg.SIPAddr(), strings.Replace(bye, "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Drop: 1\r\n", 1))
	a.RecvStatus(403)
	waitState(t, tg, "call-lr", 4)
	hangup(t, tg, a, b, "call-lr", ok)
	waitState(t, tg, "call-lr", 5)
	want := []string{
		"INFO: script: before ACK status=<null>",
		"INFO: script: after ACK state=4",
		"INFO: script: before BYE status=<null>",
		"INFO: script: before BYE status=<null>",
		"INFO: script: after BYE state=5",
	}
	got := scriptLines(tg)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("script lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// manageAfterConfig makes the transaction before the dialog.
const manageAfterConfig = `request_route {
	if ($tt != $null) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (method == "INVITE") {
		record_route();
		t_newtran();
		if (!dlg_manage()) {
			xlog("L_INFO", "dlg_manage failed\n");
		}
	}
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
	exit;
}
event_route[dialog:start] {
	xlog("L_INFO", "start $dlg(callid) state=$dlg(state)\n");
}
event_route[dialog:end] {
	xlog("L_INFO", "end $dlg(callid) state=$dlg(state)\n");
}
`

// TestManageAfterNewtran checks that dlg_manage() after t_newtran()
// follows the transaction's replies: the 180 makes the dialog early, the
// 200 confirms it, the BYE ends it.
func TestManageAfterNewtran(t *testing.T) { manageAfterNewtran(t, startKamgo) }

func manageAfterNewtran(t *testing.T, start starter) {
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	tg := start(t, manageAfterConfig, b)
	ok, _ := call(t, tg, a, b, "call-after")
	waitState(t, tg, "call-after", 4)
	hangup(t, tg, a, b, "call-after", ok)
	tg.WaitLog(t, `end call-after`, 1)
	want := []string{
		"INFO: script: start call-after state=3",
		"INFO: script: end call-after state=5",
	}
	if got := scriptLines(tg); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("script lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
