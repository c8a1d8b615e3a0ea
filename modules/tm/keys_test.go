package tm_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/textopsx"
)

// TestKeysFollowAppliedChanges: the matching keys t_check_trans read are
// read again for t_newtran when msg_apply_changes gave the request a new
// text in between: the transaction is found by its new Call-ID.
func TestKeysFollowAppliedChanges(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p := startWith(t, []string{"tm", "sl", "pv", "textops", "textopsx"}, `request_route {
	if (t_check_trans()) { exit; }
	remove_hf("Call-ID");
	append_hf("Call-ID: rewritten\r\n");
	msg_apply_changes();
	t_newtran();
	t_reply("180", "Held");
	exit;
}`)
	phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", "ak1", "call-ak1", 3))
	until(phone, "180 Held")
	if got := rpcText(t, p.Srv, "tm.reply_callid", 603, "Decline", "rewritten", "3", "tg", "", ""); got != "" {
		t.Fatalf("tm.reply_callid: %s", got)
	}
	until(phone, "603 Decline")
}
