package siptest_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

func TestMaskPorts(t *testing.T) {
	ports := []siptest.Port{{Port: 28908, Name: "<bob>"}, {Port: 5060, Name: "<proxy>"}}
	for _, tc := range []struct{ in, want string }{
		{"Via: SIP/2.0/UDP 127.0.0.1:28908;rport=28908", "Via: SIP/2.0/UDP 127.0.0.1:<bob>;rport=<bob>"},
		{"Contact: <sip:a@10.0.0.5;alias=127.0.0.1~28908~1>", "Contact: <sip:a@10.0.0.5;alias=127.0.0.1~<bob>~1>"},
		{"m=audio 28908\r\n", "m=audio <bob>\r\n"},
		// A port inside a longer number or name stays.
		{"o=alice 2890844526 2890844526 IN IP4 192.0.2.50", "o=alice 2890844526 2890844526 IN IP4 192.0.2.50"},
		{"x:289081 y=28908a sip:h:5060>", "x:289081 y=28908a sip:h:<proxy>>"},
	} {
		if got := siptest.MaskPorts(tc.in, ports...); got != tc.want {
			t.Errorf("MaskPorts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBlocks(t *testing.T) {
	got := siptest.Blocks("before\n== 1 a\nline\n== x\n\n== 2 b\nl1\nl2\n")
	// Every line that starts with "== " starts a block.
	want := []siptest.Block{{"1 a", "line\n"}, {"x", "\n"}, {"2 b", "l1\nl2\n"}}
	if !slices.Equal(got, want) {
		t.Errorf("Blocks = %q, want %q", got, want)
	}
}

func TestDiff(t *testing.T) {
	if got := siptest.Diff("a\nb\nc", "a\nB\nc\nd"); got != "line 2:\n  want \"b\"\n  got  \"B\"\nline 4:\n  want \"\"\n  got  \"d\"\n" {
		t.Errorf("Diff = %q", got)
	}
	if got := siptest.Diff("same", "same"); got != "" {
		t.Errorf("Diff of equal texts = %q", got)
	}
}

func TestSmallHelpers(t *testing.T) {
	if got := siptest.PortOf("127.0.0.1:5060"); got != 5060 {
		t.Errorf("PortOf = %d", got)
	}
	if got := siptest.LF("a\r\nb\r\n"); got != "a\nb\n" {
		t.Errorf("LF = %q", got)
	}
	if got := siptest.Build([]string{"OPTIONS sip:a SIP/2.0", "CSeq: 1 OPTIONS"}, "xy"); got != "OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 2\r\n\r\nxy" {
		t.Errorf("Build = %q", got)
	}
	lines := []string{"A", "B"}
	_ = siptest.Build(lines[:1], "")
	if lines[1] != "B" {
		t.Error("Build wrote into its argument's array")
	}
}

func TestRequestReply(t *testing.T) {
	ua := siptest.NewUA(t, "phone")
	req := siptest.WithToTag(ua.Request("INVITE", "sip:bob@127.0.0.1", "b1", "c1", 2, "Record-Route: <sip:p;lr>", "X-A: 1"), "t0")
	m := siptest.Parse(t, req)
	if m.Method != "INVITE" || siptest.TopBranch(m) != "z9hG4bKb1" || m.Buf != req {
		t.Fatalf("request:\n%s", req)
	}
	if to, _ := m.Header("to"); to != "<sip:bob@127.0.0.1>;tag=t0" {
		t.Errorf("To %q", to)
	}
	r := siptest.Parse(t, siptest.Reply(m, 180, "Ringing", "t1", "X-B: 2"))
	if siptest.Status(r) != "180 Ringing" {
		t.Errorf("status %q", siptest.Status(r))
	}
	// The To had a tag already: it is kept; Record-Route is copied.
	for _, h := range []string{"To: <sip:bob@127.0.0.1>;tag=t0", "Record-Route: <sip:p;lr>", "X-B: 2", "CSeq: 2 INVITE"} {
		if !strings.Contains(r.Buf, "\r\n"+h+"\r\n") {
			t.Errorf("reply lacks %q:\n%s", h, r.Buf)
		}
	}
	if strings.Contains(r.Buf, "X-A") {
		t.Errorf("reply copies X-A:\n%s", r.Buf)
	}
	sdp := siptest.Parse(t, siptest.WithSDP(ua.Request("INVITE", "sip:b", "b2", "c2", 1)))
	if ct, _ := sdp.Header("content-type"); ct != "application/sdp" || !strings.HasSuffix(sdp.Buf, "\r\n\r\n"+siptest.SDP) {
		t.Errorf("WithSDP:\n%s", sdp.Buf)
	}
}

func TestPlaceholders(t *testing.T) {
	uas := []*siptest.UA{siptest.NewUA(t, "1"), siptest.NewUA(t, "2")}
	got := strings.NewReplacer(siptest.Placeholders(uas...)...).Replace("UAS1 UAS2")
	if want := strconv.Itoa(uas[0].Port()) + " " + strconv.Itoa(uas[1].Port()); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSwitch(t *testing.T) {
	got := siptest.Switch("$var(c)",
		siptest.Case{Name: "a", Body: []string{"f();", "while (1) {", "\tg();", "}"}},
		siptest.Case{Name: "b", Body: []string{"h();"}})
	want := "\tif ($var(c) == \"a\") {\n\t\tf();\n\t\twhile (1) {\n\t\t\tg();\n\t\t}\n\t} else if ($var(c) == \"b\") {\n\t\th();\n\t}\n"
	if got != want {
		t.Errorf("Switch:\n%s\nwant\n%s", got, want)
	}
}

func TestRecords(t *testing.T) {
	got := siptest.Records([]string{"stray", "INFO: <script>: one", "two", "ERROR: <tm>: three"})
	want := []siptest.Record{{"INFO", "script", "one\ntwo"}, {"ERROR", "tm", "three"}}
	if !slices.Equal(got, want) {
		t.Errorf("Records = %q", got)
	}
	if s := siptest.Strings(want); !slices.Equal(s, []string{"INFO: script: one\ntwo", "ERROR: tm: three"}) {
		t.Errorf("Strings = %q", s)
	}
}

// TestLoadModules: one loadmodule line per name, in order.
func TestLoadModules(t *testing.T) {
	if got, want := siptest.LoadModules("tm", "sl"), "loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n"; got != want {
		t.Errorf("LoadModules: %q, want %q", got, want)
	}
	if got := siptest.LoadModules(); got != "" {
		t.Errorf("LoadModules(): %q", got)
	}
}
