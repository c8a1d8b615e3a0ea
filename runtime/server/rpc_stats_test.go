package server_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/sl"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestCoreStats: with kex, the core group counts a request whose
// Request-URI does not parse and a message with a broken header line;
// the shmem group describes the Go heap; the tcp and dns groups are
// there (runtime/sip's tests count them).
func TestCoreStats(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("listen=udp:127.0.0.1:%d\nloadmodule \"kex.so\"\nloadmodule \"sl.so\"\nrequest_route { sl_send_reply(\"404\", \"No\"); }\n", port)
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatal(ld.Error())
	}
	ctx := context.Background()
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.StopSIP(ctx)
	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lp := c.LocalAddr().(*net.UDPAddr).Port
	req := func(ruri, callID, extra string) string {
		return fmt.Sprintf("OPTIONS %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\n"+
			"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\n%sContent-Length: 0\r\n\r\n",
			ruri, lp, callID, callID, extra)
	}
	// Two bad datagrams, then a good one; several readers take them, so
	// the reply does not say the others were handled: their counts are
	// waited for below.
	for _, bad := range []string{req("sip:@@:x;;", "u1", ""), req("sip:b@127.0.0.1", "h1", "Broken header line\r\n")} {
		if _, err := c.Write([]byte(bad)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Write([]byte(req("sip:b@127.0.0.1", "ok", ""))); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	get := func(name string) int64 {
		t.Helper()
		g, n, _ := strings.Cut(name, ":")
		k, ok := srv.Counters().Lookup(g, n)
		if !ok {
			t.Fatalf("no statistic %s", name)
		}
		return k.Value()
	}
	// The two bad datagrams may still be read by other readers: wait
	// (bounded) for their counts.
	for i := 0; get("core:bad_URIs_rcvd") < 1 || get("core:bad_msg_hdr") < 1; i++ {
		if i == 500 {
			t.Fatalf("bad_URIs_rcvd %d, bad_msg_hdr %d", get("core:bad_URIs_rcvd"), get("core:bad_msg_hdr"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if u, h := get("core:bad_URIs_rcvd"), get("core:bad_msg_hdr"); u != 1 || h != 1 {
		t.Errorf("bad_URIs_rcvd %d, bad_msg_hdr %d, want 1 and 1", u, h)
	}
	total, used, maxUsed := get("shmem:total_size"), get("shmem:real_used_size"), get("shmem:max_used_size")
	if total <= 0 || used <= 0 || used > total || maxUsed < used || get("shmem:used_size") <= 0 ||
		get("shmem:fragments") <= 0 || get("shmem:free_size") < 0 {
		t.Errorf("shmem: total %d, real_used %d, max_used %d", total, used, maxUsed)
	}
	for _, name := range []string{"tcp:established", "tcp:current_opened_connections", "dns:failed_dns_request", "dns:slow_dns_request"} {
		if v := get(name); v != 0 {
			t.Errorf("%s = %d without TCP or DNS", name, v)
		}
	}
}
