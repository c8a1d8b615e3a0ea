package sip

import (
	"slices"
	"strings"

	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// CoreCounters are the core's statistics (Kamailio's "core" group, which
// kex registers): what the transport received, forwarded and dropped.
// The transport bumps them when its Router is a CountingRouter that
// returns them.
type CoreCounters struct {
	rcvRequests, rcvReplies   *counters.Counter
	fwdRequests, fwdReplies   *counters.Counter
	dropRequests, dropReplies *counters.Counter
	unsupported               *counters.Counter
	badURI, badHdr            *counters.Counter
	byMethod                  [len(reqMethods)]*counters.Counter
	byClass                   [7]*counters.Counter // rcv_replies_1xx..6xx
	r18x                      *counters.Counter
	byCode                    [len(replyCodes)]*counters.Counter
	// byCSeq[m][class-1]: rcv_replies_<class>xx_<method>.
	byCSeq [len(cseqMethods)][6]*counters.Counter
	// before are the layers whose step runs after the counting.
	before []Layer
}

// CountBefore says that layer l sees requests after they are counted.
// Kamailio runs its pre-script callbacks (kex's counting, sl's ACK filter)
// in the reverse of the modules' load order: a request that a module
// loaded before kex stops is counted as received, one that a module loaded
// after kex stops is not. Either way it counts as dropped.
func (k *CoreCounters) CountBefore(l Layer) { k.before = append(k.before, l) }

// CountingRouter is a Router that keeps the core's statistics.
type CountingRouter interface {
	CoreCounters() *CoreCounters
}

// reqMethods are the methods counted as rcv_requests_<method>; a method
// Kamailio's parser does not know counts as unsupported_methods (KDMQ and
// the HTTP methods it knows count in neither).
var reqMethods = [...]string{"INVITE", "CANCEL", "ACK", "BYE", "INFO", "REGISTER", "SUBSCRIBE",
	"NOTIFY", "MESSAGE", "OPTIONS", "PRACK", "UPDATE", "REFER", "PUBLISH"}

var knownUncounted = [...]string{"KDMQ", "GET", "POST", "PUT", "DELETE"}

// replyCodes are the reply codes counted on their own.
var replyCodes = [...]int{401, 404, 407, 480, 486}

// cseqMethods are the methods whose replies are counted by class, with
// the name the statistic uses.
var cseqMethods = [...]struct{ method, stat string }{{"INVITE", "invite"}, {"CANCEL", "cancel"},
	{"BYE", "bye"}, {"REGISTER", "reg"}, {"MESSAGE", "message"}, {"PRACK", "prack"},
	{"UPDATE", "update"}, {"REFER", "refer"}}

// CoreCounterDefs are the core statistics kamgo keeps, in Kamailio's
// order. bad_URIs_rcvd counts the received requests whose Request-URI does
// not parse, bad_msg_hdr the received messages whose first line reads but
// whose headers do not: Kamailio counts there every failure of its URI
// and header parsers, also those of a later parse of the same message.
// err_requests and err_replies are registered and stay 0, as in Kamailio
// 5.6, whose core never raises them.
func CoreCounterDefs() []counters.Def {
	const doc = "core statistic"
	var defs []counters.Def
	add := func(name string) { defs = append(defs, counters.Def{Name: name, Doc: doc}) }
	add("rcv_requests")
	for _, m := range reqMethods {
		add("rcv_requests_" + strings.ToLower(m))
	}
	add("rcv_replies")
	add("rcv_replies_1xx")
	add("rcv_replies_18x")
	add("rcv_replies_2xx")
	add("rcv_replies_3xx")
	add("rcv_replies_4xx")
	for _, c := range replyCodes {
		add("rcv_replies_" + itoa(c))
	}
	add("rcv_replies_5xx")
	add("rcv_replies_6xx")
	for _, n := range []string{"fwd_requests", "fwd_replies", "drop_requests", "drop_replies",
		"err_requests", "err_replies", "bad_URIs_rcvd", "unsupported_methods", "bad_msg_hdr"} {
		add(n)
	}
	for _, m := range cseqMethods {
		for class := 1; class <= 6; class++ {
			add("rcv_replies_" + itoa(class) + "xx_" + m.stat)
		}
	}
	return defs
}

// BindCoreCounters finds the core group's counters in r; nil when they
// are not registered.
func BindCoreCounters(r *counters.Registry) *CoreCounters {
	get := func(name string) *counters.Counter {
		c, _ := r.Lookup("core", name)
		return c
	}
	k := &CoreCounters{rcvRequests: get("rcv_requests")}
	if k.rcvRequests == nil {
		return nil
	}
	k.rcvReplies, k.fwdRequests, k.fwdReplies = get("rcv_replies"), get("fwd_requests"), get("fwd_replies")
	k.dropRequests, k.dropReplies = get("drop_requests"), get("drop_replies")
	k.unsupported, k.r18x = get("unsupported_methods"), get("rcv_replies_18x")
	k.badURI, k.badHdr = get("bad_URIs_rcvd"), get("bad_msg_hdr")
	for i, m := range reqMethods {
		k.byMethod[i] = get("rcv_requests_" + strings.ToLower(m))
	}
	for class := 1; class <= 6; class++ {
		k.byClass[class] = get("rcv_replies_" + itoa(class) + "xx")
	}
	for i, c := range replyCodes {
		k.byCode[i] = get("rcv_replies_" + itoa(c))
	}
	for i, m := range cseqMethods {
		for class := 1; class <= 6; class++ {
			k.byCSeq[i][class-1] = get("rcv_replies_" + itoa(class) + "xx_" + m.stat)
		}
	}
	return k
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func (t *Transport) coreCounters() *CoreCounters {
	if r, ok := t.router.(CountingRouter); ok {
		return r.CoreCounters()
	}
	return nil
}

// countTaken counts a request layer l took before request_route (a
// pre-script callback that stopped the script).
func (t *Transport) countTaken(l Layer, m *sipmsg.Msg) {
	k := t.coreCounters()
	if k == nil {
		return
	}
	k.dropRequests.Inc()
	if slices.Contains(k.before, l) {
		t.countRequest(m)
	}
}

// countRequest counts a request that reached request_route, or that a
// layer counted before took (kex's pre-script request callback).
func (t *Transport) countRequest(m *sipmsg.Msg) {
	k := t.coreCounters()
	if k == nil {
		return
	}
	k.rcvRequests.Inc()
	for i, name := range reqMethods {
		if strings.EqualFold(m.Method, name) {
			k.byMethod[i].Inc()
			return
		}
	}
	for _, name := range knownUncounted {
		if strings.EqualFold(m.Method, name) {
			return
		}
	}
	k.unsupported.Inc()
}

// countReply counts a reply before the core reply route (kex's pre-script
// reply callbacks): by class, by some codes, and by class and CSeq method.
func (t *Transport) countReply(m *sipmsg.Msg) {
	k := t.coreCounters()
	if k == nil {
		return
	}
	k.rcvReplies.Inc()
	code := m.Status
	class := code / 100
	if code >= 100 && code < 700 {
		k.byClass[class].Inc()
	}
	if code >= 180 && code < 190 {
		k.r18x.Inc()
	}
	for i, c := range replyCodes {
		if c == code {
			k.byCode[i].Inc()
		}
	}
	if class < 1 || class > 6 {
		return
	}
	_, method, _ := m.CSeq()
	for i, cm := range cseqMethods {
		if strings.EqualFold(method, cm.method) {
			k.byCSeq[i][class-1].Inc()
			return
		}
	}
}

// countDropReply counts a reply the core reply route dropped.
func (t *Transport) countDropReply() {
	if k := t.coreCounters(); k != nil {
		k.dropReplies.Inc()
	}
}

// countForwardReply counts the outcome of the core's forwarding of a
// reply: forwarded, or dropped when sending failed (other failures are
// counted in neither, as in Kamailio's forward_reply).
func (t *Transport) countForwardReply(err error) {
	k := t.coreCounters()
	switch {
	case k == nil:
	case err == nil:
		k.fwdReplies.Inc()
	case Code(err) == ErrSend:
		k.dropReplies.Inc()
	}
}

// countForward counts a stateless forward of a request: forwarded, or
// dropped on any failure (Kamailio's forward_request).
func (t *Transport) countForward(err error) {
	k := t.coreCounters()
	switch {
	case k == nil:
	case err == nil:
		k.fwdRequests.Inc()
	default:
		k.dropRequests.Inc()
	}
}

// countBadMsg counts a received message that did not parse: as a bad
// URI when it is a request whose Request-URI does not parse, else as a
// bad header when its first line is a request or status line (the
// failure is then in the headers).
func (t *Transport) countBadMsg(raw string) {
	k := t.coreCounters()
	if k == nil {
		return
	}
	line, _, ok := strings.Cut(raw, "\r\n")
	f := strings.SplitN(line, " ", 3)
	switch {
	case !ok || len(f) != 3:
	case f[2] == "SIP/2.0":
		if _, err := sipmsg.ParseURI(f[1]); err != nil {
			k.badURI.Inc()
			return
		}
		k.badHdr.Inc()
	case f[0] == "SIP/2.0":
		k.badHdr.Inc()
	}
}

// countBadURI counts a received request whose Request-URI does not parse.
func (t *Transport) countBadURI() {
	if k := t.coreCounters(); k != nil {
		k.badURI.Inc()
	}
}
