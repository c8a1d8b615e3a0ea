package routetype

import (
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
)

func TestAllows(t *testing.T) {
	tests := []struct {
		fn, block Mask
		want      bool
	}{
		// evapi_async_relay is REQUEST only, yet Kamailio accepts it in
		// event_route (EVENT_ROUTE includes the REQUEST bit).
		{Request, Event, true},
		{OnEvent, Event, true},
		{Request, Failure, false},
		{Any, OnSend, true},
		{Request | Failure, Branch, false},
		{Request | Failure, Failure, true},
		{Failure, Event, false},
	}
	for _, tt := range tests {
		if got := tt.fn.Allows(tt.block); got != tt.want {
			t.Errorf("%s.Allows(%s) = %v, want %v", tt.fn, tt.block, got, tt.want)
		}
	}
}

func TestParseString(t *testing.T) {
	for _, s := range []string{"REQUEST|FAILURE", "ANY", "EVENT", "CORE_ONREPLY|BRANCH_FAILURE", "0"} {
		m, ok := Parse(s)
		if s == "0" {
			if ok {
				t.Errorf("Parse(%q) accepted", s)
			}
			continue
		}
		if !ok || m.String() != s {
			t.Errorf("Parse(%q) = %v %v", s, m, ok)
		}
	}
	if _, ok := Parse("REQUEST|NOPE"); ok {
		t.Error("unknown name accepted")
	}
}

func TestOf(t *testing.T) {
	want := map[ast.RouteKind]Mask{
		ast.Request: Request, ast.Named: Request, ast.Failure: Failure, ast.Branch: Branch,
		ast.OnReply: OnReply, ast.Reply: CoreOnReply, ast.OnSend: OnSend, ast.Event: Event,
	}
	for k, m := range want {
		if got := Of(k); got != m {
			t.Errorf("Of(%s) = %s, want %s", k, got, m)
		}
	}
}
