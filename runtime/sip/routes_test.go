package sip_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// These tests run configurations as `kamgo run` does (check, load, the
// modules pv, xlog and sl, StartSIP) and talk to them over real sockets:
// what the message pseudo-variables read, which route a reply runs, and
// how writing $ru, $rd, $rp and $du changes where forward() sends.

const wait = 5 * time.Second

func serve(t *testing.T, routes string) (port int, ll *linelog.Log) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=2\nlisten=udp:127.0.0.1:%d\nlisten=tcp:127.0.0.1:%d\n"+
		"loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n%s", port, port, routes)
	cfg, diags, _ := check.AnalyzeSource("t.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	ll = &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatal(ld.Error())
	}
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
	return port, ll
}

func waitLine(t *testing.T, ll *linelog.Log, re string) {
	t.Helper()
	if err := ll.Wait(regexp.MustCompile(re), 1, wait); err != nil {
		t.Fatalf("%v\n%s", err, ll.Text())
	}
}

func udp(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

func portOf(pc net.PacketConn) int { return pc.LocalAddr().(*net.UDPAddr).Port }

func sendTo(t *testing.T, pc net.PacketConn, port int, msg string) {
	t.Helper()
	if _, err := pc.WriteTo([]byte(msg), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}); err != nil {
		t.Fatal(err)
	}
}

func recvFrom(t *testing.T, pc net.PacketConn) string {
	t.Helper()
	buf := make([]byte, 65535)
	_ = pc.SetReadDeadline(time.Now().Add(wait))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func req(method, ruri string, port int, proto, callID string) string {
	return fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK-%s\r\nFrom: <sip:a@127.0.0.1>;tag=f\r\n"+
		"To: <sip:b@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n", method, ruri, proto, port, callID, callID, method)
}

// TestMessagePVs: the pseudo-variables of the message read the one that
// arrived, over UDP and over TCP.
func TestMessagePVs(t *testing.T) {
	port, ll := serve(t, `request_route {
	xlog("L_INFO", "$rm $ru $rU $rd $si $sp $Ri $Rp $pr $proto $ci $mi $(mb{s.len})\n");
	exit;
}`)
	phone := udp(t)
	raw := req("MESSAGE", "sip:bob@example.com", portOf(phone), "UDP", "pv1")
	sendTo(t, phone, port, raw)
	waitLine(t, ll, fmt.Sprintf(`^INFO: <script>: MESSAGE sip:bob@example\.com bob example\.com 127\.0\.0\.1 %d 127\.0\.0\.1 %d udp udp pv1 \d+ %d$`,
		portOf(phone), port, len(raw)))
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req("OPTIONS", "sip:carol@example.org", 9, "TCP", "pv2")); err != nil {
		t.Fatal(err)
	}
	waitLine(t, ll, fmt.Sprintf(`^INFO: <script>: OPTIONS sip:carol@example\.org carol example\.org 127\.0\.0\.1 %d 127\.0\.0\.1 %d tcp tcp pv2 `,
		c.LocalAddr().(*net.TCPAddr).Port, port))
}

// TestReplyRoutes: an unnamed onreply_route is the core reply route; a
// reply it lets through is forwarded.
func TestReplyRoutes(t *testing.T) {
	port, ll := serve(t, `request_route { exit; }
onreply_route {
	xlog("L_INFO", "reply $rs $rr $rm from $si\n");
}`)
	uas, uac := udp(t), udp(t)
	sendTo(t, uas, port, fmt.Sprintf("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKa.b.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-c\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: r\r\nCSeq: 3 INVITE\r\n"+
		"Content-Length: 0\r\n\r\n", port, portOf(uac)))
	waitLine(t, ll, `^INFO: <script>: reply 486 Busy Here INVITE from 127\.0\.0\.1$`)
	if got := recvFrom(t, uac); !strings.HasPrefix(got, fmt.Sprintf("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-c\r\n", portOf(uac))) {
		t.Errorf("forwarded %q", got)
	}
}

// TestDestinations: forward() follows $du, else the Request-URI as the
// script rewrote it; forward(host, port) goes where it says.
func TestDestinations(t *testing.T) {
	a, b, c := udp(t), udp(t), udp(t)
	port, _ := serve(t, fmt.Sprintf(`request_route {
	if ($ci == "du") {
		$du = "sip:127.0.0.1:%d";
	} else if ($ci == "ru") {
		$ru = "sip:carol@127.0.0.1:%d";
	} else if ($ci == "rd") {
		$rd = "127.0.0.1";
		$rp = %d;
		$rU = "dave";
	} else {
		forward("127.0.0.1", %d);
		exit;
	}
	forward();
}`, portOf(a), portOf(b), portOf(c), portOf(a)))
	phone := udp(t)
	for _, tc := range []struct {
		callID string
		to     net.PacketConn
		ruri   string
	}{
		{"du", a, "sip:bob@example.com"},
		{"ru", b, fmt.Sprintf("sip:carol@127.0.0.1:%d", portOf(b))},
		{"rd", c, fmt.Sprintf("sip:dave@127.0.0.1:%d", portOf(c))},
		{"host", a, "sip:bob@example.com"},
	} {
		sendTo(t, phone, port, req("INVITE", "sip:bob@example.com", portOf(phone), "UDP", tc.callID))
		got := recvFrom(t, tc.to)
		if !strings.HasPrefix(got, "INVITE "+tc.ruri+" SIP/2.0\r\n") || !strings.Contains(got, "\r\nCall-ID: "+tc.callID+"\r\n") {
			t.Errorf("%s: received %q", tc.callID, got)
		}
	}
}
