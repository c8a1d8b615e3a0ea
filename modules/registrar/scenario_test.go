package registrar_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// The reply scenario: REGISTERs sent one after the other to a proxy that
// runs save("location") for each (routes below), and the replies it
// sent. Kamailio 5.6.3's replies are recorded in testdata/replies.txt by
// the kamailio-tagged test; kamgo's must be the same after normalize.

// replyRoutes is the configuration both servers run, after their own
// header (listen, modules only one of them has).
const replyRoutes = `
server_header="Server: test"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("registrar", "min_expires_mode", 1)
modparam("registrar", "max_contacts", 3)
modparam("registrar", "retry_after", 30)
modparam("registrar", "max_expires", 7200)
modparam("registrar", "use_path", 1)
modparam("registrar", "path_mode", 1)
modparam("registrar", "received_avp", "$avp(rcv)")
request_route {
	if ($hdr(X-Received) != $null) {
		$avp(rcv) = $hdr(X-Received);
	}
	if ($hdr(X-Flags) != $null) {
		save("location", "0x04");
		exit;
	}
	save("location");
	exit;
}
`

// outboundRoutes is the second configuration: outbound supported with a
// flow timer, strict Path, and the reply sent later (reg_send_reply) or
// prepared for sl_send_reply.
const outboundRoutes = `
server_header="Server: test"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("registrar", "outbound_mode", 1)
modparam("registrar", "flow_timer", 25)
modparam("registrar", "use_path", 1)
modparam("registrar", "path_mode", 2)
modparam("registrar", "received_param", "")
modparam("registrar", "received_avp", "$avp(rcv)")
request_route {
	$avp(rcv) = "sip:198.51.100.7:5070";
	if ($hdr(X-Prepare) != $null) {
		save("location", "0x12");
		sl_send_reply("200", "Prepared");
		exit;
	}
	if ($hdr(X-Later) != $null) {
		save("location", "0x02");
		xlog("L_INFO", "saved $rc\n");
		reg_send_reply();
		exit;
	}
	save("location");
	exit;
}
`

var outboundScenario = []register{
	{"supported outbound", "ob1", 1, []string{"Supported: outbound, path", "Path: <sip:edge.example.net;lr;ob>", "Contact: <sip:ob1@192.0.2.1:5060>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"}},
	{"no outbound asked", "ob2", 1, []string{"Contact: <sip:ob2@192.0.2.1:5060>"}},
	{"path strict unsupported", "ob3", 1, []string{"Path: <sip:edge.example.net;lr>", "Contact: <sip:ob3@192.0.2.1:5060>"}},
	{"require outbound", "ob4", 1, []string{"Require: outbound", "Contact: <sip:ob4@192.0.2.1:5060>"}},
	{"reply later", "ob5", 1, []string{"X-Later: 1", "Contact: <sip:ob5@192.0.2.1:5060>;q=0.1"}},
	{"reply prepared", "ob6", 1, []string{"X-Prepare: 1", "Contact: <sip:ob6@192.0.2.1:5060>;q=0.2"}},
	{"reply later error", "ob7", 1, []string{"X-Later: 1", "Contact: <sip:ob7@192.0.2.1:5060>;q=3"}},
}

// tmRoutes saves inside a transaction: the reply goes through tm.
const tmRoutes = `
server_header="Server: test"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
request_route {
	t_newtran();
	save("location");
	exit;
}
`

var tmScenario = []register{
	{"stateful 200", "tm1", 1, []string{"Contact: <sip:tm1@192.0.2.1:5060>"}},
	{"stateful 400", "tm2", 1, []string{"Contact: *"}},
}

// register is one REGISTER of the scenario.
type register struct {
	name    string
	user    string
	cseq    int
	headers []string // Contact, Expires ... as written
}

var scenario = []register{
	{"one contact", "alice", 1, []string{"Contact: <sip:alice@192.0.2.1:5060>;q=0.8", "Expires: 600"}},
	{"second contact", "alice", 2, []string{"Contact: <sip:alice@192.0.2.2:5060>;expires=300"}},
	{"query", "alice", 3, nil},
	{"out of order", "alice", 2, []string{"Contact: <sip:alice@192.0.2.3:5060>"}},
	{"refresh with new q", "alice", 4, []string{"Contact: <sip:alice@192.0.2.2:5060>;q=0.9;expires=300"}},
	{"remove one", "alice", 5, []string{"Contact: <sip:alice@192.0.2.1:5060>;expires=0"}},
	{"star", "alice", 6, []string{"Contact: *", "Expires: 0"}},
	{"star without expires 0", "alice", 7, []string{"Contact: *"}},
	{"star mixed", "alice", 8, []string{"Contact: *", "Contact: <sip:alice@192.0.2.1:5060>", "Expires: 0"}},
	{"interval too brief", "bob", 1, []string{"Contact: <sip:bob@192.0.2.1:5060>;expires=10"}},
	{"too many", "carol", 1, []string{"Contact: <sip:c1@192.0.2.1>, <sip:c2@192.0.2.1>", "Contact: <sip:c3@192.0.2.1>, <sip:c4@192.0.2.1>"}},
	{"max expires", "dave", 1, []string{"Contact: <sip:dave@192.0.2.1:5060>;expires=99999"}},
	{"retransmission", "dave", 1, []string{"Contact: <sip:dave@192.0.2.1:5060>;expires=99999"}},
	{"lower cseq", "dave", 0, []string{"Contact: <sip:dave@192.0.2.1:5060>"}},
	{"path supported", "erin", 1, []string{"Path: <sip:edge.example.net;lr>", "Supported: path", "Contact: <sip:erin@192.0.2.1:5060>"}},
	{"path not supported", "erin", 2, []string{"Path: <sip:edge.example.net;lr>", "Contact: <sip:erin@192.0.2.1:5060>"}},
	{"gruu", "frank", 1, []string{"Supported: gruu", `Contact: <sip:frank@192.0.2.1:5060>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=2`}},
	{"instance without gruu", "frank", 2, []string{`Contact: <sip:frank@192.0.2.9:5060>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=2`}},
	{"bad q", "gina", 1, []string{"Contact: <sip:gina@192.0.2.1:5060>;q=2"}},
	{"received", "hank", 1, []string{"X-Received: sip:198.51.100.7:5070", "Contact: <sip:hank@10.0.0.7:5060>;q=0.25"}},
	{"replace", "hank", 2, []string{"X-Flags: 4", "Contact: <sip:hank@10.0.0.8:5060>;q=0.5"}},
	{"bad expires header", "ivan", 1, []string{"Expires: ", "Contact: <sip:ivan@10.0.0.8:5060>"}},
	{"no contact unknown", "jane", 1, nil},
}

// message is the text of r as phone sends it.
func (r register) message(port int) string {
	return siptest.Build(append([]string{
		"REGISTER sip:example.com SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d", port, r.user, r.cseq),
		"Max-Forwards: 70",
		fmt.Sprintf("From: <sip:%s@example.com>;tag=f-%s", r.user, r.user),
		fmt.Sprintf("To: <sip:%s@example.com>", r.user),
		"Call-ID: reg-" + r.user + "@192.0.2.1",
		fmt.Sprintf("CSeq: %d REGISTER", r.cseq),
	}, r.headers...), "")
}

// runScenario sends the scenario to addr from a new UA and returns the
// replies, normalized, one block per REGISTER.
func runScenario(t *testing.T, addr string, scenario []register) string {
	t.Helper()
	phone := siptest.Dial(t, "phone", addr)
	var b strings.Builder
	for _, r := range scenario {
		fmt.Fprintf(&b, "== %s\n%s\n", r.name, normalize(phone.Ask(r.message(phone.Port())), phone.Port(), siptest.PortOf(addr)))
	}
	return b.String()
}

var (
	reSLTag    = regexp.MustCompile(`tag=[0-9a-f]{32}\.[0-9a-f]+`)
	reExpires  = regexp.MustCompile(`;expires=(\d+)`)
	reTempGRUU = regexp.MustCompile(`temp-gruu="sip:[^"@]+@`)
	reTMTag    = regexp.MustCompile(`tag=[0-9a-f]{32}-[0-9a-f]{8}`)
)

// normalize makes two servers' replies comparable: the ports, sl's
// to-tag (it hashes the proxy's address), the remaining seconds (a
// second may pass between two REGISTERs: rounded to tens) and the
// temporary GRUU (it holds a contact's unique id).
func normalize(s string, phone, proxy int) string {
	s = siptest.MaskPorts(s, siptest.Port{Port: phone, Name: "<phone>"}, siptest.Port{Port: proxy, Name: "<proxy>"})
	s = reSLTag.ReplaceAllString(s, "tag=<sl-tag>")
	s = reTMTag.ReplaceAllString(s, "tag=<tm-tag>")
	s = reTempGRUU.ReplaceAllString(s, `temp-gruu="sip:<ruid>-<hash>@`)
	s = reExpires.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.Atoi(m[len(";expires="):])
		return ";expires=" + strconv.Itoa((n+5)/10*10)
	})
	return siptest.LF(s)
}

// The recorded replies of each scenario.
const (
	golden         = "testdata/replies.txt"
	goldenOutbound = "testdata/replies-outbound.txt"
	goldenTM       = "testdata/replies-tm.txt"
)
