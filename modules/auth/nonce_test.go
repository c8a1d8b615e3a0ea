package auth

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/modules/sl"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef"
	t0         = 1700000000
)

// clock is a settable test clock.
type clock struct{ t int64 }

func (c *clock) now() time.Time { return time.Unix(c.t, 0) }

// newTestModule provisions auth with params (secret and a clock at t0
// unless given) on a host with pv and sl.
func newTestModule(t *testing.T, params map[string]any) (*Module, *pvtest.Host, *clock) {
	t.Helper()
	ck := &clock{t: t0}
	m := newModule()
	m.now = ck.now
	m.rnd = func() uint32 { return 1000 }
	if _, ok := params["secret"]; !ok {
		params = withParam(params, "secret", testSecret)
	}
	for k, v := range params {
		var val value.Value
		switch x := v.(type) {
		case int:
			val = value.MakeInt(int64(x))
		case string:
			val = value.MakeStr(x)
		}
		if err := m.SetParam(k, val); err != nil {
			t.Fatal(err)
		}
	}
	pvm, _ := module.Lookup("pv")
	slm, _ := module.Lookup(sl.Name)
	h, err := pvtest.NewHost(pvm.New(), slm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Modules[sl.Name].(module.Provisioner).Provision(h); err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	h.Lines()
	return m, h, ck
}

func withParam(p map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range p {
		out[kk] = vv
	}
	return out
}

func parse(t *testing.T, lines ...string) *sipmsg.Msg {
	t.Helper()
	m := siptest.Parse(t, strings.Join(lines, "\r\n")+"\r\n\r\n")
	m.Src = sipmsg.Addr{IP: "192.0.2.10", Port: 5060}
	return m
}

func register(t *testing.T, extra ...string) *sipmsg.Msg {
	t.Helper()
	l := []string{"REGISTER sip:example.com SIP/2.0",
		"Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1",
		"From: <sip:alice@example.com>;tag=ft", "To: <sip:alice@example.com>",
		"Call-ID: c1", "CSeq: 1 REGISTER"}
	return parse(t, append(append(l, extra...), "Content-Length: 0")...)
}

// TestNonceFormat: a nonce is expiry, creation time and MD5 with the
// secret, as the independent builder of the client makes it; with
// nonce ids the id and pool byte follow and enter the hash.
func TestNonceFormat(t *testing.T) {
	m, _, _ := newTestModule(t, nil)
	got := m.newNonce(nil, 0)
	if want := makeNonce(testSecret, t0, t0+300); got != want {
		t.Errorf("nonce %s, want %s", got, want)
	}
	m, _, _ = newTestModule(t, map[string]any{"nonce_count": 1, "nonce_expire": 60})
	b, err := base64.StdEncoding.DecodeString(m.newNonce(nil, 0))
	if err != nil || len(b) != 29 {
		t.Fatalf("nonce with id: %d bytes, %v", len(b), err)
	}
	if e, s := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]); e != t0+60 || s != t0 {
		t.Errorf("times %d %d", e, s)
	}
	if id, pf := binary.BigEndian.Uint32(b[24:]), b[28]; id != 1000+nidStep || pf != nfValidNC {
		t.Errorf("id %d pf %#x", id, pf)
	}
	m, _, _ = newTestModule(t, map[string]any{"auth_checks_register": 1})
	if b, _ := base64.StdEncoding.DecodeString(m.newNonce(register(t), 0)); len(b) != 40 {
		t.Errorf("nonce with extra checks: %d bytes", len(b))
	}
}

// TestCheckNonce: every outcome of a nonce check, the clock moved as
// each case needs.
func TestCheckNonce(t *testing.T) {
	mk := func(since, expire int64) string { return makeNonce(testSecret, uint32(since), uint32(expire)) }
	for _, tc := range []struct {
		name   string
		params map[string]any
		nonce  string
		at     int64 // clock when checked
		want   int
	}{
		{"fresh", nil, mk(t0, t0+300), t0 + 10, nonceOK},
		{"last second", nil, mk(t0, t0+300), t0 + 300, nonceOK},
		{"expired", nil, mk(t0, t0+300), t0 + 301, nonceStale},
		{"before start", nil, mk(t0-5, t0+300), t0, nonceStale},
		{"within drift", nil, mk(t0+3, t0+300), t0, nonceOK},
		{"from the future", nil, mk(t0+4, t0+300), t0, nonceStale},
		{"larger drift", map[string]any{"nonce_auth_max_drift": 10}, mk(t0+4, t0+300), t0, nonceOK},
		{"other secret", nil, makeNonce("other", t0, t0+300), t0, nonceNoMatch},
		{"short", nil, "abc", t0, nonceShort},
		{"not base64 length", nil, mk(t0, t0+300) + "A", t0, nonceInvalid},
		{"too long", nil, strings.Repeat("A", 68), t0, nonceInvalid},
		{"other secret, no checks", map[string]any{"auth_checks_register": 2}, mk(t0, t0+300), t0, nonceNoMatch},
	} {
		m, _, ck := newTestModule(t, tc.params)
		ck.t = tc.at
		d := &digest{nonce: tc.nonce, present: hasNonce}
		if got := m.checkNonce(d, register(t)); got != tc.want {
			t.Errorf("%s: checkNonce = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestNonceExtraChecks: a nonce bound to the Call-ID and From tag is
// stale for a request with another one, whole otherwise.
func TestNonceExtraChecks(t *testing.T) {
	m, _, _ := newTestModule(t, map[string]any{"auth_checks_register": checkCallID | checkFromTag | checkURI | checkSrcIP})
	if len(m.secret1) != 16 || len(m.secret2) != 16 {
		t.Fatalf("secret halves %q %q", m.secret1, m.secret2)
	}
	n := m.newNonce(register(t), 0)
	same := register(t)
	otherCall := parse(t, "REGISTER sip:example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1",
		"From: <sip:alice@example.com>;tag=ft", "To: <sip:alice@example.com>", "Call-ID: c2", "CSeq: 1 REGISTER")
	otherSrc := register(t)
	otherSrc.Src.IP = "192.0.2.11"
	for _, tc := range []struct {
		name string
		msg  *sipmsg.Msg
		want int
	}{
		{"same request", same, nonceOK},
		{"other Call-ID", otherCall, nonceChecks},
		{"other source", otherSrc, nonceChecks},
	} {
		if got := m.checkNonce(&digest{nonce: n, present: hasNonce}, tc.msg); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// An in-dialog request uses auth_checks_in_dlg (0 here): the nonce,
	// made with checks, is then not the right length.
	inDlg := parse(t, "INVITE sip:example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1",
		"From: <sip:alice@example.com>;tag=ft", "To: <sip:alice@example.com>;tag=tt", "Call-ID: c1", "CSeq: 1 INVITE")
	if got := m.checkNonce(&digest{nonce: n, present: hasNonce}, inDlg); got != nonceNoMatch {
		t.Errorf("in dialog: %d", got)
	}
}

// TestNonceCountAndOneTime: nc must grow; a one-time nonce is good once;
// a nonce of an unknown id or pool is refused.
func TestNonceCountAndOneTime(t *testing.T) {
	m, _, _ := newTestModule(t, map[string]any{"nonce_count": 1, "one_time_nonce": 1})
	msg := register(t)
	n := m.newNonce(msg, 0)
	check := func(nc string) int {
		d := &digest{nonce: n, present: hasNonce}
		if nc != "" {
			d.nc, d.present = nc, d.present|hasNC
		}
		return m.checkNonce(d, msg)
	}
	for i, tc := range []struct {
		nc   string
		want int
	}{
		{"00000001", nonceOK},
		{"00000001", nonceStale}, // replayed nc
		{"00000003", nonceOK},
		{"00000002", nonceStale},
		{"0000000x", nonceBadNC},
		{"000100", nonceBadNC},
		{"00000100", nonceStale}, // above 255
		{"", nonceOK},            // no nc: the one-time check, first use
		{"", nonceReused},
	} {
		if got := check(tc.nc); got != tc.want {
			t.Errorf("step %d nc %q: %d, want %d", i, tc.nc, got, tc.want)
		}
	}
	// A nonce without ids is stale once one-time nonces are on.
	if got := m.checkNonce(&digest{nonce: makeNonce(testSecret, t0, t0+300), present: hasNonce}, msg); got != nonceStale {
		t.Errorf("nonce without id: %d", got)
	}
}

// TestNonceWindow: an id is forgotten once its pool has handed out a
// partition's worth of newer ids.
func TestNonceWindow(t *testing.T) {
	m, _, _ := newTestModule(t, map[string]any{"one_time_nonce": 1, "otn_in_flight_order": 6})
	if m.index.otnPart != 6 {
		t.Fatalf("partition of 1<<%d ids", m.index.otnPart)
	}
	msg := register(t)
	first := m.newNonce(msg, 0)
	for i := 0; i < 64; i++ {
		m.newNonce(msg, 0)
	}
	if got := m.checkNonce(&digest{nonce: first, present: hasNonce}, msg); got != nonceReused {
		t.Errorf("forgotten id: %d, want %d", got, nonceReused)
	}
}

func pvtestHost(mods ...module.Module) (*pvtest.Host, error) { return pvtest.NewHost(mods...) }
