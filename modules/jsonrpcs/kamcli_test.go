package jsonrpcs_test

// kamcli, Kamailio's command line tool, against kamgo through jsonrpcs'
// datagram socket: srv sockets (corex.list_sockets), srv aliases
// (corex.list_aliases), tcp list (core.tcp_list) and ul show (ul.dump).
// Skipped without kamcli (Debian package kamcli); with the kamailio build
// tag a missing kamcli fails, and kamcli_kamailio_test.go compares the
// answers with Kamailio's.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// cliConfig is what kamcli talks to: SIP over UDP and TCP on SIP_PORT,
// two aliases, REGISTERs saved, jsonrpcs' datagram socket at RPC_SOCK.
// AUTO is the auto_aliases line.
const cliConfig = `AUTO
listen=udp:127.0.0.1:SIP_PORT
listen=tcp:127.0.0.1:SIP_PORT
alias=example.com:5070
alias=tcp:foo.org
MPATH
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "corex.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "RPC_SOCK")
modparam("jsonrpcs", "fifo_name", "")
request_route {
	if (method == "REGISTER") {
		save("location");
		exit;
	}
	sl_send_reply("404", "Not here");
}
`

// cliSetup is one server's side of the test: its config text's
// placeholders filled in.
func cliText(port int, sock, auto, mpath string) string {
	r := strings.NewReplacer("SIP_PORT", strconv.Itoa(port), "RPC_SOCK", sock, "AUTO", auto, "MPATH", mpath)
	return r.Replace(cliConfig)
}

// kamcliBin returns kamcli's path, or skips (fails with the kamailio
// tag: see requireKamcli).
func kamcliBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kamcli")
	if err != nil {
		if requireKamcli {
			t.Fatal("kamcli is not installed (Debian package kamcli)")
		}
		t.Skip("kamcli is not installed (Debian package kamcli)")
	}
	return p
}

// kamcli runs kamcli with args against the datagram socket sock and
// returns the JSON-RPC response it prints, decoded. Its configuration
// comes from a file written here, never from ~/.kamcli.
func kamcli(t *testing.T, bin, sock string, args ...string) map[string]any {
	t.Helper()
	dir := shortDir(t)
	ini := fmt.Sprintf("[main]\ndomain=127.0.0.1\n[ctl]\ntype=jsonrpc\n[jsonrpc]\ntransport=socket\nsrvaddr=%s\nrcvaddr=%s\noutformat=json\n",
		sock, filepath.Join(dir, "reply.sock"))
	if err := os.WriteFile(filepath.Join(dir, "kamcli.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--no-default-configs", "-c", filepath.Join(dir, "kamcli.ini")}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	i := strings.IndexByte(string(out), '{')
	if err != nil || i < 0 {
		t.Fatalf("kamcli %s: %v:\n%s", strings.Join(args, " "), err, out)
	}
	var resp map[string]any
	if err := json.Unmarshal(out[i:], &resp); err != nil {
		t.Fatalf("kamcli %s: %v:\n%s", strings.Join(args, " "), err, out)
	}
	return resp
}

// shortDir is a temporary directory with a short path: unix socket
// paths are limited to 107 bytes.
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "kcli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// startKamgo runs text with its SIP sockets open until the test ends.
func startKamgo(t *testing.T, text string) {
	t.Helper()
	cfg, diags, _ := check.AnalyzeSource("kamcli.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(stop)
		_ = srv.Stop(stop)
	})
}

// register sends alice's REGISTER (no Allow: every method) over TCP and
// waits for its reply; the connection stays open for tcp list.
func register(t *testing.T, port int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	lp := c.LocalAddr().(*net.TCPAddr).Port
	req := fmt.Sprintf("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bK-cli1\r\n"+
		"Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=r1\r\nTo: <sip:alice@127.0.0.1>\r\nCall-ID: cli-reg-1\r\n"+
		"CSeq: 1 REGISTER\r\nContact: <sip:alice@127.0.0.1:%d;transport=tcp>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n", lp, lp)
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
		t.Fatalf("REGISTER: %q %v", buf[:n], err)
	}
	return c
}

// cliAnswers runs the four kamcli commands and returns their results
// with what differs between servers masked: the SIP port, the peer's
// port, times, ids and the connection's timeout.
func cliAnswers(t *testing.T, bin, sock string, sipPort, peerPort int) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, args := range [][]string{{"srv", "sockets"}, {"srv", "aliases"}, {"tcp", "list"}, {"ul", "show"}} {
		r := kamcli(t, bin, sock, args...)
		if e, ok := r["error"]; ok {
			t.Errorf("kamcli %s: error %v", strings.Join(args, " "), e)
			continue
		}
		b, _ := json.Marshal(mask(r["result"]))
		s := strings.ReplaceAll(string(b), strconv.Itoa(sipPort), "SIP_PORT")
		out[strings.Join(args, " ")] = strings.ReplaceAll(s, strconv.Itoa(peerPort), "PEER_PORT")
	}
	return out
}

// masked are the members whose values differ between servers and runs.
var masked = map[string]bool{"Expires": true, "Ruid": true, "Last-Keepalive": true, "Last-Modified": true,
	"timeout": true, "ref_count": true, "HashID": true, "Tcpconn-Id": true, "id": true}

func mask(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if masked[k] {
				x[k] = "MASKED"
			} else {
				x[k] = mask(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = mask(e)
		}
	}
	return v
}

// TestKamcli: the four commands answer on kamgo with Kamailio's shapes
// and values (an unsigned Methods, sockets and aliases from corex, the
// open TCP connection).
func TestKamcli(t *testing.T) {
	bin := kamcliBin(t)
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(shortDir(t), "rpc.sock")
	startKamgo(t, cliText(port, sock, "auto_aliases=no", ""))
	c := register(t, port)
	got := cliAnswers(t, bin, sock, port, c.LocalAddr().(*net.TCPAddr).Port)
	sockTmpl := `{"ADDRLIST":{"ADDR":"127.0.0.1"},"ADVERTISE":"-","MCAST":"no","MHOMED":"no","NAME":"127.0.0.1","PORT":"SIP_PORT","PROTO":"%s","SOCKNAME":"-","VIRTUAL":"no"}`
	for cmd, want := range map[string]string{
		"srv sockets": "[" + fmt.Sprintf(sockTmpl, "udp") + "," + fmt.Sprintf(sockTmpl, "tcp") + "]",
		"srv aliases": `[{"ADDR":"foo.org","PORT":0,"PROTO":"tcp"},{"ADDR":"example.com","PORT":5070,"PROTO":"*"}]`,
		"tcp list": `[{"dst_ip":"127.0.0.1","dst_port":SIP_PORT,"id":"MASKED","lifetime":120,"ref_count":"MASKED",` +
			`"src_ip":"127.0.0.1","src_port":PEER_PORT,"state":"CONN_OK","timeout":"MASKED","type":"TCP"}]`,
	} {
		if got[cmd] != want {
			t.Errorf("kamcli %s:\n got  %s\n want %s", cmd, got[cmd], want)
		}
	}
	if !strings.Contains(got["ul show"], `"Methods":4294967295`) || !strings.Contains(got["ul show"], `"AoR":"alice"`) {
		t.Errorf("kamcli ul show: %s", got["ul show"])
	}
}
