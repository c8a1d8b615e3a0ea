package sipmsg

import (
	"strings"
	"testing"
)

func TestParseVia(t *testing.T) {
	for in, want := range map[string]Via{
		"SIP/2.0/UDP 10.0.0.1:5062;branch=z9;rport;received=1.2.3.4": {Protocol: "SIP/2.0", Transport: "UDP", Host: "10.0.0.1", Port: "5062", Params: "branch=z9;rport;received=1.2.3.4"},
		"SIP / 2.0 / TLS [2001:db8::1]:5061":                         {Protocol: "SIP/2.0", Transport: "TLS", Host: "[2001:db8::1]", Port: "5061"},
		"SIP/2.0/tcp host.org":                                       {Protocol: "SIP/2.0", Transport: "tcp", Host: "host.org"},
	} {
		v, err := ParseVia(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		want.Text = in
		want.hostEnd = v.hostEnd
		if *v != want {
			t.Errorf("%s: got %+v", in, *v)
		}
		if rest := in[v.HostEnd():]; rest != "" && rest[0] != ';' {
			t.Errorf("%s: sent-by ends before %q", in, rest)
		}
	}
	v, _ := ParseVia("SIP/2.0/UDP h:5;branch=z9; rport ;received=1.2.3.4")
	for name, want := range map[string]string{"branch": ";branch=z9", "rport": "; rport", "RECEIVED": ";received=1.2.3.4"} {
		if s, e, ok := v.ParamSpan(name); !ok || v.Text[s:e] != want {
			t.Errorf("span of %s: %q %v", name, v.Text[s:e], ok)
		}
	}
	if _, _, ok := v.ParamSpan("maddr"); ok {
		t.Error("span of an absent parameter")
	}
	v, _ = ParseVia("SIP/2.0/WSS h;rport;branch=b")
	if r, ok := v.Param("rport"); !ok || r != "" {
		t.Errorf("rport %q %v", r, ok)
	}
	if b, _ := v.Param("BRANCH"); b != "b" || v.Proto() != ProtoWSS || v.PortNumber() != 0 {
		t.Errorf("branch %q proto %d port %d", b, v.Proto(), v.PortNumber())
	}
	for _, bad := range []string{"SIP/2.0", "SIP/2.0/UDP", "SIP/2.0/UDP :5060", "SIP/2.0/UDP h:99999", "SIP/2.0/UDP [::1"} {
		if _, err := ParseVia(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSplitList(t *testing.T) {
	for in, want := range map[string][]string{
		`<sip:a@b;x=1,2>, "x, y" <sip:c>;q=0.5,sip:d`: {`<sip:a@b;x=1,2>`, `"x, y" <sip:c>;q=0.5`, `sip:d`},
		` a ,, b `: {"a", "b"},
		"":         nil,
	} {
		if got := SplitList(in); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: %q", in, got)
		}
	}
}

func TestCredentials(t *testing.T) {
	c, err := ParseCredentials(`Digest username="bob@b.org", realm="b.org", nonce="n,1", uri="sip:b.org", response="r", algorithm=MD5, cnonce="c", opaque="o", qop=auth, nc=00000001`)
	if err != nil {
		t.Fatal(err)
	}
	want := Credentials{Username: "bob@b.org", User: "bob", Domain: "b.org", Realm: "b.org", Nonce: "n,1", URI: "sip:b.org",
		Response: "r", Algorithm: "MD5", CNonce: "c", Opaque: "o", QOP: "auth", NC: "00000001"}
	if *c != want {
		t.Errorf("got %+v", *c)
	}
	if _, err := ParseCredentials("Basic abc"); err == nil {
		t.Error("basic credentials accepted")
	}
	m, _ := Parse("INVITE sip:a@b SIP/2.0\r\nAuthorization: Digest username=\"w\"\r\nProxy-Authorization: Digest username=\"p\"\r\n\r\n")
	if c, ok, err := m.Credentials(); !ok || err != nil || c.User != "p" {
		t.Errorf("proxy credentials first: %+v %v %v", c, ok, err)
	}
}

func TestRewriteURI(t *testing.T) {
	for _, c := range []struct {
		in   string
		part URIPart
		v    string
		want string
	}{
		{"SIP:bob:pw@example.com:5070;transport=tls?h=v", PartUser, "alice", "sip:alice:pw@example.com:5070;transport=tls?h=v"},
		{"sip:alice:pw@h.org:5070", PartUser, "", "sip:h.org:5070"},
		{"sip:h.org", PartUser, "u", "sip:u@h.org"},
		{"sip:a@h.org:5070", PartHost, "x.org", "sip:a@x.org:5070"},
		{"sip:a@h.org:5070", PartPort, "", "sip:a@h.org"},
		{"sip:a@h.org", PartPort, "abc", "sip:a@h.org:abc"},
		{"tel:+123;npdi", PartUser, "+456", "tel:+456;npdi"},
		{"tel:+456;npdi", PartHost, "h.org", "sip:+456;npdi@h.org;user=phone"},
		{"tels:+1", PartHost, "h", "sips:+1@h;user=phone"},
	} {
		got, err := RewriteURI(c.in, c.part, c.v)
		if err != nil || got != c.want {
			t.Errorf("RewriteURI(%q, %d, %q) = %q, %v; want %q", c.in, c.part, c.v, got, err, c.want)
		}
	}
	if _, err := RewriteURI("tel:+1", PartPort, "5"); err == nil {
		t.Error("port of a tel: URI set")
	}
	if _, err := RewriteURI("junk", PartUser, "x"); err == nil {
		t.Error("junk rewritten")
	}
}

func TestURIKinds(t *testing.T) {
	u, _ := ParseURI("sip:+49;npdi@gw;user=phone;transport=TCP")
	if u.SchemeNumber() != 3 || u.UserName() != "+49" || u.User != "+49;npdi" || u.Proto() != ProtoTCP {
		t.Errorf("user=phone URI: type %d user %q proto %d", u.SchemeNumber(), u.UserName(), u.Proto())
	}
	u, _ = ParseURI("sip:a@h;transport=wss")
	if u.Proto() != ProtoNone || u.SchemeNumber() != 1 {
		t.Errorf("wss transport: proto %d", u.Proto())
	}
	for p, names := range map[int][2]string{ProtoUDP: {"udp", "udp"}, ProtoWSS: {"ws", "wss"}, ProtoNone: {"", ""}} {
		if ProtoName(p, true) != names[0] || ProtoName(p, false) != names[1] {
			t.Errorf("proto %d names %q %q", p, ProtoName(p, true), ProtoName(p, false))
		}
	}
}

func TestQString(t *testing.T) {
	for q, want := range map[int]string{QUnspecified: "", 0: "0", -5: "0", 1000: "1", 2000: "1", 500: "0.5", 50: "0.05", 5: "0.005", 125: "0.125", 120: "0.12"} {
		if got := QString(q); got != want {
			t.Errorf("QString(%d) = %q, want %q", q, got, want)
		}
	}
}

func TestBranches(t *testing.T) {
	m := Faked()
	for i := 0; i < MaxBranches; i++ {
		if err := m.AppendBranch(Branch{URI: "sip:b" + string(rune('a'+i)), Q: QUnspecified}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.AppendBranch(Branch{}); err != ErrTooManyBranches {
		t.Errorf("branch %d: %v", MaxBranches+1, err)
	}
	if m.Branch(-1).URI != "sip:bk" || m.Branch(MaxBranches) != nil || m.Branch(-MaxBranches-1) != nil {
		t.Error("branch indexes")
	}
	m.DropBranch(0)
	m.DropBranch(-1)
	m.DropBranch(99)
	if len(m.Branches) != MaxBranches-2 || m.Branches[0].URI != "sip:bb" {
		t.Errorf("after drops: %d %q", len(m.Branches), m.Branches[0].URI)
	}
	m = Faked()
	_ = m.AppendBranch(Branch{})
	if m.Branches[0].URI != "sip:you@kamailio.org" {
		t.Errorf("empty branch URI takes the R-URI: %q", m.Branches[0].URI)
	}
}

func TestMessageText(t *testing.T) {
	m := Faked()
	if m.FirstLine() != "OPTIONS sip:you@kamailio.org SIP/2.0" {
		t.Errorf("first line %q", m.FirstLine())
	}
	hdrs, _ := m.HeaderText()
	head, _ := m.HeadText()
	tail, _ := m.TailText()
	if len(hdrs) != 142 || len(head) != 180 || len(tail) != 146 || !strings.HasPrefix(tail, "Via:") {
		t.Errorf("parts %d %d %d", len(hdrs), len(head), len(tail))
	}
	from := m.Headers[1]
	if from.Name != "From" || m.Buf[from.At:from.At+len(from.Value)] != from.Value {
		t.Errorf("From at %d", from.At)
	}
	m.SetRequestURI("sip:new@x")
	m.Edits = append(m.Edits, Edit{At: from.At + 5, Len: 3, Text: "bob"}, Edit{At: from.At, Len: 0, Text: "B "})
	if got := strings.Split(m.Rebuilt(), "\r\n"); got[0] != "OPTIONS sip:new@x SIP/2.0" || got[2] != "From: B <sip:bob@kamailio.org>;tag=123" {
		t.Errorf("rebuilt %q", got[:3])
	}
	m.SetBufByte(0, 'X')
	if m.Method != "XPTIONS" || m.Buf[:2] != "XP" {
		t.Errorf("method after a byte change: %q", m.Method)
	}
	m.SetBufByte(7, '\n')
	if m.Method != "XPTIONS" {
		t.Error("unparsable text changed the parsed fields")
	}
	folded, _ := Parse("OPTIONS sip:a@b SIP/2.0\r\nSubject: a\r\n b\r\n\r\n")
	if folded.Headers[0].At != -1 {
		t.Errorf("folded header at %d", folded.Headers[0].At)
	}
}

func TestSocketText(t *testing.T) {
	s := &Socket{Proto: ProtoTLS, IP: "::1", Port: 5061, AdvIP: "203.0.113.1"}
	if s.String() != "tls:[::1]:5061" || s.URI(false, false) != "sip:[::1]:5061;transport=tls" || s.URI(true, true) != "sip:203.0.113.1:5061;transport=tls" {
		t.Errorf("%s %s %s", s, s.URI(false, false), s.URI(true, true))
	}
	m := Faked()
	if m.SrcURI(false) != "sip:1.0.0.127:5060" || m.SrcURI(true) != "sip:1.0.0.127:5060;transport=udp" || m.SrcSocket() != "udp:1.0.0.127:5060" {
		t.Errorf("%s %s %s", m.SrcURI(false), m.SrcURI(true), m.SrcSocket())
	}
}

// TestTopViaKeptByParse: Parse keeps the top via-parm it finds (the first
// element of the first Via header, compact form included), its offset,
// and a first Via that does not parse as such; a message built without
// Parse reads its headers.
func TestTopViaKeptByParse(t *testing.T) {
	for _, tc := range []struct {
		via, want string
		ok        bool
	}{
		{"v: SIP/2.0/UDP a.example;branch=z9hG4bK1, SIP/2.0/UDP b.example\r\nVia: SIP/2.0/TCP c.example", "SIP/2.0/UDP a.example;branch=z9hG4bK1", true},
		{"Via: SIP/2.0/UDP\r\nVia: SIP/2.0/UDP c.example", "", false},
		{"X-Via: SIP/2.0/UDP x.example", "", false},
	} {
		m, err := Parse("OPTIONS sip:a@b SIP/2.0\r\n" + tc.via + "\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		v, at, ok := m.TopVia()
		if ok != tc.ok || ok && (v.Text != tc.want || m.Buf[at:at+len(v.Text)] != tc.want) {
			t.Errorf("%q: got %v %d %v", tc.via, v, at, ok)
		}
		built := &Msg{Buf: m.Buf, Headers: m.Headers}
		v2, at2, ok2 := built.TopVia()
		if ok2 != ok || at2 != at || ok && v2.Text != v.Text {
			t.Errorf("%q: built message: %v %d %v", tc.via, v2, at2, ok2)
		}
	}
}
