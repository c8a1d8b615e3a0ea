package acc

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/internal/strftime"
	"github.com/kamgo/kamgo/lang/diag"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// when is a fixed time: 2023-11-14 22:13:20.123456 UTC.
var when = time.Unix(1700000000, 123456789)

func TestLineFormat(t *testing.T) {
	c := core{method: "INVITE", fromTag: "ft", toTag: "tt", callID: "cid", code: "486", reason: "Busy Here"}
	tests := []struct {
		name string
		l    line
		t    timeOpts
		want string
	}{
		{"core only", line{text: textAnswered, when: when, core: c}, timeOpts{},
			"ACC: transaction answered: timestamp=1700000000;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
		{"empty values", line{text: textRequest, when: when, core: core{method: "OPTIONS", reason: "no code"}}, timeOpts{},
			"ACC: request accounted: timestamp=1700000000;method=OPTIONS;from_tag=;to_tag=;call_id=;code=;reason=no code"},
		{"extras", line{text: textMissed, when: when, core: c, extraN: []string{"src", "dst"}, extraV: []string{"alice", ""}}, timeOpts{},
			"ACC: call missed: timestamp=1700000000;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here;src=alice;dst="},
		{"legs", line{text: textAcked, when: when, core: c, legN: []string{"a", "b"}, legs: [][]string{{"1", "x"}, {"2", ""}}}, timeOpts{},
			"ACC: request acknowledged: timestamp=1700000000;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here;a=1;b=x;a=2;b="},
		{"time_mode 1", line{text: textAnswered, when: when, core: c}, timeOpts{mode: 1, exten: "time_exten", attr: "time_attr"},
			"ACC: transaction answered: timestamp=1700000000;time_exten=123456;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
		{"time_mode 2", line{text: textAnswered, when: when, core: c}, timeOpts{mode: 2, attr: "t"},
			"ACC: transaction answered: timestamp=1700000000;t=1700000000.123;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
		{"time_mode 4", line{text: textAnswered, when: when, core: c}, timeOpts{mode: 4, attr: "t", format: "%Y-%m-%d %H:%M:%S"},
			"ACC: transaction answered: timestamp=1700000000;t=2023-11-14 22:13:20;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
		{"time_mode 4 too long", line{text: textAnswered, when: when, core: c}, timeOpts{mode: 4, attr: "t", format: strings.Repeat("%Y", 40)},
			"ACC: transaction answered: timestamp=1700000000;t=;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
		{"time_mode 9 is 0", line{text: textAnswered, when: when, core: c}, timeOpts{mode: 9, attr: "t"},
			"ACC: transaction answered: timestamp=1700000000;method=INVITE;from_tag=ft;to_tag=tt;call_id=cid;code=486;reason=Busy Here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.format(tc.t); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestLineTruncated(t *testing.T) {
	big := strings.Repeat("x", maxLine/2)
	l := line{text: textRequest, when: when, core: core{method: "MESSAGE"},
		extraN: []string{"a", "b", "c"}, extraV: []string{big, big, "small"}}
	got := l.format(timeOpts{})
	if !strings.Contains(got, ";a="+big) || strings.Contains(got, ";b=") || strings.Contains(got, ";c=") {
		t.Errorf("truncation kept the wrong attributes (%d bytes)", len(got))
	}
	if len(l.warnings) != 1 {
		t.Errorf("warnings = %q", l.warnings)
	}
}

func TestCoreOf(t *testing.T) {
	msg, err := sipmsg.Parse("INVITE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" +
		"From: \"A\" <sip:a@h>;tag=ft\r\nTo: <sip:b@h>\r\nCall-ID:  cid \r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		e    env
		want core
	}{
		{"reply to", env{to: "<sip:b@h>;tag=tt", code: "200", reason: "OK"},
			core{method: "INVITE", fromTag: "ft", toTag: "tt", callID: "cid", code: "200", reason: "OK"}},
		{"no to-tag takes the kept one", env{to: "<sip:b@h>", toTag: "kept"},
			core{method: "INVITE", fromTag: "ft", toTag: "kept", callID: "cid"}},
		{"upstream swaps", env{to: "<sip:b@h>;tag=tt", upstream: true},
			core{method: "INVITE", fromTag: "tt", toTag: "ft", callID: "cid"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := coreOf(msg, tc.e); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseFailedFilter(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{"404", []int{404}, ""},
		{"404,486,603", []int{404, 486, 603}, ""},
		{"40", nil, "must have 3 digits"},
		{"4040", nil, "must have 3 digits"},
		{"200", nil, "invalid respose code 200"},
		{"404;486", nil, "not followed by comma"},
		{"404,", nil, "must have 3 digits"},
		{strings.Repeat("404,", 15) + "404", nil, "too many elements"},
	}
	for _, tc := range tests {
		got, err := parseFailedFilter(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantErr)
			}
		case err != nil || !slices.Equal(got, tc.want):
			t.Errorf("%q: got %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseComment(t *testing.T) {
	tests := []struct {
		in, prev string
		want     comment
	}{
		{"200 OK", "", comment{"200", "OK"}},
		{"486\t  Busy", "", comment{"486", "Busy"}},
		{"200", "", comment{"200", ""}},
		{"20 x", "", comment{"", "20 x"}},
		{"no code", "404", comment{"404", "no code"}},
		{"6035 Decl", "", comment{"603", "5 Decl"}},
	}
	for _, tc := range tests {
		if got := parseComment(tc.in, tc.prev); got != tc.want {
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func newHost(t *testing.T) *pvtest.Host {
	t.Helper()
	info, ok := module.Lookup("pv")
	if !ok {
		t.Fatal("no pv module")
	}
	h, err := pvtest.NewHost(info.New())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestParseExtras(t *testing.T) {
	h := newHost(t)
	tests := []struct {
		in      string
		size    int
		names   []string
		wantErr string
	}{
		{"a=$fU", 64, []string{"a"}, ""},
		{" a = $fU ; b=$(hdr(X)[0]);c=$avp(x)", 64, []string{"a", "b", "c"}, ""},
		{"a=$fU;", 64, nil, "around position 6"},
		{"a=$fU;b=$tU", 1, nil, "too many extras"},
		{"a", 64, nil, "parse failed"},
		{"a b=$fU", 64, nil, "parse failed"},
		{"a=nothing", 64, nil, "parse failed"},
		{"a=$fU b=$tU", 64, nil, "parse failed"},
		{"   ", 64, nil, "parse failed"},
	}
	for _, tc := range tests {
		ex, err := parseExtras(h, tc.in, tc.size)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var names []string
		for _, e := range ex {
			names = append(names, e.name)
		}
		if !slices.Equal(names, tc.names) {
			t.Errorf("%q: names %q, want %q", tc.in, names, tc.names)
		}
	}
}

func TestParseLegs(t *testing.T) {
	h := newHost(t)
	if _, err := parseLegs(h, "a=$avp(a);b=$avp(b)", 64); err != nil {
		t.Errorf("AVP legs: %v", err)
	}
	if _, err := parseLegs(h, "a=$avp(a);b=$fU", 64); err == nil || !strings.Contains(err.Error(), "only AVP") {
		t.Errorf("a leg that is not an AVP: %v", err)
	}
	var many []string
	for i := 0; i < maxLegs+1; i++ {
		many = append(many, "l"+string(rune('a'+i))+"=$avp(x)")
	}
	if _, err := parseLegs(h, strings.Join(many, ";"), 64); err == nil || !strings.Contains(err.Error(), "MAX=16") {
		t.Errorf("17 legs: %v", err)
	}
}

func TestLegValues(t *testing.T) {
	h := newHost(t)
	m := newModule()
	m.host = h
	legs, err := parseLegs(h, "a=$avp(a);b=$avp(b)", 64)
	if err != nil {
		t.Fatal(err)
	}
	c := &event.Context{}
	c.Reset()
	set, err := h.CompilePV("$avp(a)", diagRange())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"old", "new"} {
		if err := set.Set(c, valueStr(v)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for i := 0; i < 3; i++ {
		a, okA := m.legValue(c, legs[0], i)
		b, okB := m.legValue(c, legs[1], i)
		got = append(got, a+"/"+b+"/"+boolStr(okA || okB))
	}
	want := []string{"new//true", "old//true", "//false"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStrftime(t *testing.T) {
	u := time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)
	tests := map[string]string{
		"%Y-%m-%d %H:%M:%S": "2024-03-05 07:08:09",
		"%y%C %e %j":        "2420  5 065",
		"%a %A %b %B %h":    "Tue Tuesday Mar March Mar",
		"%I %p %u %w":       "07 AM 2 2",
		"%s %Z %z":          "1709622489 UTC +0000",
		"%F %T %R %D":       "2024-03-05 07:08:09 07:08 03/05/24",
		"%% %q %":           "% %q %",
	}
	for f, want := range tests {
		if got := strftime.Format(f, u); got != want {
			t.Errorf("%q: got %q, want %q", f, got, want)
		}
	}
}

func TestFlags(t *testing.T) {
	if !flagSet(1<<3, 3) || flagSet(1<<3, 2) || flagSet(0xffffffff, -1) || flagSet(0xffffffff, 40) {
		t.Error("flagSet")
	}
	if flagInRange(-1) || flagInRange(32) || !flagInRange(0) || !flagInRange(31) {
		t.Error("flagInRange")
	}
}

func diagRange() diag.Range { return diag.Range{} }

func valueStr(s string) value.Value { return value.MakeStr(s) }

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
