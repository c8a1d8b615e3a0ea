package dialog_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/tm"
)

// timersConfig asks for keep-alives to both sides of every call, every
// 30 seconds, checked every 10.
const timersConfig = `modparam("dialog", "ka_timer", 10)
modparam("dialog", "ka_interval", 30)
modparam("dialog", "lreq_callee_headers", "X-Callee: 1")
modparam("dialog", "profiles_no_value", "calls")
modparam("dialog", "profiles_with_value", "caller")
request_route {
	if ($tt != $null) {
		if (loose_route()) {
			xlog("L_INFO", "within $rm state=$dlg(state)\n");
			t_relay();
			exit;
		}
		if (method == "ACK") {
			if (t_check_trans()) {
				t_relay();
			}
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (method == "INVITE") {
		record_route();
		dlg_manage();
		if (!is_present_hf("X-No-KA")) {
			dlg_set_property("ka-src");
			dlg_set_property("ka-dst");
		}
		$dlg_var(k) = "v";
	}
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
	exit;
}
`

// TestKeepAlive checks the OPTIONS of ka_timer/ka_interval: none before
// ka_interval, then one to each side, with a CSeq one below the side's
// and lreq_callee_headers to the callee.
func TestKeepAlive(t *testing.T) {
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	tg := startKamgo(t, timersConfig, b)
	call(t, tg, a, b, "call-ka")
	tg.WaitLog(t, `within ACK state=4`, 1)
	expire(tg, 20)
	if m, ok := a.Read(siptest.Quiet); ok {
		t.Fatalf("keep-alive before ka_interval:\n%s", m.Buf)
	}
	expire(tg, 10)
	optA := a.RecvMethod("OPTIONS")
	optB := b.RecvMethod("OPTIONS")
	if num, _, _ := optA.CSeq(); num != "0" {
		// the callee's CSeq is 0: a keep-alive keeps it
		t.Errorf("caller OPTIONS CSeq %q, want 0", num)
	}
	if num, _, _ := optB.CSeq(); num != "9" {
		t.Errorf("callee OPTIONS CSeq %q, want 9 (one below the caller's 10)", num)
	}
	if v, _ := optB.Header("x-callee"); v != "1" {
		t.Errorf("callee OPTIONS without lreq_callee_headers:\n%s", optB.Buf)
	}
	if _, ok := optA.Header("x-callee"); ok {
		t.Errorf("caller OPTIONS with lreq_callee_headers:\n%s", optA.Buf)
	}
	if to, _ := optA.Header("to"); !strings.Contains(to, "tag=a-call-ka") {
		t.Errorf("caller OPTIONS To %q", to)
	}
}

// TestCleanAndDump checks the clean timer (an unanswered dialog goes
// after early_timeout) and dlg.dump_file.
func TestCleanAndDump(t *testing.T) {
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	tg := startKamgo(t, timersConfig, b)
	call(t, tg, a, b, "call-dump", "X-No-KA: 1")
	tg.WaitLog(t, `within ACK state=4`, 1)
	file := filepath.Join(t.TempDir(), "dlg.json")
	tg.rpc(t, "dlg.dump_file", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(data))), &doc); err != nil {
		t.Fatalf("dump is not one JSON document per line: %v\n%s", err, data)
	}
	if doc["call_id"] != "call-dump" || doc["state"] != 4.0 {
		t.Errorf("dump: %s", data)
	}
	if vars, _ := doc["variables"].(map[string]any); vars["k"] != "v" {
		t.Errorf("dump variables: %s", data)
	}
	// an INVITE nobody answers stays unconfirmed until the clean timer
	a.SendTo(tg.SIPAddr(), invite(a, "sip:bob@127.0.0.1", "call-early"))
	b.RecvMethod("INVITE")
	waitState(t, tg, "call-early", 1)
	expire(tg, 300+90)
	if got := tg.rpc(t, "dlg.dlg_list", "call-early"); len(got) != 0 {
		t.Errorf("unanswered dialog kept after early_timeout: %v", got)
	}
	if got := tg.rpc(t, "dlg.dlg_list", "call-dump"); len(got) == 0 {
		t.Error("the confirmed dialog went with the clean timer")
	}
}

// TestKeepAliveAnswers checks how keep-alive answers count with
// ka_failed_limit 1: a 200 keeps the dialog; a 481, or no answer (tm's
// 408), leaves it 10 seconds.
func TestKeepAliveAnswers(t *testing.T) {
	tests := []struct {
		name   string
		answer int // 0: none
		ends   bool
	}{
		{"answered", 200, false},
		{"forgotten", 481, true},
		{"unanswered", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
			tg := startKamgo(t, timersConfig, b)
			call(t, tg, a, b, "call-ka")
			tg.WaitLog(t, `within ACK state=4`, 1)
			expire(tg, 30)
			optA := a.RecvMethod("OPTIONS")
			optB := b.RecvMethod("OPTIONS")
			switch tc.answer {
			case 0:
				expire(tg, 32)
			default:
				a.SendTo(tg.SIPAddr(), reply(a, optA, tc.answer, "Answer", ""))
				b.SendTo(tg.SIPAddr(), reply(b, optB, tc.answer, "Answer", ""))
			}
			waitKA(t, tg, "call-ka", 2)
			if !tc.ends {
				expire(tg, 11)
				if got := tg.rpc(t, "dlg.dlg_list", "call-ka"); len(got) == 0 {
					t.Fatal("dialog ended after answered keep-alives")
				}
				return
			}
			waitLifetime(t, tg, "call-ka", 10)
			expire(tg, 10)
			tg.WaitLog(t, `dlg timeout - callid: 'call-ka'`, 1)
		})
	}
}

// waitLifetime waits (bounded) until dlg.dlg_list shows the dialog of
// callID with the lifetime secs.
func waitLifetime(t *testing.T, tg target, callID string, secs int) {
	t.Helper()
	want := fmt.Sprintf(".lifetime = %d", secs)
	if !siptest.Poll(func() bool { return hasSuffix(tg.rpc(t, "dlg.dlg_list", callID), want) }) {
		t.Fatalf("dialog %s never got lifetime %d", callID, secs)
	}
}

// waitKA waits (bounded) until n local transactions of the kamgo
// server's tm are in their wait state: tm puts a keep-alive there once
// the module's callback has counted its final reply.
func waitKA(t *testing.T, tg target, callID string, n int) {
	t.Helper()
	k, ok := tg.(kamgoTarget)
	if !ok {
		return
	}
	m := siptest.Module[*tm.Module](t, k.Srv, "tm")
	if siptest.Poll(func() bool { return int(m.Stats().Waiting) >= n }) {
		return
	}
	t.Fatalf("keep-alives of %s: %d transactions never completed", callID, n)
}
