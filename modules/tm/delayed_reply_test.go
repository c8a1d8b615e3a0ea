package tm_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestDelayedReplyOff: with delayed_reply 0 a t_relay that fails in
// request_route answers with tm's error reply at once, so it precedes the
// reply the script sends next (with the default the script's goes first,
// TestRelayNoSocket); t_relay still returns the error, and nothing more is
// sent when the route ends.
func TestDelayedReplyOff(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := startSetting(t, map[string]value.Value{"delayed_reply": value.MakeInt(0)}, `request_route {
	$du = "sip:127.0.0.1:UAS1;transport=tls";
	if (!t_relay()) { xlog("L_INFO", "rc=$rc\n"); sl_send_reply("503", "Script"); }
	exit;
}`, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:bob@127.0.0.1", "dr1", "delayed-1", 1))
	if got := siptest.Status(phone.Recv()); got != "500 I'm terribly sorry, server error occurred (7/TM)" {
		t.Errorf("first reply %s", got)
	}
	if got := siptest.Status(phone.Recv()); got != "503 Script" {
		t.Errorf("second reply %s", got)
	}
	p.WaitLog(t, `^INFO: <script>: rc=-7$`, 1)
	phone.None()

}
