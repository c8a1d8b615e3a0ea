//go:build kamailio

package sipproxy_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

// TestSameAsKamailio runs the example on Kamailio 5.6.3 and on kamgo and
// sends both the same messages from the same sockets: a phone and the
// next hop. Every message the phone and the next hop receive, and every
// line the script logs, must be the same, up to the proxy's port, the
// fixed part of sl's to-tags (an MD5 of the proxy's address and port) and
// the Server header (each server names itself). The sipp scenarios then
// run against Kamailio as they do against kamgo.
func TestSameAsKamailio(t *testing.T) {
	sipp := newSipp(t)
	cfg, err := os.ReadFile("kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	phone, next := siptest.NewUA(t, "phone"), siptest.NewUA(t, "next")
	nextPort := next.Port()

	kp, proc := startKamgo(t, nextPort)
	kamgoSaw := exchange(t, phone, next, kp)
	proc.Stop()
	kamgoLog := scriptLines(proc.Log(), `^INFO: <script>: (.*)$`, kp)

	rp := siptest.FreePort(t)
	in, err := kamref.Start(context.Background(), string(cfg), kamref.Options{SIPPort: rp, EvapiPort: rp, Args: defines(rp, nextPort)})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	kamailioSaw := exchange(t, phone, next, rp)

	if len(kamgoSaw) != len(kamailioSaw) {
		t.Fatalf("kamgo: %d messages, Kamailio: %d", len(kamgoSaw), len(kamailioSaw))
	}
	for i := range kamgoSaw {
		if k, r := normalize(kamgoSaw[i], kp), normalize(kamailioSaw[i], rp); k != r {
			t.Errorf("message %d differs\nkamgo:\n%s\nKamailio:\n%s", i+1, k, r)
		}
	}

	// sipp against Kamailio, as against kamgo (sipp_test.go); its script
	// lines come after the exchange's, and are left out below.
	scenario(t, sipp, "options.xml", rp, "u1", 3)
	scenario(t, sipp, "register.xml", rp, "u1", 3)
	next.Conn().Close() // the sipp UAS takes the next hop's port
	calls(t, sipp, rp, nextPort, 3)

	in.Stop()
	var kamailioLog []string
	for _, l := range in.ScriptLog() {
		kamailioLog = append(kamailioLog, strings.ReplaceAll(l.Level+": "+l.Text, fmt.Sprint(rp), "PROXY"))
	}
	if len(kamailioLog) > len(kamgoLog) {
		kamailioLog = kamailioLog[:len(kamgoLog)]
	}
	if strings.Join(kamgoLog, "\n") != strings.Join(kamailioLog, "\n") {
		t.Errorf("script log differs\nkamgo:\n%s\nKamailio:\n%s", strings.Join(kamgoLog, "\n"), strings.Join(kamailioLog, "\n"))
	}
}

// scriptLines are kamgo's script log lines, "LEVEL: text", with the
// proxy's port replaced.
func scriptLines(log, re string, proxy int) []string {
	var out []string
	m := regexp.MustCompile(re)
	for _, l := range strings.Split(log, "\n") {
		if g := m.FindStringSubmatch(l); g != nil {
			out = append(out, strings.ReplaceAll("INFO: "+g[1], fmt.Sprint(proxy), "PROXY"))
		}
	}
	return out
}

// exchange sends the phone's requests to the proxy at port, answers what
// reaches the next hop as a phone there would, and returns every message
// the phone and the next hop received, in order.
func exchange(t *testing.T, phone, next *siptest.UA, proxy int) []string {
	t.Helper()
	to := "127.0.0.1:" + strconv.Itoa(proxy)
	pp := phone.Port()
	var saw []string
	send := func(u *siptest.UA, dst, msg string) {
		t.Helper()
		u.SendTo(dst, strings.ReplaceAll(msg, "\n", "\r\n"))
	}
	recv := func(u *siptest.UA) (string, string) {
		t.Helper()
		msg, from, ok := u.ReadFrom(siptest.Wait)
		if !ok {
			t.Fatalf("%s: nothing received", u.Name)
		}
		saw = append(saw, msg)
		return msg, from
	}
	head := func(method, callID, via string, cseq int, extra string) string {
		return fmt.Sprintf("%s sip:service@sip.example.com SIP/2.0\n%s\nFrom: sipp <sip:sipp@127.0.0.1:%d>;tag=%s-1\n"+
			"To: <sip:service@sip.example.com>%s\nCall-ID: %s\nCSeq: %d %s\nMax-Forwards: 70\n", method, via, pp, callID, extra, callID, cseq, method)
	}
	via := fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-", pp)

	send(phone, to, strings.Replace(head("OPTIONS", "o1", via+"o1", 1, ""), "service@", "", 2)+"Content-Length: 0\n\n")
	recv(phone)
	send(phone, to, strings.Replace(head("OPTIONS", "o2", "Via: SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK-o2;rport", 1, ""), "service@", "", 2)+"Content-Length: 0\n\n")
	recv(phone)
	send(phone, to, head("REGISTER", "r1", via+"r1;rport", 1, "")+fmt.Sprintf("Contact: <sip:sipp@127.0.0.1:%d>\nExpires: 60\nContent-Length: 0\n\n", pp))
	recv(phone)

	sdp := "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\n"
	send(phone, to, head("INVITE", "i1", via+"i1", 1, "")+fmt.Sprintf("Contact: <sip:sipp@127.0.0.1:%d>\nContent-Type: application/sdp\nContent-Length: %d\n\n%s", pp, len(strings.ReplaceAll(sdp, "\n", "\r\n")), sdp))
	inv, from := recv(next)
	vias := regexp.MustCompile(`(?m)^Via: .*\r$`).FindAllString(inv, -1)
	reply := func(status, totag string) string {
		r := "SIP/2.0 " + status + "\n"
		for _, v := range vias {
			r += strings.TrimSuffix(v, "\r") + "\n"
		}
		return r + fmt.Sprintf("From: sipp <sip:sipp@127.0.0.1:%d>;tag=i1-1\nTo: <sip:service@sip.example.com>%s\nCall-ID: i1\nCSeq: 1 INVITE\nContent-Length: 0\n\n", pp, totag)
	}
	send(next, from, reply("180 Ringing", ";tag=uas"))
	recv(phone)
	send(next, from, reply("200 OK", ";tag=uas"))
	recv(phone)
	send(phone, to, head("ACK", "i1", via+"i1a", 1, ";tag=uas")+"Content-Length: 0\n\n")
	recv(next)
	send(phone, to, head("BYE", "i1", via+"i1b", 2, ";tag=uas")+"Content-Length: 0\n\n")
	bye, from := recv(next)
	vias = regexp.MustCompile(`(?m)^Via: .*\r$`).FindAllString(bye, -1)
	send(next, from, strings.Replace(reply("200 OK", ";tag=uas"), "CSeq: 1 INVITE", "CSeq: 2 BYE", 1))
	recv(phone)
	return saw
}

var (
	slTagRE  = regexp.MustCompile(`tag=[0-9a-f]{32}\.`)
	serverRE = regexp.MustCompile(`(?m)^Server: [^\r]*\r\n`)
)

// normalize takes out of a message what differs between the two servers
// and is not the protocol's business.
func normalize(msg string, proxy int) string {
	msg = strings.ReplaceAll(msg, fmt.Sprintf(":%d", proxy), ":PROXY")
	msg = slTagRE.ReplaceAllString(msg, "tag=MD5.")
	return serverRE.ReplaceAllString(msg, "Server: SERVER\r\n")
}
