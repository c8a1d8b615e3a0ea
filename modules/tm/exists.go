package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wExists is t_exists (Kamailio 5.7): 1 when the message belongs to a
// transaction, -1 when not. A request is matched by the transaction rules
// (an ACK to its INVITE's transaction, except the end-to-end ACK of a
// relayed 2xx, which has none); a reply by its branch. Unlike
// t_check_trans and t_lookup_request it only looks: the event does not
// take the transaction and nothing is absorbed or replied.
func (m *Module) wExists(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		if x, _, _ := m.lookupReply(msg); x != nil {
			return 1
		}
		return -1
	}
	for _, h := range []string{"from", "to", "call-id", "cseq"} {
		if _, ok := msg.Header(h); !ok {
			m.log.Log(klog.Err, Name, "t_request_search(): too few headers")
			return -1
		}
	}
	if _, _, ok := msg.TopVia(); !ok {
		m.log.Log(klog.Err, Name, "t_request_search(): no via")
		return -1
	}
	k, ok := cur(c).requestKeys(msg)
	if !ok {
		return -1
	}
	if _, res := m.lookupRequest(k); res == matched {
		return 1
	}
	return -1
}
