package server

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// TestCoreRPC runs the core's commands through the registry a transport
// uses.
func TestCoreRPC(t *testing.T) {
	clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.Local)
	cfg := parse(t, "request_route { exit; }\n")
	srv, diags := Load(cfg, Options{Version: "9.9", Now: func() time.Time { return clock }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	clock = clock.Add(90 * time.Second)
	for _, tc := range []struct {
		method string
		params []*rpc.Value
		want   string
	}{
		{"core.version", nil, "kamgo 9.9 (Kamailio 5.6.3 configuration language)"},
		{"core.uptime", nil, "{now: Sat Dec  5 07:06:39 2026, up_since: Sat Dec  5 07:05:09 2026, uptime: 90}"},
		{"core.echo", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(2)}, "a 2"},
		{"system.methodHelp", []*rpc.Value{rpc.NewStr("core.version")}, "The server's name and version."},
		{"system.methodHelp", []*rpc.Value{rpc.NewStr("no.such")}, "fault 400 command not found"},
		{"system.methodHelp", nil, "fault 400 Method Name Expected"},
	} {
		c := &rpc.Call{Method: tc.method, Params: tc.params}
		if !srv.RPC().Run(context.Background(), c) {
			t.Fatalf("%s not registered", tc.method)
		}
		if got := replyText(c); got != tc.want {
			t.Errorf("%s %v:\n got  %q\n want %q", tc.method, tc.params, got, tc.want)
		}
	}
	c := &rpc.Call{Method: "system.listMethods"}
	srv.RPC().Run(context.Background(), c)
	vals, _ := c.Reply()
	if len(vals) < 5 || vals[0].Str > vals[len(vals)-1].Str {
		t.Errorf("system.listMethods = %v", vals)
	}
}

// replyText is the reply's values separated by spaces, or the fault.
func replyText(c *rpc.Call) string {
	vals, f := c.Reply()
	if f != nil {
		return "fault " + f.Error()
	}
	out := ""
	for i, v := range vals {
		if i > 0 {
			out += " "
		}
		out += v.String()
	}
	return out
}
