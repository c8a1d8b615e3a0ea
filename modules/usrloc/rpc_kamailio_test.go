//go:build kamailio

package usrloc_test

// Differential tests of the management commands against Kamailio 5.6.3:
// Kamailio and kamgo run the same configuration (usrloc, registrar, tm,
// sl) and receive the same requests from the same phone; then the ul.*,
// tm.* and sl.* commands run on Kamailio through its ctl socket with
// kamcmd, and on kamgo through its registry. kamcmd's output is parsed
// into a tree, kamgo's reply is brought to the shape binrpc gives it, and
// the two are compared after masking what legitimately differs (times,
// expiries, unique ids, server ports, the words of faults: their codes
// are compared). TestKamailioRPCTransactions adds a peer behind the
// proxy for the commands on live transactions and local requests. Needs
// kamailio, kamcmd and their modules:
//
//	go test -tags kamailio ./modules/usrloc -run TestKamailioRPC

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/registrar"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// rpcConfig is what both servers run: REGISTERs are saved; requests with
// X-Relay are relayed to the peer at port UAS; INVITEs and MESSAGEs get
// a transaction answered with the code X-Code asks for; the other
// requests a stateless reply with that code. The wait timer is long
// so that no transaction goes while the test reads the counts.
const rpcConfig = `loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("tm", "wt_timer", 60000)
request_route {
	if (method == "REGISTER") {
		save("location");
		exit;
	}
	if (is_present_hf("X-Relay")) {
		t_relay_to_udp("127.0.0.1", "UAS");
		exit;
	}
	$var(code) = $(hdr(X-Code){s.int});
	if (method == "INVITE" || method == "MESSAGE") {
		t_newtran();
		t_reply("$var(code)", "Stateful");
		exit;
	}
	if (method == "ACK") {
		t_check_trans();
		exit;
	}
	sl_send_reply("$var(code)", "Stateless");
	exit;
}
`

// kamailioPrelude starts Kamailio: evapi because kamref waits for its
// port, ctl for kamcmd (CTL is the socket's path).
const kamailioPrelude = `#!KAMAILIO
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
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:CTL")
`

// traffic is what the phone sends each server, in order; each request
// waits for its final reply.
func traffic(phonePort int) []string {
	contact := func(user, params string) string {
		return fmt.Sprintf("<sip:%s@127.0.0.1:%d>%s", user, phonePort, params)
	}
	reg := func(aor, callID string, cseq int, extra ...string) string {
		return request(phonePort, "REGISTER", "sip:127.0.0.1", aor, callID, cseq, extra...)
	}
	return []string{
		reg("alice", "reg-a1", 1, "Contact: "+contact("alice", ";q=0.5"), "User-Agent: phone/1", "Expires: 3600"),
		reg("alice", "reg-a2", 1, "Contact: "+contact("alice2", "")+`;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"`, "Expires: 600"),
		reg("bob", "reg-b1", 1, "Contact: "+contact("bob", ";expires=60")),
		reg("carol", "reg-c1", 1, "Contact: "+contact("carol", "")),
		// carol unregisters: her record goes.
		reg("carol", "reg-c1", 2, "Contact: "+contact("carol", ""), "Expires: 0"),
		request(phonePort, "OPTIONS", "sip:svc@127.0.0.1", "alice", "o1", 1, "X-Code: 200"),
		request(phonePort, "OPTIONS", "sip:svc@127.0.0.1", "alice", "o2", 1, "X-Code: 404"),
		request(phonePort, "OPTIONS", "sip:svc@127.0.0.1", "alice", "o3", 1, "X-Code: 420"),
		request(phonePort, "OPTIONS", "sip:svc@127.0.0.1", "alice", "o4", 1, "X-Code: 503"),
		request(phonePort, "INVITE", "sip:svc@127.0.0.1", "alice", "i1", 1, "X-Code: 486"),
		request(phonePort, "INVITE", "sip:svc@127.0.0.1", "alice", "i2", 1, "X-Code: 302"),
		request(phonePort, "MESSAGE", "sip:svc@127.0.0.1", "alice", "m1", 1, "X-Code: 202"),
		request(phonePort, "MESSAGE", "sip:svc@127.0.0.1", "alice", "m2", 1, "X-Code: 603"),
		// The server's one worker has finished with everything before
		// once this is answered (a transaction goes to its wait state
		// after its reply leaves).
		request(phonePort, "OPTIONS", "sip:svc@127.0.0.1", "alice", "sync", 1, "X-Code: 200"),
	}
}

// request is a request from the phone.
func request(port int, method, ruri, user, callID string, cseq int, extra ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d", port, callID, cseq),
		"Max-Forwards: 70",
		"From: <sip:" + user + "@127.0.0.1>;tag=f-" + callID,
		"To: <sip:" + user + "@127.0.0.1>",
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	h = append(h, extra...)
	return strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
}

// play sends the traffic to addr from pc and waits for each final reply;
// an INVITE's negative reply is acknowledged.
func play(t *testing.T, pc net.PacketConn, addr string) {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp", addr)
	port := pc.LocalAddr().(*net.UDPAddr).Port
	buf := make([]byte, 65535)
	for _, req := range traffic(port) {
		if _, err := pc.WriteTo([]byte(req), to); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				t.Fatalf("%s: no final reply to\n%s", addr, req)
			}
			rpl := string(buf[:n])
			code, _ := strconv.Atoi(strings.Fields(rpl)[1])
			if code < 200 {
				continue
			}
			if strings.HasPrefix(req, "INVITE ") {
				pc.WriteTo([]byte(ackFor(req, rpl)), to)
			}
			break
		}
	}
}

// ackFor is the ACK of a negative reply to an INVITE: the INVITE's Via,
// From, Call-ID, the reply's To, CSeq with ACK.
func ackFor(inv, rpl string) string {
	var to string
	for _, l := range strings.Split(rpl, "\r\n") {
		if strings.HasPrefix(l, "To:") {
			to = l
		}
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(inv, "\r\n\r\n"), "\r\n") {
		switch {
		case strings.HasPrefix(l, "INVITE "):
			l = "ACK" + strings.TrimPrefix(l, "INVITE")
		case strings.HasPrefix(l, "To:"):
			l = to
		case strings.HasPrefix(l, "CSeq:"):
			l = strings.Replace(l, "INVITE", "ACK", 1)
		case strings.HasPrefix(l, "X-Code"), strings.HasPrefix(l, "X-Relay"):
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\r\n") + "\r\n\r\n"
}

// commands are the calls compared, in order: each runs on both servers
// before the next, so the ones that change the table change both.
var commands = [][]string{
	{"ul.dump"},
	{"ul.dump", "brief"},
	{"ul.lookup", "location", "alice"},
	{"ul.lookup", "location", "bob@example.com"},
	{"ul.lookup", "location", "carol"},
	{"ul.lookup", "location"},
	{"ul.lookup", "nosuch", "alice"},
	{"tm.stats"},
	{"tm.list"},
	{"sl.stats"},
	{"ul.add", "location", "dave", "sip:dave@10.0.0.4", "3600", "0.5", ".", "0", "0", "0"},
	{"ul.lookup", "location", "dave"},
	{"ul.add", "location", "dave", "sip:dave@10.0.0.4", "0", "1.5", "<sip:p1;lr>", "1", "2", "3", "sip:10.0.0.5:5070"},
	{"ul.lookup", "location", "dave"},
	{"ul.add", "location", "dave", "sip:dave@10.0.0.4", "60"},
	{"ul.rm_contact", "location", "dave", "sip:dave@10.0.0.9"},
	{"ul.rm_contact", "location", "dave", "sip:dave@10.0.0.4"},
	{"ul.rm_contact", "location", "dave", "sip:dave@10.0.0.4"},
	{"ul.rm", "location", "alice"},
	{"ul.rm", "location", "nobody"},
	{"ul.rm", "location"},
	{"ul.dump", "brief"},
	{"ul.flush"},
	{"ul.db_users", "location"},
	{"ul.db_contacts", "location"},
	{"ul.db_expired_contacts", "location"},
	{"tm.hash_stats"},
	{"tm.cancel", "nosuch", "1"},
	{"tm.cancel", "nosuch"},
	{"tm.reply_callid", "486", "Busy", "nosuch", "1", "t", "", ""},
	{"tm.reply", "486", "Busy", "1:1", "t", "", ""},
	{"tm.reply", "486", "Busy", "x", "t", "", ""},
}

func TestKamailioRPC(t *testing.T) {
	kamcmd, err := exec.LookPath("kamcmd")
	if err != nil {
		t.Fatal("kamcmd not found")
	}
	phone, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()

	dir := t.TempDir()
	sock := filepath.Join(dir, "ctl.sock")
	cfg := strings.Replace(kamailioPrelude, "CTL", sock, 1) + strings.Replace(rpcConfig, "UAS", "9", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, cfg, kamref.Options{})
	if err != nil {
		var se *kamref.StartError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	defer in.Stop()
	play(t, phone, "127.0.0.1:"+strconv.Itoa(in.SIPPort))

	srv, kgAddr := startKamgo(t, 9)
	play(t, phone, kgAddr)

	for _, cmd := range commands {
		want := kamcmdTree(t, kamcmd, sock, cmd)
		got := kamgoTree(t, srv, cmd)
		w, g := flatten(want, ""), flatten(got, "")
		if testing.Verbose() {
			t.Logf("%s:\n%s", strings.Join(cmd, " "), strings.Join(w, "\n"))
		}
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s differs (- Kamailio, + kamgo):\n%s", strings.Join(cmd, " "), lineDiff(w, g))
		}
		// usrloc's faults carry Kamailio's words too.
		if wf, gf := faultText(want), faultText(got); strings.HasPrefix(cmd[0], "ul.") && wf != gf {
			t.Errorf("%s: fault %q, Kamailio's is %q", strings.Join(cmd, " "), gf, wf)
		}
	}
}

// faultText is the fault of a reply as "code text", "" when none.
func faultText(vals []*rpc.Value) string {
	if len(vals) != 1 || vals[0].Kind != rpc.Struct {
		return ""
	}
	if f, ok := vals[0].Get("fault"); ok {
		return f.Str
	}
	return ""
}

// startKamgo runs rpcConfig on kamgo with SIP on a free port, relaying to
// the peer at uas.
func startKamgo(t *testing.T, uas int) (*server.Server, string) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\n%s", port, strings.Replace(rpcConfig, "UAS", strconv.Itoa(uas), 1))
	cfg, diags, _ := check.AnalyzeSource("rpc.cfg", []byte(src), preproc.Options{}, module.Catalog())
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
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return srv, "127.0.0.1:" + strconv.Itoa(port)
}

// kamcmdTree runs cmd on Kamailio and parses what kamcmd prints. The ctl
// socket appears during Kamailio's start; the call is retried a bounded
// number of times until it does.
func kamcmdTree(t *testing.T, kamcmd, sock string, cmd []string) []*rpc.Value {
	t.Helper()
	vals, err := kamcmdRun(kamcmd, sock, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// kamcmdRun is kamcmdTree for any goroutine: it returns the error.
func kamcmdRun(kamcmd, sock string, cmd []string) ([]*rpc.Value, error) {
	var out []byte
	var err error
	for range 50 {
		if _, serr := os.Stat(sock); serr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err = exec.CommandContext(ctx, kamcmd, append([]string{"-s", "unix:" + sock}, cmd...)...).CombinedOutput()
			cancel()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out == nil && err == nil {
		return nil, fmt.Errorf("no ctl socket at %s", sock)
	}
	vals, perr := parseKamcmd(string(out))
	if perr != nil {
		return nil, fmt.Errorf("kamcmd %v: %v\n%s", cmd, perr, out)
	}
	return vals, nil
}

// faultRE is how kamcmd prints a fault.
var faultRE = regexp.MustCompile(`^error: (\d+) - (.*)$`)

// parseKamcmd reads kamcmd's output: one value per line, "name: value"
// inside structures, "{" and "}" (or "[" and "]") around them, a fault as
// "error: CODE - TEXT". binrpc does not tell arrays from structures in
// kamcmd's output, so both become structures; scalars become strings, as
// printed. A fault becomes a structure with one member "fault".
func parseKamcmd(out string) ([]*rpc.Value, error) {
	var top []*rpc.Value
	var stack []*rpc.Value
	add := func(name string, v *rpc.Value) {
		if len(stack) == 0 {
			top = append(top, v)
			return
		}
		stack[len(stack)-1].Set(name, v)
	}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		l := strings.TrimLeft(line, "\t")
		if l == "" {
			continue // an empty reply
		}
		if m := faultRE.FindStringSubmatch(l); m != nil && len(stack) == 0 {
			top = append(top, rpc.NewStruct().Set("fault", rpc.NewStr(m[1]+" "+m[2])))
			continue
		}
		name, val, named := strings.Cut(l, ": ")
		if !named {
			name, val = "", l
		}
		switch val {
		case "{", "[":
			s := rpc.NewStruct()
			add(name, s)
			stack = append(stack, s)
		case "}", "]":
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced %q", l)
			}
			stack = stack[:len(stack)-1]
		default:
			add(name, rpc.NewStr(val))
		}
	}
	if len(stack) != 0 {
		return nil, errors.New("unterminated structure")
	}
	return top, nil
}

// kamgoTree runs cmd on kamgo's registry (kamcmd's typing of arguments:
// "s:" forces a string, else integers, then floating point numbers, then
// strings) and brings the reply to the shape parseKamcmd
// gives: arrays become structures whose members are the items with the
// names they were added with; numbers are printed as kamcmd prints them.
func kamgoTree(t *testing.T, srv *server.Server, cmd []string) []*rpc.Value {
	t.Helper()
	vals, err := kamgoRun(srv, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// kamgoRun is kamgoTree for any goroutine: it returns the error.
func kamgoRun(srv *server.Server, cmd []string) ([]*rpc.Value, error) {
	c := &rpc.Call{Method: cmd[0]}
	for _, a := range cmd[1:] {
		if str, ok := strings.CutPrefix(a, "s:"); ok {
			c.Params = append(c.Params, rpc.NewStr(str))
		} else if n, err := strconv.Atoi(a); err == nil {
			c.Params = append(c.Params, rpc.NewInt(int64(n)))
		} else if f, err := strconv.ParseFloat(a, 64); err == nil {
			c.Params = append(c.Params, rpc.NewDouble(f))
		} else {
			c.Params = append(c.Params, rpc.NewStr(a))
		}
	}
	if !srv.RPC().Run(context.Background(), c) {
		return nil, fmt.Errorf("%s is not registered", cmd[0])
	}
	vals, f := c.Reply()
	if f != nil {
		return []*rpc.Value{rpc.NewStruct().Set("fault", rpc.NewStr(strconv.Itoa(f.Code)+" "+f.Text))}, nil
	}
	var out []*rpc.Value
	for _, v := range vals {
		out = append(out, asKamcmd(v))
	}
	return out, nil
}

func asKamcmd(v *rpc.Value) *rpc.Value {
	switch v.Kind {
	case rpc.Int:
		if v.Unsigned {
			// A 'u' travels in binrpc as its 32 bits, read signed.
			return rpc.NewStr(strconv.FormatInt(int64(int32(uint32(v.Int))), 10))
		}
		// kamgo's binrpc sends an integer beyond 32 bits as a double
		// (Kamailio's 'L'), which kamcmd prints with six decimals.
		if v.Int < math.MinInt32 || v.Int > math.MaxInt32 {
			return rpc.NewStr(strconv.FormatFloat(float64(v.Int), 'f', 6, 64))
		}
		return rpc.NewStr(strconv.FormatInt(v.Int, 10))
	case rpc.Double:
		if v.Double == float64(int64(v.Double)) {
			return rpc.NewStr(strconv.FormatInt(int64(v.Double), 10))
		}
		return rpc.NewStr(strconv.FormatFloat(v.Double, 'f', 6, 64))
	case rpc.Bool:
		if v.Bool {
			return rpc.NewStr("1")
		}
		return rpc.NewStr("0")
	case rpc.Struct:
		s := rpc.NewStruct()
		for _, m := range v.Members {
			s.Set(m.Name, asKamcmd(m.Value))
		}
		return s
	case rpc.Array:
		s := rpc.NewStruct()
		for i, it := range v.Items {
			s.Set(v.ItemName(i), asKamcmd(it))
		}
		return s
	}
	return v
}

// masked are the members whose values legitimately differ between the
// two servers: times and unique ids; Expires is masked when it is a
// number of seconds left (the two servers registered at different
// moments).
var masked = map[string]bool{"Ruid": true, "Last-Keepalive": true, "Last-Modified": true,
	"cell": true, "tlabel": true, "ref_count": true, "lifetime": true}

// adminReply is Kamailio's T_ADMIN_REPLY transaction flag.
const adminReply = 1 << 14

var portRE = regexp.MustCompile(`^(udp|tcp):127\.0\.0\.1:\d+$`)

// flatten lists a tree as "path = value" lines, masked.
func flatten(vals []*rpc.Value, prefix string) []string {
	var out []string
	for i, v := range vals {
		out = append(out, flattenValue(v, fmt.Sprintf("%s[%d]", prefix, i))...)
	}
	return out
}

func flattenValue(v *rpc.Value, path string) []string {
	if v.Kind != rpc.Struct {
		s := v.Str
		if strings.HasPrefix(s, "branches ") {
			// tm.cancel's note after the count, in each one's words.
			s = "<note>"
		}
		return []string{path + " = " + s}
	}
	out := []string{path + " {"}
	for _, m := range v.Members {
		p := path + "." + m.Name
		if m.Value.Kind == rpc.Struct {
			out = append(out, flattenValue(m.Value, p)...)
			continue
		}
		// kamcmd ends a header line it prints (tm.list's from, to,
		// callid) with the line's CR.
		s := strings.TrimRight(m.Value.Str, "\r\n")
		switch {
		case masked[m.Name]:
			s = "<time or id>"
		case m.Name == "fault":
			// kamgo words its faults itself: the codes must agree.
			s, _, _ = strings.Cut(s, " ")
		case m.Name == "Expires":
			if _, err := strconv.Atoi(s); err == nil {
				s = "<seconds>"
			}
		case m.Name == "tflags":
			// kamgo's tm does not record that the script answered with
			// t_reply (T_ADMIN_REPLY); its README says so.
			if n, err := strconv.Atoi(s); err == nil {
				s = strconv.Itoa(n &^ adminReply)
			}
		case portRE.MatchString(s):
			s = portRE.ReplaceAllString(s, "$1:127.0.0.1:<port>")
		}
		out = append(out, p+" = "+s)
	}
	return out
}

// lineDiff shows the lines that differ, in order.
func lineDiff(want, got []string) string {
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			fmt.Fprintf(&b, "- %s\n+ %s\n", w, g)
		}
	}
	return b.String()
}

// TestKamailioRPCTransactions compares the tm commands that act on live
// transactions: three INVITEs relayed to a peer that rings; tm.list and
// tm.stats, then tm.reply on the first (found by its index and label in
// tm.list), tm.reply_callid on the second and tm.cancel on the third,
// whose peer answers the CANCELs and the INVITEs; tm.list and tm.stats
// again.
func TestKamailioRPCTransactions(t *testing.T) {
	kamcmd, err := exec.LookPath("kamcmd")
	if err != nil {
		t.Fatal("kamcmd not found")
	}
	phone, uas := listen(t), listen(t)
	uasPort := uas.LocalAddr().(*net.UDPAddr).Port

	sock := filepath.Join(t.TempDir(), "ctl.sock")
	cfg := strings.Replace(kamailioPrelude, "CTL", sock, 1) + strings.Replace(rpcConfig, "UAS", strconv.Itoa(uasPort), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, cfg, kamref.Options{})
	if err != nil {
		var se *kamref.StartError
		if errors.As(err, &se) {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	defer in.Stop()
	want := transactions(t, phone, uas, "127.0.0.1:"+strconv.Itoa(in.SIPPort), func(cmd []string) ([]*rpc.Value, error) {
		return kamcmdRun(kamcmd, sock, cmd)
	})
	srv, addr := startKamgo(t, uasPort)
	got := transactions(t, phone, uas, addr, func(cmd []string) ([]*rpc.Value, error) {
		return kamgoRun(srv, cmd)
	})
	for i := range want {
		w, g := flatten(want[i].reply, ""), flatten(got[i].reply, "")
		if testing.Verbose() {
			t.Logf("%s:\n%s", want[i].cmd, strings.Join(w, "\n"))
		}
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s differs (- Kamailio, + kamgo):\n%s", want[i].cmd, lineDiff(w, g))
		}
	}
}

func listen(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// answer is one command and its reply.
type answer struct {
	cmd   string
	reply []*rpc.Value
}

// transactions plays TestKamailioRPCTransactions' scenario on the server
// at addr, running the commands with call.
func transactions(t *testing.T, phone, uas net.PacketConn, addr string, call func(cmd []string) ([]*rpc.Value, error)) []answer {
	t.Helper()
	proxy, _ := net.ResolveUDPAddr("udp", addr)
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	uport := uas.LocalAddr().(*net.UDPAddr).Port
	var out []answer
	run := func(cmd ...string) []*rpc.Value {
		r, err := call(cmd)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, answer{strings.Join(cmd, " "), r})
		return r
	}
	// received records what the peer got, normalised, as an answer.
	received := func(what, msg string) {
		out = append(out, answer{what, []*rpc.Value{rpc.NewStr(normalizeRequest(msg))}})
	}
	send := func(pc net.PacketConn, to net.Addr, msg string) {
		if _, err := pc.WriteTo([]byte(msg), to); err != nil {
			t.Fatal(err)
		}
	}
	// ring relays an INVITE to the peer, which rings.
	ring := func(callID string) (inv, req string, peer net.Addr) {
		req = request(pport, "INVITE", "sip:bob@127.0.0.1", "alice", callID, 1, "X-Relay: 1")
		send(phone, proxy, req)
		inv, peer = expectFrom(t, uas, "INVITE ")
		send(uas, peer, replyTo(inv, 180, "Ringing"))
		expect(t, phone, "SIP/2.0 180 ")
		return inv, req, peer
	}
	// ends: the peer answers the CANCEL tm sends and its INVITE; the
	// phone gets the final reply it expects and acknowledges it.
	ends := func(inv, req string, peer net.Addr, final string) {
		c, _ := expectFrom(t, uas, "CANCEL ")
		send(uas, peer, replyTo(c, 200, "OK"))
		send(uas, peer, replyTo(inv, 487, "Request Terminated"))
		expectFrom(t, uas, "ACK ")
		rpl := expect(t, phone, final)
		send(phone, proxy, ackFor(req, rpl))
	}
	inv1, req1, peer1 := ring("ring-1")
	inv2, req2, peer2 := ring("ring-2")
	inv3, req3, peer3 := ring("ring-3")

	run("tm.stats")
	list := run("tm.list")
	idx, label := identOf(list, "ring-1")
	// "s:" makes kamcmd send a string even when it is empty or digits, as
	// the handlers want.
	run("tm.reply", "603", "Decline", idx+":"+label, "tg1", "X-R: 1\r\n", "s:")
	ends(inv1, req1, peer1, "SIP/2.0 603 ")
	run("tm.reply", "603", "Decline", idx+":"+label, "tg1", "s:", "s:")
	run("tm.reply_callid", "486", "Busy", "ring-2", "s:1", "tg2", "s:", "s:")
	ends(inv2, req2, peer2, "SIP/2.0 486 ")
	run("tm.cancel", "ring-3", "s:1")
	ends(inv3, req3, peer3, "SIP/2.0 487 ")
	// Everything before is done once the one worker answers this.
	send(phone, proxy, request(pport, "OPTIONS", "sip:svc@127.0.0.1", "alice", "sync", 1, "X-Code: 200"))
	expect(t, phone, "SIP/2.0 200 ")
	run("tm.list")
	run("tm.stats")

	// Local requests: t_uac_start's faults, a MESSAGE as the peer gets
	// it, and t_uac_wait_block's answer (the command waits while the peer
	// answers). The body is always given: Kamailio's ctl fills a missing
	// optional string with a text of its own, which becomes the body.
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uport)
	// No From tag: Kamailio would add its own after it.
	hdrs := "From: <sip:rpc@127.0.0.1>\r\nTo: <sip:bob@127.0.0.1>\r\n"
	run("tm.t_uac_start", "MESSAGE", ruri)
	run("tm.t_uac_start", "s:", ruri, ".", ".", hdrs, "s:")
	run("tm.t_uac_start", "MESSAGE", "bob", ".", ".", hdrs, "s:")
	run("tm.t_uac_start", "MESSAGE", ruri, "nowhere", ".", hdrs, "s:")
	run("tm.t_uac_start", "MESSAGE", ruri, ".", "udp:127.0.0.2:5", hdrs, "s:")
	run("tm.t_uac_start", "MESSAGE", ruri, ".", ".", "From: <sip:k@x>\r\n", "s:")
	run("tm.t_uac_start", "MESSAGE", ruri, ".", ".", hdrs, "hi")
	run("tm.t_uac_start", "MESSAGE", ruri, ".", ".", hdrs+"CSeq: 3 INFO\r\n", "s:")
	run("tm.t_uac_start", "MESSAGE", ruri, ".", ".", hdrs+"Call-ID: uac-1\r\nContent-Type: text/plain\r\nX-A: 1\r\n", "hi")
	msg, peer := expectFrom(t, uas, "MESSAGE ")
	received("the peer received", msg)
	send(uas, peer, replyTo(msg, 202, "Accepted"))
	type result struct {
		vals []*rpc.Value
		err  error
	}
	cmd := []string{"tm.t_uac_wait_block", "OPTIONS", ruri, ".", ".", hdrs + "Call-ID: uac-2\r\nCSeq: 7 OPTIONS\r\n", "s:"}
	done := make(chan result, 1)
	go func() {
		v, err := call(cmd)
		done <- result{v, err}
	}()
	msg, peer, ok := tryExpect(uas, "OPTIONS ")
	if !ok {
		r := <-done
		t.Fatalf("%s: the peer got no OPTIONS; tm.t_uac_wait_block answered %v %v", addr, r.vals, r.err)
	}
	received("the peer received", msg)
	send(uas, peer, replyTo(msg, 486, "Busy Here Now"))
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		out = append(out, answer{strings.Join(cmd, " "), r.vals})
	case <-time.After(15 * time.Second):
		t.Fatalf("%s: tm.t_uac_wait_block never returned", addr)
	}
	return out
}

// viaBranchRE, fromTagRE, portsRE and uaRE find what differs between the
// requests the two servers send: their Via branch, the part of a From tag
// made from their address, their port, their User-Agent.
var (
	viaBranchRE = regexp.MustCompile(`;branch=z9hG4bK[^;\r\n]*`)
	fromTagRE   = regexp.MustCompile(`;tag=[0-9a-f]{32}-`)
	portsRE     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	uaRE        = regexp.MustCompile(`(?m)^User-Agent: .*\r\n`)
)

func normalizeRequest(msg string) string {
	msg = viaBranchRE.ReplaceAllString(msg, ";branch=<branch>")
	msg = fromTagRE.ReplaceAllString(msg, ";tag=<md5>-")
	msg = uaRE.ReplaceAllString(msg, "")
	return portsRE.ReplaceAllString(msg, "127.0.0.1:<port>")
}

// expect reads pc until a message starting with prefix comes.
func expect(t *testing.T, pc net.PacketConn, prefix string) string {
	t.Helper()
	m, _ := expectFrom(t, pc, prefix)
	return m
}

func expectFrom(t *testing.T, pc net.PacketConn, prefix string) (string, net.Addr) {
	t.Helper()
	m, from, ok := tryExpect(pc, prefix)
	if !ok {
		t.Fatalf("no %q", prefix)
	}
	return m, from
}

// tryExpect reads pc until a message starting with prefix comes, at most
// 10 messages and 5 seconds each.
func tryExpect(pc net.PacketConn, prefix string) (string, net.Addr, bool) {
	buf := make([]byte, 65535)
	for range 10 {
		_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			break
		}
		if m := string(buf[:n]); strings.HasPrefix(m, prefix) {
			return m, from, true
		}
	}
	return "", nil, false
}

// replyTo is a peer's reply to req: its Vias, From, To with a tag, Call-ID
// and CSeq.
func replyTo(req string, code int, reason string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, l := range strings.Split(req, "\r\n") {
		name, _, _ := strings.Cut(l, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v", "from", "f", "call-id", "i", "cseq":
			b.WriteString(l + "\r\n")
		case "to", "t":
			if !strings.Contains(l, ";tag=") {
				l += ";tag=uas-1"
			}
			b.WriteString(l + "\r\n")
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// identOf finds the index and label of the transaction with callID in a
// tm.list reply (its members repeat in order for each transaction of a
// bucket).
func identOf(list []*rpc.Value, callID string) (string, string) {
	for _, bucket := range list {
		var idx, label string
		for _, m := range bucket.Members {
			switch m.Name {
			case "tindex":
				idx = m.Value.Str
			case "tlabel":
				label = m.Value.Str
			case "callid":
				if strings.TrimRight(m.Value.Str, "\r\n") == "Call-ID: "+callID {
					return idx, label
				}
			}
		}
	}
	return "", ""
}
