package acc_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
)

// scenario is a configuration (acc's parameters and the routes) and the
// messages of a phone and of servers behind the proxy. The acc and script
// log lines Kamailio 5.6.3 writes for it (accLines' masking) are in
// testdata/NAME.golden, recorded by the kamailio differential test with
// -update.
type scenario struct {
	name string
	cfg  string
	uas  int
	// accLines is how many "ACC:" lines the scenario ends with.
	accLines int
	// answers are transactions the first server answers, played in
	// order before play.
	answers []answer
	play    func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA)
}

// answer is a request the phone sends to sip:bob@127.0.0.1 with a
// branch and Call-ID (CSeq 1) and the first server's reply to it.
type answer struct {
	method, branch, callID string
	code                   int
	reason, toTag          string
	extra                  []string // the reply's extra headers
}

// golden is the file of a scenario's recorded lines.
func (sc scenario) golden() string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, sc.name)
	return filepath.Join("testdata", name+".golden")
}

// want reads the recorded lines.
func (sc scenario) want(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(sc.golden())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// relayRoute sends every request to the first server.
const relayRoute = `
	$du = "sip:127.0.0.1:UAS1";
	t_relay();
`

// relayed is the configuration of a scenario that sets acc's parameters
// (pairs of a name and a value as written) and flags, and relays every
// request to the first server.
func relayed(params []string, flags ...int) string {
	var b strings.Builder
	for i := 0; i+1 < len(params); i += 2 {
		fmt.Fprintf(&b, "modparam(\"acc\", %q, %s)\n", params[i], params[i+1])
	}
	b.WriteString("request_route {\n")
	for _, f := range flags {
		fmt.Fprintf(&b, "\tsetflag(%d);\n", f)
	}
	return b.String() + relayRoute + "}\n"
}

var scenarios = []scenario{
	{
		name: "answered and acknowledged",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "report_ack", 1)
modparam("acc", "log_extra", "src_user=$fU;dst_user=$tU;ruri=$ru")
request_route {
	if (is_method("ACK")) {
		t_relay();
		exit;
	}
	setflag(1);
	$ru = "sip:bob@127.0.0.1:UAS1";
	t_relay();
}
`,
		uas: 1, accLines: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			inv := siptest.Answer(tg.SIPAddr(), phone, phone.Request("INVITE", "sip:bob@127.0.0.1", "i1", "c1", 1), uas[0], 180, "Ringing", "u1")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 200, "OK", "u1"))
			phone.RecvStatus(200)
			ack := siptest.WithToTag(phone.Request("ACK", "sip:bob@127.0.0.1:"+itoa(uas[0].Port()), "a1", "c1", 1), "u1")
			phone.SendTo(tg.SIPAddr(), ack)
			uas[0].RecvMethod("ACK")
		},
	},
	{
		name: "missed call with failure_route",
		cfg: `modparam("acc", "log_missed_flag", 2)
request_route {
	setflag(2);
	t_on_failure("missed");
` + relayRoute + `}
failure_route[missed] {
	if (isflagset(2)) {
		xlog("L_INFO", "flag 2 still set\n");
	} else {
		xlog("L_INFO", "flag 2 reset\n");
	}
}
`,
		uas: 1, accLines: 1,
		answers: []answer{
			{"INVITE", "i2", "c2", 486, "Busy Here", "u2", nil},
		},
	},
	{
		name: "missed call without failure_route",
		cfg:  relayed([]string{"log_missed_flag", "2"}, 2),
		uas:  1, accLines: 1,
		answers: []answer{
			{"INVITE", "i3", "c3", 480, "Temporarily Unavailable", "u3", nil},
		},
	},
	{
		name: "failed transactions and failed_filter",
		cfg:  relayed([]string{"log_flag", "1", "failed_transaction_flag", "3", "failed_filter", `"404,480"`}, 1, 3),
		uas:  1, accLines: 1,
		answers: []answer{
			{"INVITE", "i4", "c4", 404, "Not Found", "u4", nil},
			{"INVITE", "i5", "c5", 486, "Busy Here", "u5", nil},
		},
	},
	{
		name: "canceled call",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "log_missed_flag", 2)
modparam("acc", "report_cancels", 1)
request_route {
	if (is_method("CANCEL")) {
		setflag(1);
	} else {
		setflag(2);
	}
` + relayRoute + `}
`,
		uas: 1, accLines: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			invite := phone.Request("INVITE", "sip:bob@127.0.0.1", "i6", "c6", 1)
			phone.SendTo(tg.SIPAddr(), invite)
			inv := uas[0].RecvMethod("INVITE")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 180, "Ringing", "u6"))
			phone.RecvStatus(180)
			phone.SendTo(tg.SIPAddr(), phone.Request("CANCEL", "sip:bob@127.0.0.1", "i6", "c6", 1))
			phone.RecvStatus(200)
			cancel := uas[0].RecvMethod("CANCEL")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(cancel, 200, "OK", "u6"))
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 487, "Request Terminated", "u6"))
			phone.RecvStatus(487)
		},
	},
	{
		name: "local negative reply",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "log_missed_flag", 2)
modparam("acc", "failed_transaction_flag", 3)
request_route {
	setflag(1);
	setflag(2);
	setflag(3);
	t_newtran();
	t_reply("404", "Nobody here");
}
`,
		accLines: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i7", "c7", 1))
			phone.RecvStatus(404)
		},
	},
	{
		name: "script accounting",
		cfg: `modparam("acc", "log_extra", "ua=$hdr(User-Agent);src=$si;nothing=$hdr(X-None)")
request_route {
	acc_log_request("200 Accounted request");
	acc_log_request("no code here");
	$var(c) = "404 Not Found via var";
	route(ACCV);
	$var(c) = "no code this time";
	route(ACCV);
	acc_request("603 Declined here", "acc");
	$var(d) = "200 costs 5$";
	if (!acc_request("$var(d)", "acc")) {
		xlog("L_INFO", "acc_request refused a dollar\n");
	}
	if (!acc_db_request("200 x", "acc")) {
		xlog("L_INFO", "acc_db_request failed\n");
	}
	sl_send_reply("200", "OK");
}
route[ACCV] {
	acc_log_request("$var(c)");
}
`,
		accLines: 5,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("OPTIONS", "sip:bob@127.0.0.1", "o1", "c8", 1, "User-Agent: phone/1.0"))
			phone.RecvStatus(200)
		},
	},
	{
		name: "multi-leg info and time_mode",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "multi_leg_info", "leg_src=$avp(src);leg_dst=$avp(dst)")
modparam("acc", "time_mode", 1)
modparam("acc", "time_exten", "usec")
request_route {
	setflag(1);
	$avp(src) = "first";
	$avp(dst) = "one";
	$avp(src) = "second";
	$avp(dst) = 2;
	$avp(dst) = "three";
	acc_log_request("200 legs");
` + relayRoute + `}
`,
		uas: 1, accLines: 2,
		answers: []answer{
			{"MESSAGE", "m1", "c9", 202, "Accepted", "u9", nil},
		},
	},
	{
		name: "early media, log_level and a repeated 2xx",
		cfg:  relayed([]string{"log_flag", "1", "early_media", "1", "log_level", "2"}, 1),
		uas:  1, accLines: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), siptest.WithSDP(phone.Request("INVITE", "sip:bob@127.0.0.1", "i10", "c10", 1)))
			inv := uas[0].RecvMethod("INVITE")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 180, "Ringing", "u10"))
			phone.RecvStatus(180)
			uas[0].SendTo(tg.SIPAddr(), siptest.WithSDP(siptest.Reply(inv, 183, "Session Progress", "u10")))
			phone.RecvStatus(183)
			uas[0].SendTo(tg.SIPAddr(), siptest.WithSDP(siptest.Reply(inv, 200, "OK", "u10")))
			phone.RecvStatus(200)
			uas[0].SendTo(tg.SIPAddr(), siptest.WithSDP(siptest.Reply(inv, 200, "OK", "u10")))
			phone.RecvStatus(200)
		},
	},
	{
		name: "reason from the Reason header",
		cfg:  relayed([]string{"log_flag", "1", "failed_transaction_flag", "1", "reason_from_hf", "1"}, 1),
		uas:  1, accLines: 2,
		answers: []answer{
			{"INVITE", "i11", "c11", 486, "Busy Here", "u11", []string{`Reason: Q.850;cause=17;text="User busy"`}},
			{"INVITE", "i12", "c12", 603, "Decline", "u12", nil},
		},
	},
	{
		name: "detect_direction swaps the tags upstream",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "detect_direction", 1)
request_route {
	loose_route();
	setflag(1);
	t_on_failure("f");
	t_relay();
}
failure_route[f] {
	acc_log_request("487 from failure_route");
}
`,
		uas: 1, accLines: 4,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			for i, from := range []string{"<sip:alice@127.0.0.1>;tag=a-c13", "<sip:bob@127.0.0.1>;tag=b-c13"} {
				to := "<sip:bob@127.0.0.1>;tag=b-c13"
				if i == 1 {
					to = "<sip:alice@127.0.0.1>;tag=a-c13"
				}
				bye := strings.Join([]string{
					"BYE sip:peer@127.0.0.1:" + itoa(uas[0].Port()) + " SIP/2.0",
					"Via: SIP/2.0/UDP 127.0.0.1:" + itoa(phone.Port()) + ";branch=z9hG4bKb13" + itoa(i),
					"Route: <sip:" + tg.SIPAddr() + ";lr;ftag=a-c13>",
					"Max-Forwards: 70",
					"From: " + from,
					"To: " + to,
					"Call-ID: c13",
					"CSeq: " + itoa(10+i) + " BYE",
					"Content-Length: 0",
				}, "\r\n") + "\r\n\r\n"
				phone.SendTo(tg.SIPAddr(), bye)
				req := uas[0].RecvMethod("BYE")
				uas[0].SendTo(tg.SIPAddr(), siptest.Reply(req, 200, "OK", ""))
				phone.RecvStatus(200)
				// The same BYE again, as a new transaction, fails.
				phone.SendTo(tg.SIPAddr(), strings.Replace(bye, "branch=z9hG4bKb13", "branch=z9hG4bKb14", 1))
				req = uas[0].RecvMethod("BYE")
				uas[0].SendTo(tg.SIPAddr(), siptest.Reply(req, 481, "Call Does Not Exist", ""))
				phone.RecvStatus(481)
			}
		},
	},
	{
		name: "missed call on timeout",
		cfg:  relayed([]string{"log_missed_flag", "2"}, 2),
		uas:  1, accLines: 1,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i14", "c14", 1))
			uas[0].RecvMethod("INVITE")
			tg.Advance(2500 * time.Millisecond)
			phone.RecvStatus(408)
		},
	},
	{
		name: "acc_prepare_flag and flags set later",
		cfg: `modparam("acc", "log_flag", 1)
modparam("acc", "log_missed_flag", 2)
modparam("acc", "acc_prepare_flag", 5)
request_route {
	setflag(5);
	t_on_reply("rpl");
	t_on_failure("again");
` + relayRoute + `}
onreply_route[rpl] {
	if ($rs == 200) {
		setflag(1);
	}
}
failure_route[again] {
	setflag(2);
	t_on_failure("last");
	$ru = "sip:bob2@127.0.0.1:UAS1";
	t_relay();
}
failure_route[last] {
	xlog("L_INFO", "last failure\n");
}
`,
		uas: 1, accLines: 2,
		play: func(t *testing.T, tg siptest.Target, phone *siptest.UA, uas []*siptest.UA) {
			phone.SendTo(tg.SIPAddr(), phone.Request("INVITE", "sip:bob@127.0.0.1", "i15", "c15", 1))
			inv := uas[0].RecvMethod("INVITE")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 486, "Busy Here", "u15"))
			inv = uas[0].RecvMethod("INVITE")
			uas[0].SendTo(tg.SIPAddr(), siptest.Reply(inv, 480, "Temporarily Unavailable", "u16"))
			phone.RecvStatus(480)
			siptest.Answer(tg.SIPAddr(), phone, phone.Request("INVITE", "sip:bob@127.0.0.1", "i17", "c17", 1), uas[0], 200, "OK", "u17")
		},
	},
	{
		name: "extras reading the transaction",
		cfg: `loadmodule "tmx.so"
modparam("acc", "log_flag", 1)
modparam("acc", "log_missed_flag", 2)
modparam("acc", "failed_transaction_flag", 3)
modparam("acc", "log_extra", "trc=$T_reply_code;ru=$ru;rm=$rm;rs=$rs;fl=$mf")
request_route {
	setflag(1);
	setflag(2);
	setflag(3);
	$ru = "sip:carol@127.0.0.1:UAS1";
	t_relay();
}
`,
		uas: 1, accLines: 2,
		answers: []answer{
			{"INVITE", "i18", "c18", 486, "Busy Here", "u18", nil},
		},
	},
}

func itoa(n int) string { return strconv.Itoa(n) }

// run plays sc on one server and returns its masked acc and script
// lines.
func run(t *testing.T, sc scenario, start func(t *testing.T, cfg string, peers ...*siptest.UA) siptest.Target) []string {
	t.Helper()
	phone := siptest.NewUA(t, "phone")
	var uas []*siptest.UA
	for range sc.uas {
		uas = append(uas, siptest.NewUA(t, "uas"))
	}
	tg := start(t, sc.cfg, uas...)
	for _, a := range sc.answers {
		siptest.Answer(tg.SIPAddr(), phone, phone.Request(a.method, "sip:bob@127.0.0.1", a.branch, a.callID, 1), uas[0], a.code, a.reason, a.toTag, a.extra...)
	}
	if sc.play != nil {
		sc.play(t, tg, phone, uas)
	}
	tg.WaitLog(t, "ACC: ", sc.accLines)
	// Lines that must not come (a second report) would come now.
	time.Sleep(siptest.Quiet)
	return accLines(tg.Lines())
}

// TestSIP plays every scenario on kamgo and compares the accounting lines
// with Kamailio's.
func TestSIP(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			got := run(t, sc, startKamgo)
			want := sc.want(t)
			if !slices.Equal(got, want) {
				t.Errorf("lines differ\ngot:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}
