package tm

import (
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestSettle: a transaction in its wait state drops its event copy only
// when nothing can run a route or a callback for it any more; its flags,
// request and reply text stay, and so does everything while it is not
// completed.
func TestSettle(t *testing.T) {
	blind := func() *branch { return &branch{} }
	sent := func() *branch { return &branch{buf: "INVITE ...", last: 200} }
	tests := []struct {
		name    string
		prepare func(x *txn)
		settles bool
	}{
		{"answered, no branch", func(*txn) {}, true},
		{"answered, blind branch", func(x *txn) { x.branches = []*branch{blind()} }, true},
		{"relayed branch", func(x *txn) { x.branches = []*branch{sent()} }, false},
		{"suspended", func(x *txn) { x.suspended = true }, false},
		{"being continued", func(x *txn) { x.continuing = true }, false},
		{"failure route running", func(x *txn) { x.flags |= flagInFailure }, false},
		{"onreply_route set", func(x *txn) { x.onReply = "R" }, false},
		{"blind branch with onreply_route", func(x *txn) { b := blind(); b.onReply = "R"; x.branches = []*branch{b} }, false},
		{"local", func(x *txn) { x.local = true }, false},
		{"callbacks", func(x *txn) { (&Txn{x: x}).Register(ResponseOut, func(*Event) {}) }, false},
		{"not answered", func(x *txn) { x.uas.status = 180 }, false},
		{"not waiting", func(x *txn) { x.stopTimer(&x.wait) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newModule()
			m.SetClock(fakeclock.New())
			req := &sipmsg.Msg{Method: "INVITE", Buf: "INVITE sip:b@h SIP/2.0\r\n\r\n"}
			ctx := &event.Context{}
			ctx.Reset()
			ctx.Flags = 1 << 3
			sipmsg.Set(ctx, req)
			reply := string(make([]byte, 10, 1000)[:10])
			x := &txn{m: m, reqMsg: req, ctx: ctx, relayedBranch: -2}
			x.uas.status, x.uas.buf = 486, reply
			x.mu.Lock()
			defer x.mu.Unlock()
			x.start(&x.life, time.Hour, workLifetime, nil)
			x.putOnWait()
			tt.prepare(x)
			x.settle()
			if got := x.settled && sipmsg.FromContext(x.ctx) != req; got != tt.settles {
				t.Fatalf("settled %v, want %v", got, tt.settles)
			}
			if x.ctx.Flags != 1<<3 || x.reqMsg.Buf != req.Buf || x.request().Method != "INVITE" || x.uas.buf != reply {
				t.Errorf("flags %b, request %q, reply %q: changed", x.ctx.Flags, x.reqMsg.Buf, x.uas.buf)
			}
			if lean := x.reqMsg != req; lean != tt.settles {
				t.Errorf("request kept lean %v, settled %v", lean, tt.settles)
			}
			if x.uas.status >= 200 && x.wait.running() && x.life.running() {
				t.Error("the lifetime timer runs in the wait state")
			}
		})
	}
}
