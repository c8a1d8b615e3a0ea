package siputils

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestContactParamEncodeAlias checks the Contact header after
// contact_param_encode_alias, its return code and its log lines.
func TestContactParamEncodeAlias(t *testing.T) {
	long := func(n int) string { return "sip:" + strings.Repeat("a", n-10) + "@h.com" }
	for _, tc := range []struct {
		name    string
		contact string // the Contact header line(s), "" for none
		src     sipmsg.Addr
		proto   string
		addr    string
		rc      int
		want    string // the Contact line after; "" when unchanged
		log     []string
	}{
		{
			name: "angle brackets", contact: "Contact: <sip:alice@192.168.1.2:5060>;expires=60",
			src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "tcp", addr: "sip:1.2.3.4:5060;transport=tcp", rc: 1,
			want: "Contact: <sip:1.2.3.4:5060;transport=tcp;ksu=c2lwOmFsaWNlQDE5Mi4xNjguMS4yOjUwNjA7YWxpYXM9MTAuMS4yLjN-NTA3MH4y>;expires=60",
		},
		{
			name: "no brackets, IPv6 source", contact: "Contact: sip:bob@192.168.1.3;ob",
			src: sipmsg.Addr{IP: "2001:db8::1", Port: 5060}, proto: "udp", addr: "sip:p.example.com", rc: 1,
			// Without brackets ";ob" is a parameter of the header, not of the URI.
			want: "Contact: <sip:p.example.com;ksu=c2lwOmJvYkAxOTIuMTY4LjEuMzthbGlhcz1bMjAwMTpkYjg6OjFdfjUwNjB-MQ>;ob",
		},
		{name: "no Contact", src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "udp", addr: "sip:p", rc: 1},
		{name: "star", contact: "Contact: *", src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "udp", addr: "sip:p", rc: 1},
		{
			name: "no room for the alias", contact: "Contact: <" + long(1000) + ">",
			src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "tcp", addr: "sip:p", rc: -1,
			log: []string{
				"ERROR: <core>: uri_add_rcv_alias(): not enough space - new uri len: 1025 (buf size: 1023)",
				"ERROR: <siputils>: ki_contact_param_encode_helper(): failed to add alias to contact uri [" + long(1000) + "]",
			},
		},
		{
			name: "no room for the encoding", contact: "Contact: <" + long(800) + ">",
			src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "tcp", addr: "sip:p", rc: -1,
			log: []string{
				"ERROR: <core>: base64url_enc(): not enough output buffer size 1023 - need 1097",
				"ERROR: <siputils>: ki_contact_param_encode_helper(): failed to encode contact uri [" + long(800) + "] (1)",
			},
		},
		{
			name: "no room for the new contact", contact: "Contact: <sip:alice@192.168.1.2:5060>",
			src: sipmsg.Addr{IP: "10.1.2.3", Port: 5070}, proto: "tcp", addr: "sip:" + strings.Repeat("x", 996), rc: -2,
			log: []string{"ERROR: <siputils>: ki_contact_param_encode_helper(): failed to build the new contact for [sip:alice@192.168.1.2:5060] uri (1069)"},
		},
	} {
		m := newModule()
		h := newPVHost(t, m)
		extra := ""
		if tc.contact != "" {
			extra = tc.contact + "\r\n"
		}
		msg := parse(t, "SUBSCRIBE sip:b@e.com SIP/2.0\r\n", extra)
		msg.Src, msg.Proto = tc.src, tc.proto
		c := h.Context()
		sipmsg.Set(c, msg)
		if rc := mustCall(t, h, m, "contact_param_encode_alias", `"ksu"`, `"`+tc.addr+`"`)(c); rc != tc.rc {
			t.Errorf("%s: rc %d, want %d", tc.name, rc, tc.rc)
		}
		out := msg.Rebuilt()
		want := tc.contact
		if tc.want != "" {
			want = tc.want
		}
		if !strings.Contains(out, "\r\n"+want+"\r\n") {
			t.Errorf("%s: want %q in\n%s", tc.name, want, out)
		}
		if l := h.Lines(); !slices.Equal(l, tc.log) {
			t.Errorf("%s: log %q, want %q", tc.name, l, tc.log)
		}
	}
}

// TestContactParamEncodeAliasDecode decodes what contact_param_encode_alias
// wrote: the contact's URI with the alias of the source address.
func TestContactParamEncodeAliasDecode(t *testing.T) {
	m := newModule()
	h := newPVHost(t, m)
	msg := parse(t, "SUBSCRIBE sip:b@e.com SIP/2.0\r\n", "Contact: <sip:alice@192.168.1.2:5060;transport=tcp>\r\n")
	msg.Src, msg.Proto = sipmsg.Addr{IP: "203.0.113.9", Port: 40000}, "tcp"
	c := h.Context()
	sipmsg.Set(c, msg)
	if rc := mustCall(t, h, m, "contact_param_encode_alias", `"ksu"`, `"sip:proxy.example.com"`)(c); rc != 1 {
		t.Fatalf("encode: rc %d", rc)
	}
	enc, err := sipmsg.Parse(msg.Rebuilt())
	if err != nil {
		t.Fatal(err)
	}
	c = h.Context()
	sipmsg.Set(c, enc)
	if rc := mustCall(t, h, m, "contact_param_decode", `"ksu"`)(c); rc != 1 {
		t.Fatalf("decode: rc %d", rc)
	}
	const want = "Contact: <sip:alice@192.168.1.2:5060;transport=tcp;alias=203.0.113.9~40000~2>\r\n"
	if out := enc.Rebuilt(); !strings.Contains(out, want) {
		t.Errorf("want %q in\n%s", want, out)
	}
}

// TestContactParamCheck runs contact_param_check over the Contact headers.
func TestContactParamCheck(t *testing.T) {
	for _, tc := range []struct {
		name     string
		contacts string
		param    string
		rc       int
		log      []string
	}{
		{"no Contact", "", "ksu", 1, nil},
		{"present", "Contact: <sip:a@1.2.3.4;ksu=abc>\r\n", "ksu", 1, nil},
		{"without case", "Contact: <sip:a@1.2.3.4;KSU>;expires=30\r\n", "ksu", 1, nil},
		{"absent", "Contact: <sip:a@1.2.3.4;x=1>;ksu=1\r\n", "ksu", -1, nil},
		{"no parameters", "Contact: <sip:a@1.2.3.4>\r\n", "ksu", -1, nil},
		{"second contact", "Contact: <sip:a@1.2.3.4>, <sip:b@1.2.3.5;ksu=1>\r\n", "ksu", 1, nil},
		{"second header", "Contact: <sip:a@1.2.3.4>\r\nContact: <sip:b@1.2.3.5;ksu>\r\n", "ksu", 1, nil},
		// Without brackets the parameter belongs to the header.
		{"header parameter", "Contact: sip:b@1.2.3.5;ksu\r\n", "ksu", -1, nil},
		{"star", "Contact: *\r\n", "ksu", -1, nil},
		{
			"parameters do not parse", "Contact: <sip:a@1.2.3.4;x=;ksu=1>\r\n", "ksu", -1,
			[]string{"ERROR: <siputils>: ki_contact_param_check(): failed to parse uri params [sip:a@1.2.3.4;x=;ksu=1]"},
		},
		{
			"URI does not parse", "Contact: <sip:b@1.2.3.5;ksu=1>, <nonsense>\r\n", "ksu", -1,
			[]string{"ERROR: <siputils>: ki_contact_param_check(): failed to parse contact uri [nonsense]"},
		},
	} {
		m := newModule()
		h := newPVHost(t, m)
		msg := parse(t, "OPTIONS sip:b@e.com SIP/2.0\r\n", tc.contacts)
		c := h.Context()
		sipmsg.Set(c, msg)
		if rc := mustCall(t, h, m, "contact_param_check", `"`+tc.param+`"`)(c); rc != tc.rc {
			t.Errorf("%s: rc %d, want %d", tc.name, rc, tc.rc)
		}
		if l := h.Lines(); !slices.Equal(l, tc.log) {
			t.Errorf("%s: log %q, want %q", tc.name, l, tc.log)
		}
		if msg.Rebuilt() != msg.Buf {
			t.Errorf("%s: the message changed", tc.name)
		}
	}
}
