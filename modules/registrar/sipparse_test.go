package registrar

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestParseQ: q values as Kamailio's str2q reads them, in thousandths.
func TestParseQ(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1000, true}, {"1.0", 1000, true}, {"1.000", 1000, true}, {"0", 0, true},
		{"0.5", 500, true}, {".5", 500, true}, {"0.123", 123, true}, {"0.1239", 123, true},
		{" 0.25", 250, true}, {"00.7", 700, true}, {"01", 1000, true},
		{"", 0, false}, {"2", 0, false}, {"1.5", 0, false}, {"0.", 0, false}, {"1.", 0, false},
		{"x", 0, false}, {"0.5x", 0, false}, {"10", 0, false},
	} {
		got, ok := parseQ(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseQ(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestExpiresHeader: a number, -1 for none or a date, and an error for an
// empty value.
func TestExpiresHeader(t *testing.T) {
	for _, tc := range []struct {
		hdr  string
		want int64
		ok   bool
	}{
		{"", -1, true}, {"Expires: 300\r\n", 300, true}, {"Expires: 0\r\n", 0, true},
		{"Expires: 60 x\r\n", 60, true}, {"Expires: Thu, 01 Dec 1994 16:00:00 GMT\r\n", -1, true},
		{"Expires: 12345678901\r\n", -1, true}, {"Expires: \r\n", -1, false},
	} {
		msg, err := sipmsg.Parse("REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" +
			"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n" + tc.hdr + "Content-Length: 0\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := expiresHeader(msg)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %d, %v; want %d, %v", tc.hdr, got, ok, tc.want, tc.ok)
		}
	}
}

// TestParseMethods: method names to Kamailio's flags; unknown names are
// METHOD_OTHER.
func TestParseMethods(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"INVITE", 1, true}, {"INVITE, ACK,BYE", 13, true}, {"invite", 1, true}, {"FOO", methodOther, true},
		{"", 0, true}, {"INVITE ACK", 0, false},
	} {
		got, ok := parseMethods(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseMethods(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestParseContacts: name-addr and addr-spec forms, parameters with
// quoted values, "*" alone or mixed.
func TestParseContacts(t *testing.T) {
	msg, err := sipmsg.Parse("REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" +
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: \"A, B\" <sip:a@h;transport=tcp>;q=0.5;+sip.instance=\"<urn:x;y>\";reg-id=1, sip:b@h;expires=30\r\n" +
		"Content-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	cs, ok := parseContacts(msg)
	if !ok || cs.star || len(cs.list) != 2 {
		t.Fatalf("parseContacts: %+v, %v", cs, ok)
	}
	a, b := cs.list[0], cs.list[1]
	if a.uri != "sip:a@h;transport=tcp" || a.q.value != "0.5" || a.instance.value != "<urn:x;y>" || a.regID.value != "1" {
		t.Errorf("first contact: %+v", a)
	}
	if b.uri != "sip:b@h" || b.expires.value != "30" || b.q != nil {
		t.Errorf("second contact: %+v", b)
	}
}

// TestUnescape: %XX escapes in the user part of an AOR.
func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{"alice": "alice", "a%40b": "a@b", "%41%62": "Ab"} {
		if got, ok := unescape(in); !ok || got != want {
			t.Errorf("unescape(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"a%4", "a%zz", "%"} {
		if _, ok := unescape(bad); ok {
			t.Errorf("unescape(%q) succeeded", bad)
		}
	}
}

// TestStrno2int: save's flags, decimal or hex.
func TestStrno2int(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "2": 2, "0x02": 2, "0X1f": 31, "31": 31} {
		if got, ok := strno2int(in); !ok || got != want {
			t.Errorf("strno2int(%q) = %d, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "x", "0x", "-1", "0xg"} {
		if _, ok := strno2int(bad); ok {
			t.Errorf("strno2int(%q) succeeded", bad)
		}
	}
}
