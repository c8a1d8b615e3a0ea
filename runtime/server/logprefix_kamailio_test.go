//go:build kamailio

package server_test

// Compares the lines Kamailio 5.6.3 and kamgo print while they handle the
// same requests under Debian's log_prefix: the script's, the core's and
// the modules' (registrar, sl), a failure route run by tm's timer and one
// run by a reply, a reply route, the core's lines about requests without
// a Via or a CSeq. Lines are compared after Kamailio's
// process number, pid and C file positions. Needs kamailio and its
// modules:
//
//	go test -tags kamailio -run Kamailio ./runtime/server

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/kamgo/kamgo/modules/maxfwd"
	_ "github.com/kamgo/kamgo/modules/registrar"
	_ "github.com/kamgo/kamgo/modules/siputils"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/usrloc"
)

const prefixDiffConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
log_prefix=%%PREFIX%%
listen=udp:127.0.0.1:%%SIP_PORT%%
listen=tcp:127.0.0.1:%%SIP_PORT%%
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("tm", "fr_timer", 500)
request_route {
	xlog("L_INFO", "start $rm $rU\n");
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (is_method("REGISTER")) {
		if (!save("location")) { sl_reply_error(); }
		exit;
	}
	if ($rU == "silent" || $rU == "busy") {
		t_on_failure("F");
		t_on_reply("R");
		$du = "sip:127.0.0.1:%%UAS_PORT%%";
		t_relay();
		exit;
	}
	sl_send_reply("404", "No");
}
onreply_route[R] {
	xlog("L_INFO", "reply $rs\n");
}
failure_route[F] {
	xlog("L_INFO", "failure route $T_reply_code\n");
	t_reply("408", "Gone");
}
`

// uas is the next hop: it answers INVITEs to "busy" with 486 and lets
// the others time out.
type uas struct {
	conn *net.UDPConn
	done chan struct{}
}

func startUAS(t *testing.T) *uas {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	u := &uas{conn: conn, done: make(chan struct{})}
	go u.serve()
	t.Cleanup(func() { conn.Close(); <-u.done })
	return u
}

func (u *uas) port() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

func (u *uas) serve() {
	defer close(u.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg := string(buf[:n])
		if !strings.HasPrefix(msg, "INVITE sip:busy@") {
			continue
		}
		var hdrs []string
		for _, l := range strings.Split(msg, "\r\n")[1:] {
			name, _, _ := strings.Cut(l, ":")
			switch strings.ToLower(name) {
			case "via", "from", "call-id", "cseq":
				hdrs = append(hdrs, l)
			case "to":
				hdrs = append(hdrs, l+";tag=uas")
			}
		}
		reply := "SIP/2.0 486 Busy Here\r\n" + strings.Join(hdrs, "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
		_, _ = u.conn.WriteToUDP([]byte(reply), from)
	}
}

// dialUDP connects a UDP socket to port on 127.0.0.1 and returns it with
// its own port.
func dialUDP(t *testing.T, port int) (net.Conn, int) {
	t.Helper()
	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	return c, c.LocalAddr().(*net.UDPAddr).Port
}

// exchange sends a request to port and waits for its final reply.
func exchange(t *testing.T, port int, method, user, extra string) string {
	t.Helper()
	c, lp := dialUDP(t, port)
	defer c.Close()
	msg := fmt.Sprintf("%s sip:%s@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\n"+
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: cid-%s\r\nCSeq: 7 %s\r\n%sContent-Length: 0\r\n\r\n",
		method, user, lp, user, user, user, method, extra)
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	for i := 0; i < 10; i++ {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("%s %s: %v", method, user, err)
		}
		first, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		if !strings.HasPrefix(first, "SIP/2.0 1") {
			if method == "INVITE" {
				ack := strings.Replace(strings.Replace(msg, "INVITE sip:", "ACK sip:", 1), "CSeq: 7 INVITE", "CSeq: 7 ACK", 1)
				_, _ = c.Write([]byte(ack))
			}
			return first
		}
	}
	t.Fatalf("%s %s: no final reply", method, user)
	return ""
}

// drop sends port a request that lacks a header every message must
// have, which the server logs and drops.
func drop(t *testing.T, port int, without string) {
	t.Helper()
	c, lp := dialUDP(t, port)
	defer c.Close()
	var b strings.Builder
	for _, h := range []string{
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-no", lp),
		"From: <sip:a@127.0.0.1>;tag=1", "To: <sip:b@127.0.0.1>", "Call-ID: cid-no-" + without, "CSeq: 9 OPTIONS",
	} {
		if !strings.HasPrefix(h, without+":") {
			b.WriteString(h + "\r\n")
		}
	}
	if _, err := c.Write([]byte("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" + b.String() + "Content-Length: 0\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
}

// scenario runs the requests against port and returns their final
// replies.
func scenario(t *testing.T, port int) []string {
	replies := []string{
		exchange(t, port, "OPTIONS", "alice", ""),
		exchange(t, port, "REGISTER", "star", "Contact: *\r\nExpires: 10\r\n"),
		exchange(t, port, "INVITE", "silent", ""),
		exchange(t, port, "INVITE", "busy", ""),
	}
	drop(t, port, "Via")
	drop(t, port, "CSeq")
	return append(replies, exchange(t, port, "OPTIONS", "done", ""))
}

// outside counts the lines before the first request's that have text.
func outside(lines []string, text string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, "<script>: start OPTIONS alice") {
			break
		}
		if strings.Contains(l, text) {
			n++
		}
	}
	return n
}

// between returns the lines from the first request's to the last one's.
func between(lines []string) []string {
	first, last := -1, -1
	for i, l := range lines {
		if strings.Contains(l, "<script>: start OPTIONS alice") && first < 0 {
			first = i
		}
		if strings.Contains(l, "<script>: start OPTIONS done") {
			last = i
		}
	}
	if first < 0 || last < 0 {
		return nil
	}
	return lines[first : last+1]
}

// TestKamailioLogPrefixModules runs the scenario with Debian's prefix and
// with a static one.
func TestKamailioLogPrefixModules(t *testing.T) {
	for _, prefix := range []string{`"{$mt $hdr(CSeq) $ci} "`, `"STATIC "`} {
		t.Run(prefix, func(t *testing.T) { comparePrefix(t, prefix) })
	}
}

func comparePrefix(t *testing.T, prefix string) {
	u := startUAS(t)
	cfgText := strings.ReplaceAll(prefixDiffConfig, "%%UAS_PORT%%", strconv.Itoa(u.port()))
	cfgText = strings.ReplaceAll(cfgText, "%%PREFIX%%", prefix)

	in := startKamailioSIP(t, cfgText)
	wantReplies := scenario(t, in.SIPPort)
	kamLines := kamailioLines(t, in, func(lines []string) bool { return between(lines) != nil })
	want := between(kamLines)

	gport, out := startKamgoSIP(t, cfgText)
	gotReplies := scenario(t, gport)
	lines := strings.Split(out.String(), "\n")
	got := between(lines)
	// Start-up lines have no prefix, static or not.
	if n, m := outside(lines, "STATIC"), outside(kamLines, "STATIC"); n != 0 || m != 0 {
		t.Errorf("start-up lines with the static prefix: kamgo %d, Kamailio %d", n, m)
	}

	if g, w := strings.Join(gotReplies, "\n"), strings.Join(wantReplies, "\n"); g != w {
		t.Errorf("replies:\n kamgo\n%s\n Kamailio\n%s", g, w)
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("log lines:\n kamgo\n%s\n Kamailio\n%s", g, w)
	}
}
