package kamref

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/rpc"
)

func TestParseKamcmd(t *testing.T) {
	out := "a\n\n{\n\tname: x\n\tport: 5060\n\tsub: {\n\t\tk: \n\t}\n}\n3\n"
	vals, err := ParseKamcmd(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vals {
		got = append(got, v.Shape())
	}
	want := []string{"s", "s", "{name:s port:n sub:{k:s}}", "n"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("shapes %q, want %q", got, want)
	}
	if vals[2].Kids[2].Kids[0].Text != "" || vals[0].Text != "a" {
		t.Errorf("values %+v", vals)
	}
	for _, bad := range []string{"}\n", "{\n\ta: 1\n"} {
		if _, err := ParseKamcmd(bad); err == nil {
			t.Errorf("ParseKamcmd(%q) did not fail", bad)
		}
	}
}

func TestFromRPC(t *testing.T) {
	a := rpc.NewArray().AppendNamed("socket", rpc.NewStruct().Set("port", rpc.NewStr("5060")))
	v := rpc.NewStruct().Set("n", rpc.NewInt(3)).Set("list", a)
	if got, want := FromRPC("", v).Shape(), "{n:n list:{socket:{port:n}}}"; got != want {
		t.Errorf("shape %q, want %q", got, want)
	}
}

// TestFromRPCUnsigned: kamcmd shows a C unsigned int as binrpc carries it,
// a signed 32-bit integer, and a plain Int beyond 32 bits as the double
// kamgo's binrpc sends.
func TestFromRPCUnsigned(t *testing.T) {
	for _, tc := range []struct {
		v    *rpc.Value
		want string
	}{
		{rpc.NewUint(4294967295), "-1"},
		{rpc.NewUint(2147483648), "-2147483648"},
		{rpc.NewUint(7), "7"},
		{rpc.NewInt(2147483647), "2147483647"},
		{rpc.NewInt(4294967295), "4294967295.000000"},
		{rpc.NewInt(-3), "-3"},
	} {
		if got := FromRPC("", tc.v).Text; got != tc.want {
			t.Errorf("%+v: %q, want %q", *tc.v, got, tc.want)
		}
	}
}
