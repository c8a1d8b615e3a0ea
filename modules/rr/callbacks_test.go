package rr_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/rr"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestLooseRouteCallbacks checks when loose_route() calls the modules'
// callbacks, and with which parameters: those of this server's Route
// entry (of the Request-URI after a strict router), only when this
// server's entry routed the request and had parameters.
func TestLooseRouteCallbacks(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\n"+
		"loadmodule \"rr.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n%s", port, proxy)
	cfg, diags, _ := check.AnalyzeSource("rr.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(&linelog.Log{}, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	inst, _ := srv.Module("rr")
	var mu sync.Mutex
	var got []string
	// registered first, so called second (Kamailio's order: newest first)
	inst.(*rr.Module).OnLooseRoute(func(_ *event.Context, msg *sipmsg.Msg, params string) {
		mu.Lock()
		got = append(got, "second "+msg.Method+" "+params)
		mu.Unlock()
	})
	inst.(*rr.Module).OnLooseRoute(func(_ *event.Context, msg *sipmsg.Msg, params string) {
		mu.Lock()
		got = append(got, "first "+msg.Method+" "+params)
		mu.Unlock()
	})
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	self := "127.0.0.1:" + strconv.Itoa(port)
	caller, next := newPeer(t), newPeer(t)
	nextURI := fmt.Sprintf("sip:127.0.0.1:%d", next.port())
	tests := []struct {
		name, req string
		want      []string
	}{
		{"this server's entry", caller.request("BYE", "sip:bob@example.com", "b1",
			"<sip:"+self+";lr;ftag=a1;did=1.2>", "<"+nextURI+";lr>"),
			[]string{"first BYE lr;ftag=a1;did=1.2", "second BYE lr;ftag=a1;did=1.2"}},
		{"a foreign entry", caller.request("INFO", "sip:bob@example.com", "b1", "<"+nextURI+";lr>"), nil},
		{"after a strict router", caller.request("UPDATE", "sip:"+self+";x=1", "b1", "<"+nextURI+";lr>", "<sip:bob@example.com>"),
			[]string{"first UPDATE x=1", "second UPDATE x=1"}},
		{"preloaded", caller.request("MESSAGE", nextURI, "", "<sip:"+self+";lr>"),
			[]string{"first MESSAGE lr", "second MESSAGE lr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			caller.send(port, tc.req)
			next.recv()
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("callbacks %q, want %q", got, tc.want)
			}
		})
	}
}
