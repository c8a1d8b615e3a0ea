//go:build kamailio

package counters_test

// Differential test against Kamailio 5.6.3: the same configuration gets
// the same SIP traffic on Kamailio and on kamgo; the script logs $stat
// values as it goes, and at the end the same RPC commands read and reset
// the counters (Kamailio's through jsonrpcs' datagram socket, kamgo's
// through its RPC registry). Both must agree, except for the values of
// the statistics that describe each server's memory (varying). Needs the kamailio binary and
// its modules:
//
//	go test -tags kamailio ./modules/counters

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// diffCfg is the configuration both servers run; PEER is the port of the
// test's downstream peer.
const diffCfg = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
MODULES
request_route {
	cnt_inc("script.foo");
	cnt_add("grp.bar", "5");
	$var(n) = -2;
	cnt_add("baz", "$var(n)");
	xlog("L_INFO", "STAT $rm rcv=$stat(rcv_requests) m=$stat(rcv_requests_message) un=$stat(unsupported_methods) fwd=$stat(fwd_requests) foo=$stat(foo) bar=$stat(bar) baz=$stat(baz) acc=$stat(accepted_regs) ul=$stat(location_contacts) x=$stat(nope)\n");
	if ($rm == "REGISTER") { save("location"); exit; }
	if ($rm == "INFO") { cnt_reset("grp.bar"); cnt_reset("registrar.accepted_regs"); }
	if ($rm == "MESSAGE") { $du = "sip:127.0.0.1:PEER"; forward(); exit; }
	sl_send_reply("404", "nf");
}
onreply_route {
	xlog("L_INFO", "REPLY $rs rcv=$stat(rcv_replies) c18x=$stat(rcv_replies_18x) c486=$stat(rcv_replies_486) msg2xx=$stat(rcv_replies_2xx_message) inv4xx=$stat(rcv_replies_4xx_invite) fwd=$stat(fwd_replies) drop=$stat(drop_replies)\n");
	if ($rs == 486) { drop; }
}
`

// varying are the statistics whose values are each server's own: shmem
// describes Kamailio's shared memory pool and kamgo's Go heap. Their
// names are compared, their values masked.
var varying = regexp.MustCompile(`^shmem[:.]`)

// rpcCalls are the commands compared, in order: reads, then resets and
// reads again. Missing parameters are not among them: how a call without
// one is answered is the transport's (jsonrpcs answers nothing, ctl a
// fault).
var rpcCalls = []string{
	"cnt.grps_list",
	"cnt.get script foo",
	"cnt.get mine",
	"cnt.get grp bar",
	"cnt.get nogrp x",
	"cnt.get_raw script foo",
	"cnt.get_raw sl 404_replies",
	"cnt.get sl 404_replies",
	"cnt.help script foo",
	"cnt.help grp bar",
	"cnt.var_list usrloc",
	"cnt.list_vars nogrp",
	"cnt.grp_get_all registrar",
	"cnt.get_vars usrloc",
	"stats.get_statistics all",
	"stats.get_statistics foo nope rcv_requests core:rcv_requests",
	"stats.get_statistics sl: usrloc: baz",
	"stats.fetch all",
	"stats.fetch script.foo mine.foo grp:bar core.rcv_requests usrloc:location_users nope",
	"stats.fetchn core: registrar: tmx:",
	"stats.fetchn mine: grp:",
	"stats.clear_statistics rcv_requests usrloc: mine: 404_replies",
	"stats.get_statistics core: mine:",
	"stats.reset_statistics all",
	"stats.get_statistics all",
	"cnt.reset script foo",
	"cnt.reset core rcv_requests_message",
	"cnt.reset usrloc location_users",
	"cnt.get_vars core",
	"cnt.get_vars script",
}

// traffic sends the same messages to addr: requests answered, a MESSAGE
// forwarded to peer and its reply forwarded back, a 180 forwarded and a
// 486 the reply route drops.
func traffic(t *testing.T, addr string, peer net.PacketConn) {
	t.Helper()
	phone, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	to, _ := net.ResolveUDPAddr("udp", addr)
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	buf := make([]byte, 65535)
	recv := func(pc net.PacketConn, what string) string {
		_ = pc.SetReadDeadline(time.Now().Add(wait))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return string(buf[:n])
	}
	write := func(pc net.PacketConn, msg string, dst net.Addr) {
		if _, err := pc.WriteTo([]byte(msg), dst); err != nil {
			t.Fatal(err)
		}
	}
	req := func(method string, n int) string {
		return fmt.Sprintf("%s sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-r%d\r\n"+
			"From: <sip:alice@127.0.0.1>;tag=a%d\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c%d@x\r\nCSeq: %d %s\r\n"+
			"Contact: <sip:alice@127.0.0.1:%d>\r\nExpires: 60\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			method, pport, n, n, n, n, method, pport)
	}
	for i, m := range []string{"OPTIONS", "REGISTER", "FOO", "INFO", "REGISTER"} {
		write(phone, req(m, i), to)
		recv(phone, "reply to "+m)
	}
	// An INVITE answered 404 by sl, and its ACK, which sl filters.
	write(phone, req("INVITE", 5), to)
	nf := recv(phone, "reply to INVITE")
	var toLine string
	for _, l := range strings.Split(nf, "\r\n") {
		if strings.HasPrefix(l, "To:") {
			toLine = l
		}
	}
	ack := strings.Replace(req("ACK", 5), "To: <sip:bob@127.0.0.1>", toLine, 1)
	write(phone, ack, to)
	// MESSAGE: the peer gets it and answers 200, which reaches the phone.
	write(phone, req("MESSAGE", 10), to)
	fwd := recv(peer, "forwarded MESSAGE")
	head, _, _ := strings.Cut(fwd, "\r\n\r\n")
	var vias, rest []string
	for _, l := range strings.Split(head, "\r\n")[1:] {
		if strings.HasPrefix(strings.ToLower(l), "via:") {
			vias = append(vias, l)
		} else if !strings.HasPrefix(l, "Max-Forwards") && !strings.HasPrefix(l, "Contact") && !strings.HasPrefix(l, "Expires") && !strings.HasPrefix(l, "Content-Length") {
			rest = append(rest, l)
		}
	}
	ok := "SIP/2.0 200 OK\r\n" + strings.Join(append(vias, rest...), "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
	write(peer, ok, to)
	recv(phone, "relayed 200")
	// Replies on a Via of the server's: a 180 is relayed, a 486 dropped.
	reply := func(status string, n int) string {
		return fmt.Sprintf("SIP/2.0 %s\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-s%d\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-p%d\r\n"+
			"From: <sip:alice@127.0.0.1>;tag=a%d\r\nTo: <sip:bob@127.0.0.1>;tag=b%d\r\nCall-ID: i%d@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
			status, addr, n, pport, n, n, n, n)
	}
	write(peer, reply("180 Ringing", 20), to)
	recv(phone, "relayed 180")
	write(peer, reply("486 Busy Here", 21), to)
	// Nothing comes back for the 486: an OPTIONS after it marks the end.
	write(phone, req("OPTIONS", 30), to)
	recv(phone, "reply to the last OPTIONS")
}

type side struct {
	script []string
	rpc    []string
}

var lineRE = regexp.MustCompile(`(STAT|REPLY) .*`)

func scriptOf(lines []string) []string {
	var out []string
	for _, l := range lines {
		if m := lineRE.FindString(l); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// normal renders a reply: "fault CODE" or the JSON of the result, with
// the values varying matches masked.
func normal(v any) string {
	var drop func(v any) any
	drop = func(v any) any {
		switch x := v.(type) {
		case []any:
			out := []any{}
			for _, it := range x {
				if s, ok := it.(string); ok && varying.MatchString(s) {
					name, _, _ := strings.Cut(s, " = ")
					it = name + " = N"
				}
				out = append(out, drop(it))
			}
			return out
		case map[string]any:
			out := map[string]any{}
			for k, it := range x {
				switch {
				case varying.MatchString(k):
					out[k] = "N"
				default:
					out[k] = drop(it)
				}
			}
			return out
		}
		return v
	}
	b, _ := json.Marshal(drop(v))
	return string(b)
}

func runKamailio(t *testing.T, mods string) side {
	peer := listenPeer(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "rpc.sock")
	text := strings.ReplaceAll(strings.Replace(diffCfg, "MODULES\n", mods, 1), "PEER", strconv.Itoa(peer.LocalAddr().(*net.UDPAddr).Port)) +
		"loadmodule \"jsonrpcs.so\"\nmodparam(\"jsonrpcs\", \"transport\", 4)\nmodparam(\"jsonrpcs\", \"dgram_socket\", \"" + sock + "\")\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, text, kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	traffic(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), peer)
	// sl's and tmx's statistics are sums Kamailio refreshes at most once
	// per timer tick (1/16 s).
	time.Sleep(300 * time.Millisecond)
	cli := filepath.Join(dir, "cli.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: cli, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var s side
	buf := make([]byte, 1<<20)
	for _, call := range rpcCalls {
		f := strings.Fields(call)
		req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": f[0], "params": f[1:], "id": 1})
		if _, err := conn.WriteToUnix(req, &net.UnixAddr{Name: sock, Net: "unixgram"}); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s: %v", call, err)
		}
		var rep struct {
			Result any
			Error  *struct{ Code int }
		}
		if err := json.Unmarshal(buf[:n], &rep); err != nil {
			t.Fatalf("%s: %v: %s", call, err, buf[:n])
		}
		if rep.Error != nil {
			s.rpc = append(s.rpc, call+" => fault "+strconv.Itoa(rep.Error.Code))
		} else {
			s.rpc = append(s.rpc, call+" => "+normal(rep.Result))
		}
	}
	in.Stop()
	for _, l := range in.ScriptLog() {
		s.script = append(s.script, l.Text)
	}
	s.script = scriptOf(s.script)
	return s
}

func runKamgo(t *testing.T, mods string) side {
	peer := listenPeer(t)
	sipPort, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	evPort, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(strings.Replace(diffCfg, "MODULES\n", mods, 1), "PEER", strconv.Itoa(peer.LocalAddr().(*net.UDPAddr).Port))
	text = strings.ReplaceAll(text, kamref.SIPPortPlaceholder, strconv.Itoa(sipPort))
	text = strings.ReplaceAll(text, kamref.EvapiPortPlaceholder, strconv.Itoa(evPort))
	cfg, diags, _ := check.AnalyzeSource("counters.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
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
	traffic(t, "127.0.0.1:"+strconv.Itoa(sipPort), peer)
	// sl counts a reply once sent: the phone may have it first. Stopping
	// the transport waits for the messages being routed.
	stopSIP(t, srv)
	var s side
	for _, call := range rpcCalls {
		f := strings.Fields(call)
		c := &rpc.Call{Method: f[0], Convert: true}
		for _, p := range f[1:] {
			c.Params = append(c.Params, rpc.NewStr(p))
		}
		srv.RPC().Run(context.Background(), c)
		cmd, _ := srv.RPC().Lookup(f[0])
		vs, fault := c.Reply()
		if fault != nil {
			s.rpc = append(s.rpc, call+" => fault "+strconv.Itoa(fault.Code))
			continue
		}
		s.rpc = append(s.rpc, call+" => "+normal(asJSON(vs, cmd.Array)))
	}
	s.script = scriptOf(ll.Lines())
	return s
}

// asJSON is a reply as jsonrpcs sends it: an array for an array command,
// else the last value added (each replaces the one before), an empty
// structure for none.
func asJSON(vs []*rpc.Value, array bool) any {
	var conv func(v *rpc.Value) any
	conv = func(v *rpc.Value) any {
		switch v.Kind {
		case rpc.Int:
			return float64(v.Int)
		case rpc.Double:
			return v.Double
		case rpc.Str:
			return v.Str
		case rpc.Bool:
			return v.Bool
		case rpc.Struct:
			m := map[string]any{}
			for _, mb := range v.Members {
				m[mb.Name] = conv(mb.Value)
			}
			return m
		case rpc.Array:
			out := []any{}
			for _, it := range v.Items {
				out = append(out, conv(it))
			}
			return out
		}
		return nil
	}
	switch {
	case array:
		out := []any{}
		for _, v := range vs {
			out = append(out, conv(v))
		}
		return out
	case len(vs) > 0:
		return conv(vs[len(vs)-1])
	}
	return map[string]any{}
}

func stopSIP(t *testing.T, srv *server.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.StopSIP(ctx); err != nil {
		t.Fatal(err)
	}
}

func listenPeer(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

func TestKamailioDifferential(t *testing.T) {
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/kamailio/modules/counters.so"); err != nil {
		t.Fatalf("Kamailio's counters module is not installed: %v", err)
	}
	// The module order decides whether kex counts the ACK sl filters
	// (see runtime/sip's CountBefore).
	orders := map[string]string{
		"kex-before-sl": modules,
		"sl-before-kex": strings.Replace(strings.Replace(modules, "loadmodule \"kex.so\"\n", "", 1),
			"loadmodule \"sl.so\"\n", "loadmodule \"sl.so\"\nloadmodule \"kex.so\"\n", 1),
	}
	for name, mods := range orders {
		t.Run(name, func(t *testing.T) {
			k := runKamailio(t, mods)
			g := runKamgo(t, mods)
			if !reflect.DeepEqual(k.script, g.script) {
				t.Errorf("script lines differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(k.script, "\n  "), strings.Join(g.script, "\n  "))
			}
			for i := range rpcCalls {
				if k.rpc[i] != g.rpc[i] {
					t.Errorf("RPC differs\nkamailio: %s\nkamgo:    %s", k.rpc[i], g.rpc[i])
				}
			}
		})
	}
}

// tmCfg relays INVITE and MESSAGE statefully to the peer and answers
// OPTIONS with t_reply, so that tmx's statistics move.
const tmCfg = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rm == "OPTIONS") { t_newtran(); t_reply("403", "no"); exit; }
	$du = "sip:127.0.0.1:PEER";
	t_relay();
}
`

var tmCalls = []string{
	"stats.fetchn tmx:",
	"stats.get_statistics rcv_requests rcv_replies fwd_replies fwd_requests drop_replies rcv_replies_2xx_invite rcv_replies_4xx_message",
}

// tmTraffic: an INVITE answered 180 and 200 by the peer (and its ACK), a
// MESSAGE answered 404, an OPTIONS answered by t_reply.
func tmTraffic(t *testing.T, addr string, peer net.PacketConn) {
	t.Helper()
	phone, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	to, _ := net.ResolveUDPAddr("udp", addr)
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	buf := make([]byte, 65535)
	recv := func(pc net.PacketConn, what string) string {
		t.Helper()
		for {
			_ = pc.SetReadDeadline(time.Now().Add(wait))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			m := string(buf[:n])
			if !strings.HasPrefix(m, "SIP/2.0 100 ") {
				return m
			}
		}
	}
	write := func(pc net.PacketConn, msg string) {
		if _, err := pc.WriteTo([]byte(msg), to); err != nil {
			t.Fatal(err)
		}
	}
	req := func(method string, n int) string {
		return fmt.Sprintf("%s sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-t%d\r\n"+
			"From: <sip:alice@127.0.0.1>;tag=a%d\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: t%d@x\r\nCSeq: %d %s\r\n"+
			"Contact: <sip:alice@127.0.0.1:%d>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			method, pport, n, n, n, n, method, pport)
	}
	// answer makes the peer's reply to a request it received.
	answer := func(got, status string) string {
		head, _, _ := strings.Cut(got, "\r\n\r\n")
		var keep []string
		for _, l := range strings.Split(head, "\r\n")[1:] {
			name, _, _ := strings.Cut(l, ":")
			switch strings.ToLower(name) {
			case "via", "from", "call-id", "cseq":
				keep = append(keep, l)
			case "to":
				keep = append(keep, l+";tag=peer")
			}
		}
		return "SIP/2.0 " + status + "\r\n" + strings.Join(keep, "\r\n") + "\r\nContent-Length: 0\r\n\r\n"
	}
	write(phone, req("INVITE", 1))
	inv := recv(peer, "relayed INVITE")
	write(peer, answer(inv, "180 Ringing"))
	recv(phone, "relayed 180")
	write(peer, answer(inv, "200 OK"))
	recv(phone, "relayed 200")
	ack := strings.Replace(req("ACK", 1), "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=peer", 1)
	ack = strings.Replace(ack, "branch=z9hG4bK-t1", "branch=z9hG4bK-t1ack", 1)
	write(phone, ack)
	recv(peer, "forwarded ACK")
	write(phone, req("MESSAGE", 2))
	msg := recv(peer, "relayed MESSAGE")
	write(peer, answer(msg, "404 Not Here"))
	recv(phone, "relayed 404")
	write(phone, req("OPTIONS", 3))
	recv(phone, "t_reply 403")
}

func TestKamailioTMX(t *testing.T) {
	kpeer := listenPeer(t)
	text := strings.ReplaceAll(tmCfg, "PEER", strconv.Itoa(kpeer.LocalAddr().(*net.UDPAddr).Port))
	dir := t.TempDir()
	sock := filepath.Join(dir, "rpc.sock")
	text += "loadmodule \"jsonrpcs.so\"\nmodparam(\"jsonrpcs\", \"transport\", 4)\nmodparam(\"jsonrpcs\", \"dgram_socket\", \"" + sock + "\")\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, text, kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	tmTraffic(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), kpeer)
	time.Sleep(300 * time.Millisecond)
	var kam []string
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "cli.sock"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 1<<20)
	for _, call := range tmCalls {
		f := strings.Fields(call)
		req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": f[0], "params": f[1:], "id": 1})
		if _, err := conn.WriteToUnix(req, &net.UnixAddr{Name: sock, Net: "unixgram"}); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(wait))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s: %v", call, err)
		}
		var rep struct{ Result any }
		if err := json.Unmarshal(buf[:n], &rep); err != nil {
			t.Fatal(err)
		}
		kam = append(kam, call+" => "+normal(rep.Result))
	}

	gpeer := listenPeer(t)
	sipPort, _ := freeport.Pick()
	evPort, _ := freeport.Pick()
	text = strings.ReplaceAll(tmCfg, "PEER", strconv.Itoa(gpeer.LocalAddr().(*net.UDPAddr).Port))
	text = strings.ReplaceAll(text, kamref.SIPPortPlaceholder, strconv.Itoa(sipPort))
	text = strings.ReplaceAll(text, kamref.EvapiPortPlaceholder, strconv.Itoa(evPort))
	cfg, diags, _ := check.AnalyzeSource("tm.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
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
		_ = srv.Stop(ctx)
	})
	tmTraffic(t, "127.0.0.1:"+strconv.Itoa(sipPort), gpeer)
	stopSIP(t, srv)
	for i, call := range tmCalls {
		f := strings.Fields(call)
		c := &rpc.Call{Method: f[0]}
		for _, p := range f[1:] {
			c.Params = append(c.Params, rpc.NewStr(p))
		}
		srv.RPC().Run(context.Background(), c)
		cmd, _ := srv.RPC().Lookup(f[0])
		vs, _ := c.Reply()
		if got := call + " => " + normal(asJSON(vs, cmd.Array)); got != kam[i] {
			t.Errorf("RPC differs\nkamailio: %s\nkamgo:    %s", kam[i], got)
		}
	}
}
