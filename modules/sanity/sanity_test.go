package sanity_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sanity"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// run loads the config (with a UDP listen line on a free port) as `kamgo
// run` does and serves SIP; it returns the SIP address.
func run(t *testing.T, cfg string) string {
	t.Helper()
	return siptest.Start(t, "children=1\n"+siptest.ListenUDP+"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\n"+
		"loadmodule \"xlog.so\"\nloadmodule \"sanity.so\"\n"+cfg, siptest.Options{Name: "sanity.cfg"}).Addr
}

// ask sends req (PORT replaced by the sender's port) from a new UA and
// returns the reply's status line and its Unsupported header ("" when
// none).
func ask(t *testing.T, addr, req string) (status, unsupported string) {
	t.Helper()
	ua := siptest.Dial(t, "phone", addr)
	lines := strings.Split(ua.Ask(strings.ReplaceAll(req, "PORT", strconv.Itoa(ua.Port()))), "\r\n")
	for _, l := range lines[1:] {
		if v, ok := strings.CutPrefix(l, "Unsupported: "); ok {
			unsupported = v
		}
	}
	return lines[0], unsupported
}

// request builds a request whose headers are the defaults with those of
// change replaced (by name) or added; a header set to "" is left out.
func request(first string, change map[string]string, body string) string {
	names := []string{"Via", "From", "To", "Call-ID", "CSeq"}
	h := map[string]string{
		"Via":     "SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bK-1",
		"From":    "<sip:alice@a.org>;tag=ft1",
		"To":      "<sip:bob@b.org>",
		"Call-ID": "c1@a.org",
		"CSeq":    "1 " + strings.Fields(first)[0],
	}
	for n, v := range change {
		if _, ok := h[n]; !ok {
			names = append(names, n)
		}
		h[n] = v
	}
	var b strings.Builder
	b.WriteString(first + "\r\n")
	for _, n := range names {
		if h[n] != "" {
			b.WriteString(n + ": " + h[n] + "\r\n")
		}
	}
	if _, ok := change["Content-Length"]; !ok {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	return b.String() + "\r\n" + body
}

// TestReplies sends requests that fail one check each and compares the
// replies with those Kamailio 5.6.3 sent for the same requests
// (spec/conformance/modules/sanity/funcs, whose cases name them).
func TestReplies(t *testing.T) {
	addr := run(t, `modparam("sanity", "proxy_require", "foo,bar")
request_route {
	$var(m) = $(hdr(X-Checks){s.int});
	$var(u) = 7;
	if ($hdr(X-URIs) != $null) { $var(u) = $(hdr(X-URIs){s.int}); }
	sanity_check("$var(m)", "$var(u)");
	sl_send_reply("200", "Passed");
}`)
	const (
		inv  = "INVITE sip:bob@example.com SIP/2.0"
		reg  = "REGISTER sip:example.com SIP/2.0"
		opts = "OPTIONS sip:example.com SIP/2.0"
	)
	digest := func(params string) map[string]string {
		return map[string]string{"X-Checks": "2048", "Authorization": "Digest " + params}
	}
	for _, tc := range []struct {
		name, first string
		change      map[string]string
		body        string
		status, uns string
	}{
		{"001 pass", inv, map[string]string{"X-Checks": "3047"}, "", "SIP/2.0 200 Passed", ""},
		{"003 ruri port", "INVITE sip:bob@example.com:99999 SIP/2.0", map[string]string{"X-Checks": "2"}, "", "SIP/2.0 400 Bad Request URI", ""},
		{"004 ruri scheme", "INVITE mailto:bob@example.com SIP/2.0", map[string]string{"X-Checks": "1024", "X-URIs": "1"}, "", "SIP/2.0 400 Bad Request URI", ""},
		{"005 cseq method", inv, map[string]string{"X-Checks": "32", "CSeq": "1 BYE"}, "", "SIP/2.0 400 CSeq method does not match request method", ""},
		{"006 cseq case", inv, map[string]string{"X-Checks": "32", "CSeq": "1 invite"}, "", "SIP/2.0 400 CSeq method does not match request method", ""},
		{"007 cseq big", inv, map[string]string{"X-Checks": "64", "CSeq": "4294967297 INVITE"}, "", "SIP/2.0 400 CSeq number is illegal", ""},
		{"008 cseq 2^32", inv, map[string]string{"X-Checks": "64", "CSeq": "4294967296 INVITE"}, "", "SIP/2.0 200 Passed", ""},
		{"009 cseq long", inv, map[string]string{"X-Checks": "64", "CSeq": "12345678901 INVITE"}, "", "SIP/2.0 400 CSeq number is illegal", ""},
		{"010 content-length", "MESSAGE sip:bob@example.com SIP/2.0", map[string]string{"X-Checks": "128", "Content-Length": "4"}, "hello\r\n", "SIP/2.0 400 Content-Length mis-match", ""},
		{"012 expires text", reg, map[string]string{"X-Checks": "256", "Expires": "abc"}, "", "SIP/2.0 400 Expires value is illegal", ""},
		{"013 expires big", reg, map[string]string{"X-Checks": "256", "Expires": "4294967297"}, "", "SIP/2.0 400 Expires value is illegal", ""},
		{"015 expires ok", reg, map[string]string{"X-Checks": "256", "Expires": "3600"}, "", "SIP/2.0 200 Passed", ""},
		{"016 proxy-require", opts, map[string]string{"X-Checks": "512", "Proxy-Require": "baz"}, "", "SIP/2.0 420 Bad Proxy Require Extension", "baz"},
		{"017 proxy-require list", opts, map[string]string{"X-Checks": "512", "Proxy-Require": "foo,  bar"}, "", "SIP/2.0 200 Passed", ""},
		{"018 proxy-require case", opts, map[string]string{"X-Checks": "512", "Proxy-Require": "foo, Foo"}, "", "SIP/2.0 420 Bad Proxy Require Extension", "Foo"},
		{"020 from uri", opts, map[string]string{"X-Checks": "1024", "X-URIs": "2", "From": "<sip:alice@a.org:70000>;tag=ft1"}, "", "SIP/2.0 400 Invalid From Header", ""},
		{"021 to uri", opts, map[string]string{"X-Checks": "1024", "X-URIs": "4", "To": "<sip:bob@b.org:70000>"}, "", "SIP/2.0 400 Ivalid To Header", ""},
		{"022 contact uri", opts, map[string]string{"X-Checks": "1024", "X-URIs": "8", "Contact": "<sip:alice@10.0.0.1:99999>"}, "", "SIP/2.0 400 Bad Contact URI", ""},
		{"023 contact star", opts, map[string]string{"X-Checks": "1024", "X-URIs": "8", "Contact": "*"}, "", "SIP/2.0 200 Passed", ""},
		{"024 second contact", opts, map[string]string{"X-Checks": "1024", "X-URIs": "8", "Contact": "<sip:alice@10.0.0.1>, <sip:x@h:99999>"}, "", "SIP/2.0 400 Bad Contact URI", ""},
		{"025 digest ok", reg, digest(`username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="0123"`), "", "SIP/2.0 200 Passed", ""},
		{"026 empty user", reg, digest(`username="", realm="example.com", nonce="abc", uri="sip:example.com", response="0123"`), "", "SIP/2.0 400 Auth Empty User", ""},
		{"027 no realm", reg, digest(`username="alice", nonce="abc", uri="sip:example.com", response="0123"`), "", "SIP/2.0 400 Bad Auth Credentials", ""},
		{"028 empty nonce", reg, digest(`username="alice", realm="example.com", nonce="", uri="sip:example.com", response="0123"`), "", "SIP/2.0 400 Auth Empty Nonce", ""},
		{"029 empty response", reg, digest(`username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response=""`), "", "SIP/2.0 400 Auth Empty Response", ""},
		{"030 qop without cnonce", reg, digest(`username="alice", realm="example.com", nonce="abc", uri="sip:example.com", response="0123", qop=auth`), "", "SIP/2.0 400 Bad Auth Credentials", ""},
		{"032 proxy-authorization", reg, map[string]string{"X-Checks": "2048", "Proxy-Authorization": `Digest username="alice", realm="example.com", uri="sip:example.com", response="0123"`}, "", "SIP/2.0 400 Bad Auth Credentials", ""},
		{"034 from tags", opts, map[string]string{"X-Checks": "4096", "From": "<sip:alice@a.org>;tag=ft1;tag=ft2"}, "", "SIP/2.0 400 Many From Tag Params", ""},
		{"035 to tags", opts, map[string]string{"X-Checks": "4096", "To": "<sip:bob@b.org>;tag=a;x=1;tag=b"}, "", "SIP/2.0 400 Many To Tag Params", ""},
	} {
		status, uns := ask(t, addr, request(tc.first, tc.change, tc.body))
		if status != tc.status || uns != tc.uns {
			t.Errorf("%s: reply %q (Unsupported %q), want %q (Unsupported %q)", tc.name, status, uns, tc.status, tc.uns)
		}
	}
}

// TestNoreply: with noreply a failed check sends nothing, and
// sanity_reply sends the reply it kept, or 500 Server Sanity Failure when
// no check failed (038, 039).
func TestNoreply(t *testing.T) {
	addr := run(t, `modparam("sanity", "noreply", 1)
modparam("sanity", "autodrop", 0)
request_route {
	sanity_check("32");
	sanity_reply();
}`)
	if status, _ := ask(t, addr, request("OPTIONS sip:bob@example.com SIP/2.0", map[string]string{"CSeq": "1 BYE"}, "")); status != "SIP/2.0 400 CSeq method does not match request method" {
		t.Errorf("failed check: %q", status)
	}
	if status, _ := ask(t, addr, request("OPTIONS sip:bob@example.com SIP/2.0", nil, "")); status != "SIP/2.0 500 Server Sanity Failure" {
		t.Errorf("no failed check: %q", status)
	}
}
