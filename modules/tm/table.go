package tm

import (
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// tableSize is the number of hash buckets (Kamailio's TABLE_ENTRIES).
const tableSize = 1 << 16

// magicCookie starts the branch of an RFC 3261 Via.
const magicCookie = "z9hG4bK"

// table holds the live transactions by hash bucket, the bucket being the
// hash of the Call-ID and CSeq number, as in Kamailio, so that $T(id_index)
// has Kamailio's value.
//
// A bucket is a list linked through the transactions' next field, oldest
// first: filing a transaction allocates nothing.
type table struct {
	mu sync.Mutex
	// buckets holds the first transaction of each bucket, labels the
	// next label of each, seeded whether a bucket's label was drawn; all
	// made at the first insert (slices: a bucket is found by indexing,
	// where a map's lookup was a visible part of each request's cost).
	buckets []*txn
	labels  []uint32
	seeded  []uint64
	count   int
}

func newTable() *table {
	return &table{}
}

// hashOf is the bucket of a request.
func hashOf(callID, cseqNum string) uint32 {
	return corehash.Sum(strings.TrimSpace(callID), strings.TrimSpace(cseqNum), tableSize)
}

// insert files x in its bucket with a new label.
func (t *table) insert(x *txn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil {
		t.buckets = make([]*txn, tableSize)
		t.labels = make([]uint32, tableSize)
		t.seeded = make([]uint64, tableSize/64)
	}
	l := t.labels[x.index]
	if w, bit := x.index/64, uint64(1)<<(x.index%64); t.seeded[w]&bit == 0 {
		// Kamailio starts each bucket at kam_rand(), at most RAND_MAX
		// (2^31-1): labels stay positive as the script's integers.
		l = rand.Uint32N(1 << 31)
		t.seeded[w] |= bit
	}
	x.label = l
	t.labels[x.index] = l + 1
	x.next = nil
	if y := t.buckets[x.index]; y == nil {
		t.buckets[x.index] = x
	} else {
		for y.next != nil {
			y = y.next
		}
		y.next = x
	}
	t.count++
}

// remove takes x out of the table.
func (t *table) remove(x *txn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil || x.index >= tableSize {
		return
	}
	var prev *txn
	for y := t.buckets[x.index]; y != nil; prev, y = y, y.next {
		if y != x {
			continue
		}
		if prev != nil {
			prev.next = x.next
		} else {
			t.buckets[x.index] = x.next
		}
		x.next = nil
		t.count--
		return
	}
}

// size returns the number of live transactions.
func (t *table) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// byIdent finds a transaction by its index and label (t_continue).
func (t *table) byIdent(index, label uint32) *txn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil || index >= tableSize {
		return nil
	}
	for x := t.buckets[index]; x != nil; x = x.next {
		if x.label == label {
			return x
		}
	}
	return nil
}

// list returns the transactions of bucket index, or of every bucket when
// all is set, appended to out. The caller looks at them without the
// table's lock (a transaction's lock is taken before the table's, never
// after): out may be a buffer on its stack.
func (t *table) list(index uint32, all bool, out []*txn) []*txn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buckets == nil {
		return out
	}
	if !all {
		if index >= tableSize {
			return out
		}
		for x := t.buckets[index]; x != nil; x = x.next {
			out = append(out, x)
		}
		return out
	}
	for _, x := range t.buckets {
		for ; x != nil; x = x.next {
			out = append(out, x)
		}
	}
	return out
}

// keysOf reads the matching keys of a request; ok is false when the
// request lacks one of the headers a transaction needs (Call-ID, CSeq,
// From, To, Via).
func keysOf(m *sipmsg.Msg) (k matchKeys, ok bool) {
	callID, ok1 := m.Header("call-id")
	num, _, ok2 := m.CSeq()
	from, ok3 := m.Header("from")
	to, ok4 := m.Header("to")
	v, _, ok5 := m.TopVia()
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return k, false
	}
	k = matchKeys{method: strings.ToUpper(m.Method), callID: strings.TrimSpace(callID),
		cseqNum: strings.TrimSpace(num), from: from, to: to, ruri: m.RURI, via1: v.Text,
		viaHost: v.Host, viaPort: v.PortNumber(), viaProto: strings.ToUpper(v.Transport)}
	if na, err := sipmsg.ParseNameAddr(from); err == nil {
		k.fromTag, _ = na.Param("tag")
	}
	if na, err := sipmsg.ParseNameAddr(to); err == nil {
		k.toURI = na.URI
		k.toTag, _ = na.Param("tag")
	}
	if br, _ := v.Param("branch"); len(br) > len(magicCookie) && br[:len(magicCookie)] == magicCookie {
		k.branch = br[len(magicCookie):]
	}
	return k, true
}

// reqToTag is toTagOf for req, the transaction's request or the event's
// of c (nil: none), from the matching keys already read of it when there
// are: the To header is parsed once per request.
func (x *txn) reqToTag(c *event.Context, req *sipmsg.Msg) string {
	if x.reqMsg != nil && x.keys.callID != "" && (req == x.reqMsg || req.Buf == x.reqMsg.Buf) {
		// x.req is a copy of the request the keys came from, and so are
		// the requests failure routes and t_continue run with: the same
		// text, the same To header.
		return x.keys.toTag
	}
	if c != nil && req == sipmsg.FromContext(c) {
		if k, ok := cur(c).requestKeys(req); ok {
			return k.toTag
		}
	}
	return toTagOf(req)
}

// toTagOf is the tag of the To header of m, "" when none.
func toTagOf(m *sipmsg.Msg) string {
	to, ok := m.Header("to")
	if !ok {
		return ""
	}
	na, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		return ""
	}
	tag, _ := na.Param("tag")
	return tag
}

// sameVia is RFC 3261 §17.2.3's comparison of top Vias: the branch, the
// sent-by host and port (a missing port stands for 5060 or 5061) and the
// transport.
func sameVia(a, b *matchKeys) bool {
	if a.branch != b.branch || a.viaHost != b.viaHost || a.viaProto != b.viaProto {
		return false
	}
	if a.viaPort != b.viaPort {
		if a.viaPort == 0 && b.viaPort != 5060 && b.viaPort != 5061 {
			return false
		}
		if b.viaPort == 0 && a.viaPort != 5060 && a.viaPort != 5061 {
			return false
		}
		if (a.viaPort == 5061 || b.viaPort == 5061) && a.viaProto != "TLS" {
			return false
		}
	}
	return true
}

// matchResult is what a request lookup found.
type matchResult int

const (
	noMatch    matchResult = iota
	matched                // the request belongs to the transaction (a retransmission, or the ACK of a negative reply)
	matchedE2E             // an ACK for a 2xx the transaction relayed
)

// lookupRequest finds the transaction a request belongs to, as Kamailio's
// t_lookup_request: RFC 3261 matching when the top Via's branch has the
// magic cookie, else the RFC 2543 rules (Call-ID, CSeq number, From, To,
// and, as the ruri_matching and via1_matching parameters say, the
// Request-URI and the top Via). An ACK matches the INVITE it acknowledges
// when that was answered negatively, or with a local 2xx whose to-tag it
// carries.
func (m *Module) lookupRequest(k *matchKeys) (*txn, matchResult) {
	isACK := k.method == "ACK"
	ackTag := ""
	if isACK {
		ackTag = k.toTag
	}
	var space [8]*txn
	bucket := m.table.list(hashOf(k.callID, k.cseqNum), false, space[:0])
	var e2e *txn
	for _, x := range bucket {
		if !x.hasReq.Load() {
			continue
		}
		t := &x.keys
		if k.branch != "" {
			if isACK {
				if t.method != "INVITE" {
					continue
				}
			} else if t.method != k.method {
				continue
			}
			status, relayed, localTag := x.snapshotStatus()
			if isACK && status < 300 {
				if relayed == -2 && ackPartial(t, k) && ackTag == localTag {
					return x, matched
				}
				if relayed != -2 && ackPartial(t, k) && x.wantsE2EAck(ackTag) {
					return x, matchedE2E
				}
				continue
			}
			if !sameVia(t, k) {
				continue
			}
			if m.conf().callIDMatching != 0 && t.callID != k.callID {
				m.log.Logf(logErr, Name, "matching_3261(): matching transaction found but callids don't match (received: %s stored: %s)", k.callID, t.callID)
				continue
			}
			return x, matched
		}
		if !isACK {
			if t.method != k.method || t.callID != k.callID || t.cseqNum != k.cseqNum ||
				t.from != k.from || t.to != k.to {
				continue
			}
			if m.conf().ruriMatching != 0 && t.ruri != k.ruri {
				continue
			}
			if m.conf().via1Matching != 0 && t.via1 != k.via1 {
				continue
			}
			return x, matched
		}
		if t.method != "INVITE" || t.callID != k.callID || t.cseqNum != k.cseqNum || t.toURI != k.toURI {
			continue
		}
		status, relayed, localTag := x.snapshotStatus()
		if status < 300 {
			if t.fromTag != k.fromTag {
				continue
			}
			if relayed != -2 {
				if e2e == nil {
					e2e = x
				}
				continue
			}
			if ackTag == localTag {
				return x, matched
			}
			continue
		}
		if t.from != k.from {
			continue
		}
		if m.conf().ruriMatching != 0 && t.ruri != k.ruri {
			continue
		}
		if m.conf().via1Matching != 0 && t.via1 != k.via1 {
			continue
		}
		return x, matched
	}
	if e2e != nil {
		return e2e, matchedE2E
	}
	return nil, noMatch
}

// ackPartial is the dialog part of ACK matching: Call-ID, CSeq number and
// From tag.
func ackPartial(t, k *matchKeys) bool {
	return t.callID == k.callID && t.cseqNum == k.cseqNum && t.fromTag == k.fromTag
}

// lookupInvite finds the INVITE transaction a CANCEL cancels (Kamailio's
// t_lookupOriginalT): the same top Via (RFC 3261), or the same Call-ID,
// CSeq number, From, To (its URI when the CANCEL's To has no tag added),
// Request-URI and top Via (RFC 2543).
func (m *Module) lookupInvite(k *matchKeys) *txn {
	var space [8]*txn
	for _, x := range m.table.list(hashOf(k.callID, k.cseqNum), false, space[:0]) {
		if !x.hasReq.Load() || x.keys.method == "CANCEL" || x.keys.method == "ACK" {
			continue
		}
		t := &x.keys
		if k.branch != "" {
			if sameVia(t, k) {
				return x
			}
			continue
		}
		if t.callID != k.callID || t.cseqNum != k.cseqNum || t.from != k.from || t.toURI != k.toURI {
			continue
		}
		if m.conf().ruriMatching != 0 && t.ruri != k.ruri {
			continue
		}
		if m.conf().via1Matching != 0 && t.via1 != k.via1 {
			continue
		}
		return x
	}
	return nil
}

// snapshotStatus reads what ACK matching needs under the transaction's
// lock.
func (x *txn) snapshotStatus() (status, relayed int, localTag string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.uas.status, x.relayedBranch, x.uas.toTag
}

// lookupReply finds the transaction and branch a reply belongs to, as
// Kamailio's t_reply_matching: from the branch parameter of its top Via
// (kamgo's own, branch.go: the hash index, the transaction's
// characteristic value, or with callid_cseq_matching its Call-ID and
// CSeq number, and the branch number) and the method of its CSeq (a reply
// to a CANCEL kamgo sent matches the branch's CANCEL).
func (m *Module) lookupReply(rpl *sipmsg.Msg) (x *txn, b int, cancel bool) {
	v, _, ok := rpl.TopVia()
	if !ok {
		return nil, 0, false
	}
	br, _ := v.Param("branch")
	if !strings.HasPrefix(br, magicCookie) {
		return nil, 0, false
	}
	parts := strings.Split(br[len(magicCookie):], ".")
	if len(parts) != 3 {
		return nil, 0, false
	}
	index, ok1 := parseRevHex(parts[0])
	bn, ok2 := parseRevHex(parts[2])
	if !ok1 || !ok2 || index >= tableSize || bn >= maxBranches || len(parts[1]) != md5Len {
		return nil, 0, false
	}
	num, method, ok := rpl.CSeq()
	if !ok {
		return nil, 0, false
	}
	method = strings.ToUpper(method)
	byCallID := m.conf().callIDCSeqMatching != 0
	var callID string
	if byCallID {
		callID, _ = rpl.Header("call-id")
		callID, num = strings.TrimSpace(callID), strings.TrimSpace(num)
	}
	var space [8]*txn
	for _, x := range m.table.list(index, false, space[:0]) {
		if byCallID {
			if x.keys.callID != callID || x.keys.cseqNum != num {
				continue
			}
		} else if x.md5 != parts[1] {
			continue
		}
		x.mu.Lock()
		n := len(x.branches)
		ending, wait, flags := x.gone, x.wait.running(), x.kamailioFlags()
		x.mu.Unlock()
		if int(bn) >= n {
			continue
		}
		cancel = method == "CANCEL" && x.keys.method == "INVITE"
		if !cancel && method != x.keys.method {
			continue
		}
		if (wait || ending) && m.conf().replyMatching&replyMatchingActive != 0 {
			// The transaction has ended: the reply is not its (the core
			// forwards it statelessly), and the search goes on.
			if ending {
				flags |= kInAgony
			}
			m.log.Logf(klog.Info, Name, "t_reply_matching(): skipping late reply match for transaction already in terminated phase: T=%p wait=%d flags=0x%x",
				x, b2i(wait), flags)
			continue
		}
		return x, int(bn), cancel
	}
	return nil, 0, false
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// revHex writes n in hexadecimal, lowest digit first, as Kamailio's
// int2reverse_hex (branch parameters are built with it).
func revHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

// parseRevHex reads what revHex writes.
func parseRevHex(s string) (uint32, bool) {
	if s == "" || len(s) > 8 {
		return 0, false
	}
	var n uint32
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint32(d)
	}
	return n, true
}
