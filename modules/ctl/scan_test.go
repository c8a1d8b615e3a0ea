package ctl

import (
	"testing"

	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/rpc"
)

func TestScanner(t *testing.T) {
	body := binrpc.AppendStr(nil, binrpc.Str, "s")
	body = binrpc.AppendInt(body, binrpc.Int, -2)
	body = binrpc.AppendDouble(body, 3.75)
	body = binrpc.AppendStr(body, binrpc.Bytes, "b")
	body = binrpc.AppendStr(body, binrpc.Str, "-42")
	body = append(body, 0x71) // a truncated string
	params, types, perr := binrpc.NewReader(body).Params()
	scan := scanner(types, perr)
	for _, tc := range []struct {
		idx     int
		want    rpc.Kind
		convert bool
		out     string
	}{
		{0, rpc.Str, false, "s"},
		{0, rpc.Int, false, "error at parameter 0: expected integer type but record doesn't match type"},
		{0, rpc.Int, true, "error at parameter 0: expected string type but record doesn't match type"},
		{1, rpc.Int, false, "-2"},
		{1, rpc.Str, false, "error at parameter 1: expected string type but record doesn't match type"},
		{1, rpc.Str, true, "18446744073709551614"},
		{2, rpc.Int, true, "3"},
		{2, rpc.Str, true, "error at parameter 2: expected float type but bug -- internal error"},
		{3, rpc.Str, false, "error at parameter 3: expected string type but record doesn't match type"},
		{3, rpc.Str, true, "error at parameter 3: expected bytes array type but record doesn't match type"},
		{4, rpc.Int, true, "-42"},
		{5, rpc.Str, false, "error at parameter 5: expected string type but more data needed"},
		{5, rpc.Str, true, "error at parameter 5: expected any type but more data needed"},
	} {
		out, fault := scan(tc.idx, param(params, tc.idx), tc.want, tc.convert)
		got := fault
		if out != nil {
			got = out.String()
		}
		if got != tc.out {
			t.Errorf("param %d as %v (convert %v) = %q, want %q", tc.idx, tc.want, tc.convert, got, tc.out)
		}
	}
	_, fault := scanner(nil, nil)(0, nil, rpc.Str, false)
	if fault != "error at parameter 0: expected string type but end of packet encountered" {
		t.Errorf("missing parameter: %q", fault)
	}
}

func param(ps []*rpc.Value, i int) *rpc.Value {
	if i < len(ps) {
		return ps[i]
	}
	return nil
}

func TestStr2sint(t *testing.T) {
	for in, want := range map[string]int32{"0": 0, "+5": 5, "-42": -42, "4294967295": -1} {
		if n, ok := str2sint(in); !ok || n != want {
			t.Errorf("str2sint(%q) = %d, %v", in, n, ok)
		}
	}
	for _, bad := range []string{"", "-", "1a", " 1", "99999999999", "4294967296"} {
		if _, ok := str2sint(bad); ok {
			t.Errorf("str2sint(%q) ok", bad)
		}
	}
}
