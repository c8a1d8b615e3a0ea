package sip

import "github.com/kamgo/kamgo/runtime/sipmsg"

// relayViaParams is the edit that appends m.Send.ReplyViaParams to the
// second via-parm of the reply m, the one it is relayed back to, as
// Kamailio's build_res_buf_from_sip_res does with the parameters of
// via_reply_add_xavp_params; none when there are none or the via-parm's
// place is unknown (a folded header).
func relayViaParams(m *sipmsg.Msg, v2 *viaRef) []sipmsg.Edit {
	if m.Send.ReplyViaParams == "" || v2.at < 0 {
		return nil
	}
	return []sipmsg.Edit{{At: v2.at + len(v2.v.Text), Text: m.Send.ReplyViaParams}}
}
