package sip

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// ForwardUAC sends the request m of the event c statelessly to d as its
// first sender would (corex's forward_uac and forward_uac_uri, Kamailio
// 6.0): Forward, except that the Via headers m arrived with are left out,
// so kamgo's Via is the only one, and nothing is added to the Via m came
// with (no received or rport). Replies to it come back here and go no
// further. The branch is a stateless relay's, computed from the request
// as received, as Kamailio's is. m itself keeps its Via headers: a later
// forward or reply sees them. The error's Code is what forward()
// returns.
func (t *Transport) ForwardUAC(c *event.Context, m *sipmsg.Msg, d Dest) (err error) {
	defer func() { t.countForward(err) }()
	t.PrepareVia(c, m)
	h, buf, err := t.prepareRequest(m, d, "", true)
	if err != nil {
		return err
	}
	if !t.OnSend(c, m, &h, buf) {
		return fail(ErrProhibited, fmt.Errorf("dropped by onsend_route"))
	}
	return t.send(h, buf)
}

// uacViaRemovals are the edits that take every Via header out of m, as
// ForwardUAC sends it. They come after the edit that writes kamgo's Via
// at the first one's place, so that Build writes it before skipping the
// removed text.
func uacViaRemovals(m *sipmsg.Msg) []sipmsg.Edit {
	var out []sipmsg.Edit
	for _, h := range m.Headers {
		if h.Is("via") {
			out = append(out, sipmsg.Edit{At: h.Start, Len: h.End - h.Start})
		}
	}
	return out
}
