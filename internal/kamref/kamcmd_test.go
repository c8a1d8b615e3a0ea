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
