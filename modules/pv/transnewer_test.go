package pv

import (
	"crypto/sha3"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/value"
)

// TestNewerStringOps: the {s.*} operators of Kamailio 5.8, 6.0 and 6.1
// and {uri.rmparam} (6.1). Kamailio of those releases does not run here:
// the expectations are what pv_trans.c does at the tag that added each.
func TestNewerStringOps(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	vars := map[string]string{
		"$var(s)":  "abc",
		"$var(hi)": "h\xc3",
		"$var(f)":  "a: 1\r\n  b\r\n\tc\r\nd",
		"$var(w)":  "one two\t\tthree",
		"$var(e)":  "",
		"$var(n)":  "12",
		"$var(u)":  "sip:alice@example.com;lr;Transport=tcp;x=1?h=v",
		"$var(t)":  "tel:+123;phone-context=x;y",
	}
	for k, v := range vars {
		if err := mustRef(t, h, k).Set(c, value.MakeStr(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := mustRef(t, h, "$var(i)").Set(c, value.MakeInt(1)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		// 5.8
		{"$(var(s){s.charat,1})", "b"},
		{"$(var(s){s.charat,$var(i)})", "b"},
		{"$(var(s){s.charat,3})", ""},
		{"$(var(s){s.charat,-1})", ""},
		{"$(var(s){s.byteat,0})", "97"},
		{"$(var(hi){s.byteat,1})", "-61"},
		{"$(var(s){s.byteat,9})", ""},
		// 6.0
		{"$(var(f){s.escape.crlf})", `a: 1\r\n  b\r\n` + "\t" + `c\r\nd`},
		{"$(var(f){s.escape.crlf}{s.unescape.crlf})", "a: 1\r\n  b\r\n\tc\r\nd"},
		{`$(var(s){s.unescape.crlf})`, "abc"},
		{"$(var(f){s.rmhdws})", "a: 1 b cd"},
		{"$(var(f){s.rmhlws})", "a: 1bcd"},
		{"$(var(e){s.escape.crlf})", "<null>"},
		// 6.1
		{"$(var(s){s.crc32})", "891568578"},
		{"$(var(n){s.intv})", "12"},
		{"$(var(s){s.intv})", "<null>"},
		{"$(var(w){s.selectsw,0})", "one"},
		{"$(var(w){s.selectsw,1})", "two"},
		{"$(var(w){s.selectsw,2})", ""},
		{"$(var(w){s.selectsw,3})", "three"},
		{"$(var(w){s.selectsw,-1})", "three"},
		{"$(var(w){s.selectsw,-4})", "one"},
		{"$(var(w){s.selectsw,4})", ""},
		{"$(var(w){s.selectsw,-5})", ""},
		{"$(var(s){s.sha1})", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"$(var(e){s.keccak})", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"$(var(s){s.sha3,256})", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
		{"$(var(s){s.sha3,1024})", "<null>"},
		{"$(var(u){uri.rmparam,lr})", "sip:alice@example.com;Transport=tcp;x=1?h=v"},
		{"$(var(u){uri.rmparam,transport})", "sip:alice@example.com;lr;x=1?h=v"},
		{"$(var(u){uri.rmparam,x})", "sip:alice@example.com;lr;Transport=tcp?h=v"},
		{"$(var(u){uri.rmparam,h})", "sip:alice@example.com;lr;Transport=tcp;x=1?h=v"},
		{"$(var(t){uri.rmparam,phone-context})", "tel:+123;y"},
		{"$(var(s){uri.rmparam,lr})", "<null>"},
	} {
		if got := mustRef(t, h, tc.in).Get(c).String(); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := mustRef(t, h, "$(var(s){s.byteat,9})").Get(c); got.I != -1 || !got.Num {
		t.Errorf("byteat past the end = %+v, want -1 with an empty string form", got)
	}
	if got := h.Lines(); !slices.ContainsFunc(got, func(l string) bool {
		return strings.Contains(l, "invalid/unsupported 1024 bit length in sha3 transformation")
	}) {
		t.Errorf("no error line for sha3,1024: %q", got)
	}
}

// TestKeccak checks the sponge with SHA-3's padding against the standard
// library, then the original Keccak padding against published digests.
func TestKeccak(t *testing.T) {
	for _, msg := range []string{"", "abc", strings.Repeat("x", 135), strings.Repeat("y", 136), strings.Repeat("z", 500)} {
		s256, s384, s512 := sha3.Sum256([]byte(msg)), sha3.Sum384([]byte(msg)), sha3.Sum512([]byte(msg))
		for _, tc := range []struct {
			size int
			want []byte
		}{{32, s256[:]}, {48, s384[:]}, {64, s512[:]}} {
			if got := sponge([]byte(msg), tc.size, 0x06); !slices.Equal(got, tc.want) {
				t.Errorf("sha3-%d(%d bytes) = %x, want %x", tc.size*8, len(msg), got, tc.want)
			}
		}
	}
	for _, tc := range []struct {
		msg  string
		bits int
		want string
	}{
		{"", 256, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"", 512, "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e"},
	} {
		if got := hex.EncodeToString(legacyKeccak([]byte(tc.msg), tc.bits)); got != tc.want {
			t.Errorf("keccak-%d(%q) = %s, want %s", tc.bits, tc.msg, got, tc.want)
		}
	}
}
