//go:build kamailio

package server_test

// Compares with Kamailio 5.6.3, through kamcmd on ctl, what kamgo answers
// about its sockets, aliases, TCP connections and settings and the core's
// statistics: corex.list_sockets and corex.list_aliases, core.tcp_list,
// the tcp configuration group (cfg.list, cfg.get, cfg.set_now_int,
// core.tcp_options), and the dns, shmem, tcp and core statistics after
// the same traffic. Needs kamailio, its modules and kamcmd:
//
//	go test -tags kamailio ./runtime/server -run KamailioNet

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	_ "github.com/kamgo/kamgo/modules/cfg_rpc"
	_ "github.com/kamgo/kamgo/modules/corex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// netConfig is run by both; CTL is where Kamailio loads ctl. The route
// reads the user of the Request-URI (parsing it) and answers 404.
const netConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
listen=tcp:127.0.0.1:%%SIP_PORT%%
alias=example.com:5070
alias=tcp:foo.org
tcp_keepidle=30
tcp_connection_lifetime=300
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "kex.so"
loadmodule "sl.so"
loadmodule "corex.so"
loadmodule "cfg_rpc.so"
CTL
request_route {
	if ($rU == "nobody") {
		exit;
	}
	sl_send_reply("404", "Not here");
}
`

// portRE finds the SIP port in kamcmd's lines, to mask it.
var netPortRE = regexp.MustCompile(`\b\d{4,5}\b`)

func TestKamailioNet(t *testing.T) {
	sockPath := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kport, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	in, err := kamref.StartSIP(ctx, strings.Replace(netConfig, "CTL", kamref.CtlLines(sockPath), 1), kamref.Options{SIPPort: kport})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	kam := func(method string, params ...string) string {
		t.Helper()
		args := append([]string{method}, params...)
		var out string
		var err error
		for range 50 {
			cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err = kamref.Kamcmd(cctx, sockPath, args...)
			ccancel()
			if err == nil || !strings.Contains(out, "connect") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		return strings.TrimSpace(out)
	}

	srv, gport, _ := startKamgoServer(t, strings.Replace(netConfig, "CTL", "", 1))
	// gor is kamgo's answer printed as kamcmd prints it.
	gor := func(method string, params ...string) string {
		t.Helper()
		c := &rpc.Call{Method: method, Convert: true}
		for _, p := range params {
			if n, err := strconv.Atoi(p); err == nil {
				c.Params = append(c.Params, rpc.NewInt(int64(n)))
			} else {
				c.Params = append(c.Params, rpc.NewStr(p))
			}
		}
		if !srv.RPC().Run(context.Background(), c) {
			return "error: 500 - command " + method + " not found"
		}
		vals, f := c.Reply()
		if f != nil {
			return fmt.Sprintf("error: %d - %s", f.Code, f.Text)
		}
		var b strings.Builder
		for _, v := range vals {
			printKamcmd(&b, kamref.FromRPC("", v), 0)
		}
		return strings.TrimSpace(b.String())
	}
	// cfg_rpc words its faults itself: their codes are compared.
	code := func(s string) string {
		if strings.HasPrefix(s, "error: ") {
			c, _, _ := strings.Cut(s, " - ")
			return c
		}
		return s
	}
	same := func(what, k, g string, maskPorts bool) {
		t.Helper()
		if maskPorts {
			k = strings.ReplaceAll(k, strconv.Itoa(kport), "PORT")
			g = strings.ReplaceAll(g, strconv.Itoa(gport), "PORT")
		}
		if k != g {
			t.Errorf("%s:\n kamgo:\n%s\n Kamailio:\n%s", what, g, k)
		} else if testing.Verbose() {
			t.Logf("%s:\n%s", what, k)
		}
	}

	// Sockets and aliases, with the name 127.0.0.1 resolves back to.
	for _, m := range []string{"corex.list_sockets", "corex.list_aliases", "core.aliases_list"} {
		same(m, kam(m), gor(m), true)
	}
	// corex.debug reads, sets, reads again.
	for _, args := range [][]string{{}, {"3"}, {"x"}, {}} {
		same("corex.debug "+strings.Join(args, " "), kam("corex.debug", args...), gor("corex.debug", args...), false)
	}

	// The tcp group: its variables in order, each value or fault, the
	// read-only and out-of-range faults, and core.tcp_options.
	var kvars, gvars []string
	for _, l := range strings.Split(kam("cfg.list"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "tcp:") {
			kvars = append(kvars, strings.TrimSpace(l))
		}
	}
	for _, l := range strings.Split(gor("cfg.list"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "tcp:") {
			gvars = append(gvars, strings.TrimSpace(l))
		}
	}
	same("cfg.list tcp", strings.Join(kvars, "\n"), strings.Join(gvars, "\n"), false)
	for _, l := range kvars {
		name := strings.TrimSpace(strings.TrimPrefix(l, "tcp:"))
		same("cfg.get tcp "+name, code(kam("cfg.get", "tcp", name)), code(gor("cfg.get", "tcp", name)), false)
	}
	same("cfg.set_now_int tcp async 0", code(kam("cfg.set_now_int", "tcp", "async", "0")), code(gor("cfg.set_now_int", "tcp", "async", "0")), false)
	same("cfg.set_now_int tcp crlf_ping 2", code(kam("cfg.set_now_int", "tcp", "crlf_ping", "2")), code(gor("cfg.set_now_int", "tcp", "crlf_ping", "2")), false)
	same("cfg.set_now_int tcp keepcnt 5", code(kam("cfg.set_now_int", "tcp", "keepcnt", "5")), code(gor("cfg.set_now_int", "tcp", "keepcnt", "5")), false)
	same("core.tcp_options", kam("core.tcp_options"), gor("core.tcp_options"), false)

	// Traffic: an OPTIONS over TCP, one whose Request-URI does not
	// parse, one with a header line without a colon; the connection stays
	// open.
	traffic := func(port int) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		lp := c.LocalAddr().(*net.TCPAddr).Port
		req := func(ruri, callID, extra string) string {
			return fmt.Sprintf("OPTIONS %s SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\n"+
				"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: 1 OPTIONS\r\n%sContent-Length: 0\r\n\r\n",
				ruri, lp, callID, callID, extra)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		// The request whose Request-URI does not parse is answered by
		// Kamailio only; the reply to the next one says both were handled.
		if _, err := c.Write([]byte(req("sip:@@:x;;", "n3", "") + req("sip:b@127.0.0.1", "n1", ""))); err != nil {
			t.Fatal(err)
		}
		var got []byte
		for !strings.Contains(string(got), "Call-ID: n1") {
			n, err := c.Read(buf)
			if err != nil {
				t.Fatalf("no reply from %d: %v", port, err)
			}
			got = append(got, buf[:n]...)
		}
		// A header line without a colon, over UDP (it gets no reply),
		// then a good request whose reply says the first was handled.
		u, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer u.Close()
		_ = u.SetDeadline(time.Now().Add(10 * time.Second))
		for _, r := range []string{req("sip:b@127.0.0.1", "n2", "Broken header line\r\n"), req("sip:b@127.0.0.1", "n4", "")} {
			if _, err := u.Write([]byte(strings.NewReplacer("TCP", "UDP", ";branch", ";rport;branch").Replace(r))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := u.Read(buf); err != nil {
			t.Fatalf("no reply from %d over UDP: %v", port, err)
		}
	}
	traffic(kport)
	traffic(gport)
	stats := func(get func(string, ...string) string) string {
		var out []string
		for _, l := range strings.Split(get("stats.get_statistics", "dns:", "shmem:", "tcp:", "bad_URIs_rcvd", "bad_msg_hdr"), "\n") {
			if strings.HasPrefix(l, "shmem:") {
				l = netPortRE.ReplaceAllString(l, "N")
				l, _, _ = strings.Cut(l, " =")
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	same("stats.get_statistics", stats(kam), stats(gor), false)

	// The connection: kamgo's timeout and reference count are its own
	// (Kamailio's reader process holds the connection a while).
	tcpList := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if k, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok && (k == "timeout" || k == "ref_count" || k == "src_port" || k == "id") {
				l = k + ": N"
			}
			out = append(out, strings.TrimSpace(l))
		}
		return strings.Join(out, "\n")
	}
	same("core.tcp_list", tcpList(kam("core.tcp_list")), tcpList(gor("core.tcp_list")), true)
}

// printKamcmd prints v as kamcmd does: a structure in braces, its
// members "name: value", one a line, indented by tabs.
func printKamcmd(b *strings.Builder, v *kamref.Value, depth int) {
	ind := strings.Repeat("\t", depth)
	name := ""
	if v.Name != "" {
		name = v.Name + ": "
	}
	if v.Leaf {
		fmt.Fprintf(b, "%s%s%s\n", ind, name, v.Text)
		return
	}
	fmt.Fprintf(b, "%s%s{\n", ind, name)
	for _, k := range v.Kids {
		printKamcmd(b, k, depth+1)
	}
	fmt.Fprintf(b, "%s}\n", ind)
}
