// Package sip holds the SIP benchmark's configuration (sip.cfg, run by
// bench/sip.sh against Kamailio) and, in its tests, the same call flow in
// one process: sip.cfg served by kamgo, a UDP client that places sipp's
// INVITE, ACK and BYE, and an evapi client that answers every suspended
// transaction as bench/sip/answer does. BenchmarkAsyncCall reports the
// cost of one whole call with its allocations, the figure bench/sip.sh
// measures as server CPU per call; its profiles (-cpuprofile,
// -memprofile) show where a call's work goes.
package sip

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/evapi"
	_ "github.com/kamgo/kamgo/modules/jansson"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// caller places calls through the proxy from one UDP socket, with the
// messages sipp's built-in UAC sends.
type caller struct {
	tb    testing.TB
	conn  *net.UDPConn
	buf   []byte
	port  int
	n     int
	toTag string
}

// startCall runs sip.cfg in kamgo with an answerer on its evapi socket
// and returns a caller connected to its SIP port.
func startCall(tb testing.TB) *caller {
	tb.Helper()
	cfg, err := os.ReadFile("sip.cfg")
	if err != nil {
		tb.Fatal(err)
	}
	// The defines come first, as bench/sip.sh's -A options do.
	srv := siptest.Start(tb, "#!define SIP_PORT "+siptest.SIPPort+"\n"+
		"#!define EVAPI_BIND \"127.0.0.1:"+siptest.EvapiPort+"\"\n"+string(cfg), siptest.Options{Name: "sip.cfg"})
	ev, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(srv.EvapiPort), siptest.Wait)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ev.Close() })
	go answer(ev)
	conn, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: srv.Port})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return &caller{tb: tb, conn: conn, buf: make([]byte, 65535), port: conn.LocalAddr().(*net.UDPAddr).Port}
}

// answer echoes every frame of the evapi connection c back to it: the
// frame holds the transaction's index and label, all t_continue needs.
func answer(c net.Conn) {
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	for {
		f, err := netstring.Read(r, netstring.ConnMax)
		if err != nil {
			return
		}
		_, _ = w.Write(netstring.Append(nil, string(f)))
		if r.Buffered() == 0 && w.Flush() != nil {
			return
		}
	}
}

// call places one call: INVITE answered 200, the ACK with the 200's
// To-tag, BYE answered 200.
func (c *caller) call() {
	c.tb.Helper()
	c.n++
	id := strconv.Itoa(c.n)
	c.toTag = ""
	c.expect(c.request("INVITE", id, "0", 1, sdp), "INVITE")
	c.send(c.request("ACK", id, "5", 1, ""))
	c.expect(c.request("BYE", id, "7", 2, ""), "BYE")
}

// expect sends msg and reads datagrams until the 200 for method comes;
// it keeps the reply's To-tag.
func (c *caller) expect(msg, method string) {
	c.tb.Helper()
	c.send(msg)
	for range siptest.MaxSkip {
		_ = c.conn.SetReadDeadline(time.Now().Add(siptest.Wait))
		n, err := c.conn.Read(c.buf)
		if err != nil {
			c.tb.Fatalf("%s: no reply: %v", method, err)
		}
		got := string(c.buf[:n])
		if strings.HasPrefix(got, "SIP/2.0 1") {
			continue
		}
		if !strings.HasPrefix(got, "SIP/2.0 200 OK\r\n") || !strings.Contains(got, " "+method+"\r\n") {
			c.tb.Fatalf("%s: got\n%s", method, got)
		}
		if c.toTag == "" {
			c.toTag = tagOf(got)
		}
		return
	}
	c.tb.Fatalf("%s: only provisional replies", method)
}

// tagOf is the tag of the To header of msg.
func tagOf(msg string) string {
	i := strings.Index(msg, "\r\nTo: ")
	if i < 0 {
		return ""
	}
	line := msg[i+2:]
	line = line[:strings.Index(line, "\r\n")]
	_, tag, _ := strings.Cut(line, ";tag=")
	return tag
}

func (c *caller) send(msg string) {
	c.tb.Helper()
	if _, err := c.conn.Write([]byte(msg)); err != nil {
		c.tb.Fatal(err)
	}
}

const sdp = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

// request is the request sipp's UAC sends for method in call id.
func (c *caller) request(method, id, branch string, cseq int, body string) string {
	ct, to := "", ""
	if body != "" {
		ct = "Content-Type: application/sdp\r\n"
	}
	if c.toTag != "" {
		to = ";tag=" + c.toTag
	}
	return fmt.Sprintf("%s sip:service@127.0.0.1 SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%s\r\n"+
		"From: sipp <sip:sipp@127.0.0.1:%d>;tag=%sSIPpTag00%s\r\n"+
		"To: service <sip:service@127.0.0.1>%s\r\n"+
		"Call-ID: %s-bench@127.0.0.1\r\n"+
		"CSeq: %d %s\r\n"+
		"Contact: sip:sipp@127.0.0.1:%d\r\n"+
		"Max-Forwards: 70\r\n"+
		"Subject: Performance Test\r\n"+
		"%sContent-Length: %d\r\n\r\n%s",
		method, c.port, id, branch, c.port, id, id, to, id, cseq, method, c.port, ct, len(body), body)
}

// TestAsyncCall: calls through sip.cfg complete as bench/sip.sh's sipp
// calls do, each request suspended, answered over evapi and replied 200
// by the resumed route.
func TestAsyncCall(t *testing.T) {
	c := startCall(t)
	for range 3 {
		c.call()
	}
}

// BenchmarkAsyncCall is one call per operation, client and answerer
// included.
func BenchmarkAsyncCall(b *testing.B) {
	c := startCall(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.call()
	}
}
