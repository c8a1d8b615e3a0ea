package tm_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestReplyMatching: a retransmitted final reply reaching a transaction
// already on its wait timer is the transaction's by default (absorbed:
// the phone sees one 200); with reply_matching 1 it is not (tm logs that
// it skipped the transaction and the core forwards the reply statelessly,
// so the phone sees it twice).
func TestReplyMatching(t *testing.T) {
	for _, mode := range []int64{0, 1} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			params := map[string]value.Value{}
			if mode != 0 {
				params["reply_matching"] = value.MakeInt(mode)
			}
			p := startSetting(t, params, `request_route { t_relay(); exit; }`, uas)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
			phone.SendTo(p.Addr, phone.Request("MESSAGE", ruri, "rm1", "reply-matching-1", 1))
			msg := uas.RecvMethod("MESSAGE")
			ok := siptest.Reply(msg, 200, "OK", "u1")
			uas.SendTo(p.Addr, ok)
			first := phone.RecvStatus(200)
			p.waitMetric("kamgo_tm_replies_received_total", 1)

			uas.SendTo(p.Addr, ok)
			const skipped = `^INFO: <tm>: t_reply_matching\(\): skipping late reply match for transaction already in terminated phase: T=0x[0-9a-f]+ wait=1 flags=0x0$`
			if mode == 0 {
				p.waitMetric("kamgo_tm_replies_received_total", 2)
				phone.None()
				if regexp.MustCompile("(?m)" + skipped).MatchString(p.Log.Text()) {
					t.Errorf("skipped:\n%s", p.Log.Text())
				}
				return
			}
			if r := phone.RecvStatus(200); r.Buf != first.Buf {
				t.Errorf("forwarded reply\n%s\nwant\n%s", r.Buf, first.Buf)
			}
			p.WaitLog(t, skipped, 1)
			p.waitMetric("kamgo_tm_replies_received_total", 1)
		})
	}
}
