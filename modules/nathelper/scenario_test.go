package nathelper_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/nathelper"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/usrloc"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// The forwarding scenario: requests from a user agent behind a NAT (the
// Via and Contact name 10.0.0.5, the packets come from 127.0.0.1) to a
// proxy that runs one nathelper function per request (X-Case), writes
// the results in X-* headers and forwards the request to the test's
// sink. Kamailio 5.6.3's forwarded requests are recorded in
// testdata/forwarded.txt by the kamailio-tagged test; kamgo's must be
// the same after normalize.

// routes is the configuration both servers run after their header; SINK
// is the sink's port.
const routes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "nathelper.so"
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
request_route {
	$var(rc) = "none";
	$var(c) = $hdr(X-Case);
	if ($var(c) == "uac") {
		$var(i) = 1;
		while ($var(i) <= 512) {
			if (nat_uac_test("$var(i)")) {
				append_hf("X-T-$var(i): 1\r\n");
			} else {
				append_hf("X-T-$var(i): -1\r\n");
			}
			$var(i) = $var(i) * 2;
		}
	} else if ($var(c) == "fix_nated_contact") {
		fix_nated_contact();
		$var(rc) = $rc;
		if (nat_uac_test("1")) { append_hf("X-After: private\r\n"); }
	} else if ($var(c) == "fix_twice") {
		fix_nated_contact();
		fix_nated_contact();
		$var(rc) = $rc;
	} else if ($var(c) == "set_contact_alias") {
		set_contact_alias();
		$var(rc) = $rc;
	} else if ($var(c) == "set_contact_alias_trim") {
		set_contact_alias("1");
		$var(rc) = $rc;
	} else if ($var(c) == "add_contact_alias") {
		add_contact_alias();
		$var(rc) = $rc;
	} else if ($var(c) == "add_contact_alias3") {
		add_contact_alias("192.0.2.7", "5080", "tcp");
		$var(rc) = $rc;
	} else if ($var(c) == "add_contact_alias3_bad") {
		add_contact_alias("192.0.2.7", "0", "tcp");
		$var(rc) = $rc;
	} else if ($var(c) == "add_rcv_param") {
		add_rcv_param();
		$var(rc) = $rc;
	} else if ($var(c) == "add_rcv_param_uri") {
		add_rcv_param("1");
		$var(rc) = $rc;
	} else if ($var(c) == "fix_nated_register") {
		fix_nated_register();
		$var(rc) = $rc;
		append_hf("X-Received: $avp(RECEIVED)\r\n");
	} else if ($var(c) == "sdp3") {
		fix_nated_sdp("3");
		$var(rc) = $rc;
	} else if ($var(c) == "sdp15") {
		fix_nated_sdp("15", "198.51.100.1");
		$var(rc) = $rc;
	} else if ($var(c) == "sdp_same") {
		fix_nated_sdp("2", "10.0.0.5");
		$var(rc) = $rc;
	} else if ($var(c) == "alias") {
		handle_ruri_alias();
		$var(rc) = $rc;
		append_hf("X-Du: $du\r\n");
	} else if ($var(c) == "alias_none") {
		handle_ruri_alias();
		$var(rc) = $rc;
	} else if ($var(c) == "alias_last") {
		handle_ruri_alias("1");
		$var(rc) = $rc;
		append_hf("X-Du: $du\r\n");
	} else if ($var(c) == "alias_to_pv") {
		set_alias_to_pv("$var(a)");
		$var(rc) = $rc;
		append_hf("X-Alias: $var(a)\r\n");
	} else if ($var(c) == "rfc1918") {
		if (is_rfc1918("10.1.2.3")) { append_hf("X-A: 1\r\n"); }
		if (is_rfc1918("100.64.0.1")) { append_hf("X-B: 1\r\n"); }
		if (is_rfc1918("192.0.0.9")) { append_hf("X-C: 1\r\n"); }
		if (is_rfc1918("8.8.8.8")) { append_hf("X-D: 1\r\n"); }
		if (is_rfc1918("172.31.255.255")) { append_hf("X-E: 1\r\n"); }
		append_hf("X-RR: $rr_count $rr_top_count\r\n");
	}
	append_hf("X-RC: $var(rc)\r\n");
	if ($du == $null) {
		$du = "sip:127.0.0.1:SINK";
	}
	forward();
	exit;
}
`

// request is one request of the scenario.
type request struct {
	name    string
	ruri    string // "" for sip:bob@example.com
	method  string
	headers []string // besides Via, From, To, Call-ID, CSeq, Contact
	contact string   // the Contact value, "-" for none
	body    string
}

const sdpBody = "v=0\r\n" +
	"o=alice 2890844526 2890844526 IN IP4 10.0.0.5\r\n" +
	"s=-\r\n" +
	"c=IN IP4 10.0.0.5\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8 101\r\n" +
	"a=rtcp:49171 IN IP4 10.0.0.5\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"m=video 51372 RTP/AVP 31\r\n" +
	"c=IN IP4 10.0.0.6\r\n"

var scenario = []request{
	{name: "uac", contact: "<sip:alice@10.0.0.5:5060>", body: sdpBody},
	{name: "uac", headers: []string{"X-Note: public contact"}, contact: "<sip:alice@127.0.0.1:PHONE>"},
	{name: "fix_nated_contact", contact: `"Alice" <sip:alice@10.0.0.5:5060;transport=udp>;expires=60`},
	{name: "fix_nated_contact", headers: []string{"X-Note: maddr"}, contact: "<sip:alice@10.0.0.5;maddr=10.0.0.1;lr>"},
	{name: "fix_twice", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "set_contact_alias", contact: "<sip:alice@10.0.0.5:5060;ob>;+sip.instance=\"<urn:x>\""},
	{name: "set_contact_alias", headers: []string{"X-Note: no brackets"}, contact: "sip:alice@10.0.0.5:5060;expires=30"},
	{name: "set_contact_alias_trim", contact: "<sip:alice@10.0.0.5:5060;alias=10.9.9.9~5070~1>"},
	{name: "add_contact_alias", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_contact_alias", headers: []string{"X-Note: no brackets"}, contact: "sip:alice@10.0.0.5;transport=udp"},
	{name: "add_contact_alias", headers: []string{"X-Note: same address"}, contact: "<sip:alice@127.0.0.1:PHONE;transport=udp>"},
	{name: "add_contact_alias", headers: []string{"X-Note: no contact"}, contact: "-"},
	{name: "add_contact_alias3", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_contact_alias3_bad", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_rcv_param", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>;q=0.5, sip:alice2@10.0.0.5"},
	{name: "add_rcv_param_uri", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>;q=0.5"},
	{name: "fix_nated_register", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp3", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp15", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp_same", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias", ruri: "sip:bob@192.0.2.10:5060;alias=127.0.0.1~SINK~1;lr", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_none", ruri: "sip:bob@192.0.2.10:5060;lr", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_last", ruri: "sip:bob@192.0.2.10;alias=192.0.2.99~5999~1;alias=127.0.0.1~SINK~1", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_to_pv", contact: "<sip:alice@10.0.0.5:5060;alias=192.0.2.44~5062~2>"},
	{name: "rfc1918", headers: []string{"Record-Route: <sip:p1.example.com;lr;r2=on>, <sip:p2.example.com;lr>", "Record-Route: <sip:p3.example.com;lr>"}, contact: "<sip:alice@10.0.0.5:5060>"},
}

// text is the request as the phone at port phone sends it; sink is the
// port requests are forwarded to.
func (r request) text(phone, sink int, n int) string {
	method := r.method
	if method == "" {
		method = "INVITE"
	}
	ruri := r.ruri
	if ruri == "" {
		ruri = "sip:bob@example.com"
	}
	ruri = strings.ReplaceAll(ruri, "SINK", strconv.Itoa(sink))
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-%d;rport", n),
		"Max-Forwards: 70",
		"From: <sip:alice@example.com>;tag=a1",
		"To: <sip:bob@example.com>",
		fmt.Sprintf("Call-ID: call-%d@10.0.0.5", n),
		fmt.Sprintf("CSeq: %d %s", n, method),
		"X-Case: " + r.name,
	}
	h = append(h, r.headers...)
	if r.contact != "-" {
		h = append(h, "Contact: "+strings.ReplaceAll(r.contact, "PHONE", strconv.Itoa(phone)))
	}
	if r.body != "" {
		h = append(h, "Content-Type: application/sdp")
	}
	h = append(h, "Content-Length: "+strconv.Itoa(len(r.body)))
	return strings.Join(h, "\r\n") + "\r\n\r\n" + r.body
}

// runScenario sends every request to the proxy at addr from a new UDP
// socket and returns what the sink received, normalized, one block per
// request.
func runScenario(t *testing.T, addr string, phone, sink net.PacketConn) string {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	sport := sink.LocalAddr().(*net.UDPAddr).Port
	var b strings.Builder
	buf := make([]byte, 65535)
	for i, r := range scenario {
		if _, err := phone.WriteTo([]byte(r.text(pport, sport, i+1)), to); err != nil {
			t.Fatal(err)
		}
		_ = sink.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := sink.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%s: nothing forwarded: %v", r.name, err)
		}
		fmt.Fprintf(&b, "== %d %s\n%s\n", i+1, r.name, normalize(string(buf[:n]), pport, sport, to.Port))
	}
	return b.String()
}

var reProxyBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f.]+`)

// normalize makes two proxies' forwarded requests comparable: the
// ports, and the branch of the proxy's Via (Kamailio hashes its own
// address into it).
func normalize(s string, phone, sink, proxy int) string {
	for _, p := range []struct {
		port int
		name string
	}{{phone, "<phone>"}, {sink, "<sink>"}, {proxy, "<proxy>"}} {
		s = strings.ReplaceAll(s, ":"+strconv.Itoa(p.port), ":"+p.name)
		s = strings.ReplaceAll(s, "="+strconv.Itoa(p.port), "="+p.name)
		s = strings.ReplaceAll(s, "~"+strconv.Itoa(p.port), "~"+p.name)
		s = strings.ReplaceAll(s, " "+strconv.Itoa(p.port)+"\r", " "+p.name+"\r")
	}
	s = reProxyBranch.ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

const golden = "testdata/forwarded.txt"

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listen opens a UDP socket on 127.0.0.1.
func listen(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// startKamgo runs cfg (routes with SINK replaced) in kamgo on a free UDP
// port and returns its address, log and server.
func startKamgo(t *testing.T, cfgText string) (string, *linelog.Log, *server.Server) {
	t.Helper()
	return startKamgoClock(t, cfgText, nil)
}

// startKamgoClock is startKamgo with set called on the loaded usrloc and
// nathelper (when loaded) before the server starts.
func startKamgoClock(t *testing.T, cfgText string, set func(*usrloc.Module, *nathelper.Module)) (string, *linelog.Log, *server.Server) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=2\nlisten=udp:127.0.0.1:%d\n%s", port, cfgText)
	cfg, diags, _ := check.AnalyzeSource("nathelper.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if set != nil {
		ul, _ := srv.Module("usrloc")
		nh, _ := srv.Module("nathelper")
		u, _ := ul.(*usrloc.Module)
		n, _ := nh.(*nathelper.Module)
		set(u, n)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return "127.0.0.1:" + strconv.Itoa(port), ll, srv
}

// TestForwarded: kamgo forwards the scenario's requests as Kamailio
// does.
func TestForwarded(t *testing.T) {
	phone, sink := listen(t), listen(t)
	cfg := strings.ReplaceAll(routes, "SINK", strconv.Itoa(sink.LocalAddr().(*net.UDPAddr).Port))
	addr, _, _ := startKamgo(t, cfg)
	got := blocks(runScenario(t, addr, phone, sink))
	want := blocks(readGolden(t, golden))
	if len(got) != len(want) {
		t.Fatalf("%d requests forwarded, Kamailio forwarded %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request differs from Kamailio's (%s):\n%s", golden, diff(want[i], got[i]))
		}
	}
}

// blocks splits a scenario's output at its "== " lines.
func blocks(s string) []string {
	var out []string
	for _, b := range strings.Split(s, "\n== ") {
		out = append(out, strings.TrimPrefix(b, "== "))
	}
	return out
}

// diff shows the lines of want and got that differ.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
