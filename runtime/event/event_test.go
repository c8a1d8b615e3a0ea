package event

import (
	"context"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
)

func TestPool(t *testing.T) {
	p := NewPool(2, 5)
	if p.Size() != 2 {
		t.Fatalf("size %d", p.Size())
	}
	a, _ := p.Acquire(context.Background())
	b, ok := p.TryAcquire()
	if !ok || a == b || a.ID+b.ID != 11 {
		t.Fatalf("workers %v %v", a, b)
	}
	if _, ok := p.TryAcquire(); ok {
		t.Fatal("a third worker from a pool of two")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Acquire(ctx); err == nil {
		t.Fatal("Acquire on an empty pool returned with a cancelled context")
	}
	a.Set(Key(3), "kept")
	p.Release(a)
	if c := p.Get(); c != a || c.Get(Key(3)) != "kept" {
		t.Fatal("a released worker lost its state")
	}
	if NewPool(0, 0).Size() != 1 {
		t.Fatal("an empty pool")
	}
}

func TestDetachResume(t *testing.T) {
	w1, w2 := NewWorker(1), NewWorker(2)
	c := &Context{Worker: w1}
	k := NewKey()
	c.Set(k, "avp")
	c.Flags = 4
	c.Detach()
	if !c.Detached() || c.Worker != nil {
		t.Fatal("Detach kept the worker")
	}
	c.Resume(w2)
	if c.Detached() || c.Worker != w2 || c.Get(k) != "avp" || c.Flags != 4 {
		t.Fatalf("Resume lost state: %+v", c)
	}
	c.Detach()
	c.Reset()
	if c.Detached() || c.Get(k) != nil || c.Flags != 0 {
		t.Fatal("Reset kept event state")
	}
}

func TestTarget(t *testing.T) {
	for _, tt := range []struct {
		t    Target
		s    string
		want routetype.Mask
	}{
		{Request(), "request_route", routetype.Request},
		{Reply(), "reply_route", routetype.CoreOnReply},
		{OnSend(), "onsend_route", routetype.OnSend},
		{Failure("F"), "failure_route[F]", routetype.Failure},
		{Branch("B"), "branch_route[B]", routetype.Branch},
		{OnReply("R"), "onreply_route[R]", routetype.OnReply},
		{Event("evapi:message-received"), "event_route[evapi:message-received]", routetype.Event},
		{Route("X", routetype.Failure), "route[X]", routetype.Failure},
		{Target{Kind: ast.Named, Name: "X"}, "route[X]", routetype.Request},
	} {
		if tt.t.String() != tt.s || tt.t.RouteType() != tt.want {
			t.Errorf("%s (%s): want %s (%s)", tt.t, tt.t.RouteType(), tt.s, tt.want)
		}
	}
}
