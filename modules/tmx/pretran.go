package tmx

import (
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// pretran is the table t_precheck_trans reads (Kamailio's pre-transaction
// table): for each worker, the request it is routing now, by Call-ID,
// From tag, CSeq and top Via branch. A request that matches another
// worker's entry is a retransmission that came while the first copy is
// still being routed, before any transaction exists to absorb it.
type pretran struct {
	mu      sync.Mutex
	entries map[*event.Worker]preKey
}

// preKey is what identifies a request in the table.
type preKey struct {
	callID, fromTag, cseqNum, method string
	branch                           string
	hasBranch                        bool
}

func newPretran() *pretran { return &pretran{entries: map[*event.Worker]preKey{}} }

// unlink drops w's entry.
func (p *pretran) unlink(w *event.Worker) {
	p.mu.Lock()
	delete(p.entries, w)
	p.mu.Unlock()
}

// same reports whether b is a copy of the request a stands for: the same
// Call-ID, From tag, CSeq number and method, and, when both have one, the
// same top Via branch.
func (a preKey) same(b preKey) bool {
	if a.callID != b.callID || a.fromTag != b.fromTag || a.cseqNum != b.cseqNum || a.method != b.method {
		return false
	}
	return !a.hasBranch || !b.hasBranch || a.branch == b.branch
}

// precheck is t_precheck_trans: 1 when another worker is routing a copy of
// the request of c, -1 when none is, -2 when the request cannot be
// checked (logged as Kamailio's tmx_check_pretran logs it). The request
// stays registered until request_route is done with it (RequestDone).
func (m *Module) precheck(c *event.Context) int {
	if m.pre == nil {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): pretran hash table not initialized yet")
		return -2
	}
	if c.Route != routetype.Request {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): invalid usage - not in request route")
		return -2
	}
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): invalid usage - not a sip request")
		return -2
	}
	num, method, ok := msg.CSeq()
	if !ok {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): failed to parse cseq headers")
		return -2
	}
	method = knownMethod(method)
	if method == "ACK" || method == "CANCEL" {
		return -2
	}
	via, _, ok := msg.TopVia()
	if !ok {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): failed to get Via header")
		return -2
	}
	k := preKey{cseqNum: strings.TrimSpace(num), method: method}
	from, _ := msg.Header("from")
	if na, err := sipmsg.ParseNameAddr(from); err == nil {
		k.fromTag, _ = na.Param("tag")
	}
	if k.fromTag = strings.TrimSpace(k.fromTag); k.fromTag == "" {
		m.log.Log(klog.Err, Name, "tmx_check_pretran(): failed to get From header")
		return -2
	}
	callID, _ := msg.Header("call-id")
	k.callID = strings.TrimSpace(callID)
	if br, ok := via.Param("branch"); ok {
		k.branch, k.hasBranch = strings.TrimSpace(br), true
	}
	p := m.pre
	p.mu.Lock()
	defer p.mu.Unlock()
	found := false
	for w, o := range p.entries {
		if w != c.Worker && o.same(k) {
			found = true
			break
		}
	}
	p.entries[c.Worker] = k
	if found {
		return 1
	}
	return -1
}

// knownMethod writes the methods Kamailio knows by id in upper case, as
// it compares them case-insensitively; other methods compare as written.
func knownMethod(s string) string {
	switch u := strings.ToUpper(s); u {
	case "INVITE", "CANCEL", "ACK", "BYE", "INFO", "REGISTER", "SUBSCRIBE", "NOTIFY",
		"MESSAGE", "OPTIONS", "PRACK", "UPDATE", "REFER", "PUBLISH", "KDMQ", "GET", "POST", "PUT", "DELETE":
		return u
	}
	return s
}
