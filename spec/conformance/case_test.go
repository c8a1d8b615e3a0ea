package conformance

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
)

func TestLoadAllCases(t *testing.T) {
	cases, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 600 {
		t.Fatalf("only %d cases", len(cases))
	}
	areas := map[string]int{}
	for _, c := range cases {
		areas[c.Area()]++
		if !strings.Contains(c.Cfg, "route[TEST]") && c.Check == "" {
			t.Errorf("%s: no route[TEST]", c.Name)
		}
		if c.SIP != nil && !strings.Contains(c.Cfg, `evapi_relay("`+kamref.SyncMessage+`")`) {
			t.Errorf("%s: a route handling a SIP message must relay %q when done", c.Name, kamref.SyncMessage)
		}
	}
	for _, a := range []string{"ops", "types", "control", "retcode", "pv", "trans", "strings", "modules", "check", "semantics"} {
		if areas[a] == 0 {
			t.Errorf("area %s has no cases", a)
		}
	}
}

// TestFormatKeepsFiles checks that every case file is exactly what Format
// writes, so that -update changes only what Kamailio changed.
func TestFormatKeepsFiles(t *testing.T) {
	cases, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		data, err := os.ReadFile(filepath.FromSlash(c.Name) + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Format(); string(got) != string(data) {
			t.Errorf("%s: Format does not give the file back:\n%s", c.Name, got)
		}
		back, err := Parse(c.Name, c.Format())
		if err != nil {
			t.Fatalf("%s: reparse: %v", c.Name, err)
		}
		if !equal(back, c) {
			t.Errorf("%s: round trip changed the case", c.Name)
		}
	}
}

func equal(a, b Case) bool {
	return a.Cfg == b.Cfg && a.Check == b.Check && a.Comment == b.Comment &&
		slices.Equal(a.Send, b.Send) && slices.Equal(a.SIP, b.SIP) && slices.Equal(a.Log, b.Log) &&
		slices.Equal(a.Relay, b.Relay) && slices.Equal(a.CoreLog, b.CoreLog) && maps.Equal(a.Varies, b.Varies)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"nocomment", "-- cfg --\nroute[TEST] { }\n-- log --\n-- relay --\n", "missing comment"},
		{"nocfg", "c\n-- log --\n-- relay --\n", "missing cfg"},
		{"nolog", "c\n-- cfg --\nx\n-- relay --\n", "missing log or relay"},
		{"unknown", "c\n-- cfg --\nx\n-- bogus --\n", "unknown section"},
		{"twice", "c\n-- cfg --\nx\n-- cfg --\ny\n", "twice"},
		{"checksend", "c\n-- cfg --\nx\n-- send --\na\n-- check --\nreject 1 e\n", "no send"},
		{"checksip", "c\n-- cfg --\nx\n-- sip --\na\n-- check --\nreject 1 e\n", "no send, sip"},
		{"badcheck", "c\n-- cfg --\nx\n-- check --\nmaybe\n", "reject"},
		{"badquote", "c\n-- cfg --\nx\n-- send --\n\"abc\n-- log --\n-- relay --\n", "quoted"},
		{"sendsip", "c\n-- cfg --\nx\n-- send --\na\n-- sip --\nb\n-- log --\n-- relay --\n", "not both"},
		{"emptysip", "c\n-- cfg --\nx\n-- sip --\n-- log --\n-- relay --\n", "empty sip"},
		{"variesbad", "c\n-- varies --\nit does\n-- cfg --\nx\n-- log --\n-- relay --\n", "log: reason"},
		{"variesempty", "c\n-- varies --\n-- cfg --\nx\n-- log --\n-- relay --\n", "empty varies"},
		{"variesnoreason", "c\n-- varies --\nlog:\n-- cfg --\nx\n-- log --\n-- relay --\n", "no reason"},
		{"variestwice", "c\n-- varies --\nlog: a\nlog: b\n-- cfg --\nx\n-- log --\n-- relay --\n", "twice"},
		{"variescheck", "c\n-- varies --\nlog: a\n-- cfg --\nx\n-- check --\nreject 1 e\n", "no send"},
	} {
		_, err := Parse(tc.name, []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestQuotedLines(t *testing.T) {
	c := Case{Name: "q", Comment: "c", Cfg: "x\n", Send: []string{"a\tb", `"q"`, "plain"},
		Log: []string{"INFO: a\tb", "cont"}, Relay: []string{"l1\nl2", `"s`}, CoreLog: []string{"ERROR: x\x1b"}}
	back, err := Parse("q", c.Format())
	if err != nil {
		t.Fatal(err)
	}
	if !equal(back, c) {
		t.Fatalf("got %q %q %q %q", back.Send, back.Log, back.Relay, back.CoreLog)
	}
}

func TestSIPAndVaries(t *testing.T) {
	c := Case{Name: "s", Comment: "c", Cfg: "x\n", SIP: []string{"OPTIONS sip:a@b SIP/2.0", "Content-Length: 0", ""},
		Log: []string{"INFO: x"}, Varies: map[string]string{"log": "garbage", "corelog": "pointers"}}
	text := string(c.Format())
	if !strings.HasPrefix(text, "c\n-- varies --\nlog: garbage\ncorelog: pointers\n-- cfg --\n") {
		t.Fatalf("varies is not first:\n%s", text)
	}
	back, err := Parse("s", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !equal(back, c) {
		t.Fatalf("round trip: %+v", back)
	}
	if got, want := back.SIPMessage(), "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"; got != want {
		t.Fatalf("SIPMessage %q, want %q", got, want)
	}
}

func TestConfig(t *testing.T) {
	c := Case{Cfg: "route[TEST] { }\n"}
	got := c.Config(5070, 5071)
	if !strings.HasPrefix(got, "#!KAMAILIO") || !strings.Contains(got, "127.0.0.1:5071") ||
		!strings.Contains(got, "udp:127.0.0.1:5070") || strings.Contains(got, "%%") {
		t.Fatalf("bad config:\n%s", got)
	}
	if n := strings.Count(got[:strings.Index(got, "route[TEST]")], "\n"); n != PreludeLines() {
		t.Fatalf("cfg starts after %d lines, PreludeLines says %d", n, PreludeLines())
	}
}
