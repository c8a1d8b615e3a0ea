package conformance

import (
	"slices"
	"strings"
	"testing"
)

func TestLoadAllCases(t *testing.T) {
	cases, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 220 {
		t.Fatalf("only %d cases", len(cases))
	}
	areas := map[string]int{}
	for _, c := range cases {
		areas[strings.SplitN(c.Name, "/", 2)[0]]++
		if !strings.Contains(c.Cfg, "route[TEST]") && c.Check == "" {
			t.Errorf("%s: no route[TEST]", c.Name)
		}
		if c.Check != "" && (c.Send != nil || c.Log != nil || c.Relay != nil) {
			t.Errorf("%s: check case with send/log/relay", c.Name)
		}
	}
	for _, a := range []string{"ops", "types", "control", "retcode", "pv", "trans", "strings", "modules", "check"} {
		if areas[a] == 0 {
			t.Errorf("area %s has no cases", a)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	cases, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		back, err := Parse(c.Name, c.Format())
		if err != nil {
			t.Fatalf("%s: reparse: %v", c.Name, err)
		}
		if back.Cfg != c.Cfg || back.Check != c.Check || back.Comment != c.Comment ||
			!slices.Equal(back.Send, c.Send) || !slices.Equal(back.Log, c.Log) || !slices.Equal(back.Relay, c.Relay) {
			t.Errorf("%s: round trip changed the case", c.Name)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"nocomment", "-- cfg --\nroute[TEST] { }\n-- log --\n-- relay --\n", "missing comment"},
		{"nocfg", "c\n-- log --\n-- relay --\n", "missing cfg"},
		{"nolog", "c\n-- cfg --\nx\n-- relay --\n", "missing log or relay"},
		{"unknown", "c\n-- cfg --\nx\n-- bogus --\n", "unknown section"},
		{"twice", "c\n-- cfg --\nx\n-- cfg --\ny\n", "twice"},
		{"checksend", "c\n-- cfg --\nx\n-- send --\na\n-- check --\nreject 1 e\n", "no send"},
		{"badcheck", "c\n-- cfg --\nx\n-- check --\nmaybe\n", "reject"},
		{"badquote", "c\n-- cfg --\nx\n-- send --\n\"abc\n-- log --\n-- relay --\n", "quoted"},
	} {
		_, err := Parse(tc.name, []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestQuotedLines(t *testing.T) {
	c := Case{Name: "q", Comment: "c", Cfg: "x\n", Send: []string{"a\tb", `"q"`, "plain"},
		Log: []string{"INFO: a\tb", "cont"}, Relay: []string{"l1\nl2", `"s`}}
	back, err := Parse("q", c.Format())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Send, c.Send) || !slices.Equal(back.Log, c.Log) || !slices.Equal(back.Relay, c.Relay) {
		t.Fatalf("got %q %q %q", back.Send, back.Log, back.Relay)
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
