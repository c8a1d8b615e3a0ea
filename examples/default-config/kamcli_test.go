package defaultconfig_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/internal/siptest"
)

// kamcliBin returns kamcli's path, or skips: kamcli (Debian package
// kamcli) is an extra the suites do not require, even with the kamailio
// tag; CI installs it to run these tests.
func kamcliBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kamcli")
	if err != nil {
		t.Skip("kamcli is not installed (Debian package kamcli)")
	}
	return p
}

// kamcli runs kamcli with args against the jsonrpcs datagram socket in
// rundir (kamailio_rpc.sock, where -Y puts it) and returns the JSON-RPC
// response it prints. kamcli 2.0's FIFO transport does not work under
// Python 3 (it writes a str to the FIFO), so the socket is the only
// transport; its configuration comes from a file written here, never
// from ~/.kamcli.
func kamcli(t *testing.T, bin, rundir string, args ...string) map[string]any {
	t.Helper()
	dir := t.TempDir()
	ini := fmt.Sprintf("[main]\ndomain=127.0.0.1\n[ctl]\ntype=jsonrpc\n[jsonrpc]\ntransport=socket\nsrvaddr=%s\nrcvaddr=%s\noutformat=json\n",
		filepath.Join(rundir, "kamailio_rpc.sock"), filepath.Join(dir, "reply.sock"))
	if err := os.WriteFile(filepath.Join(dir, "kamcli.ini"), []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	all := append([]string{"--no-default-configs", "-c", filepath.Join(dir, "kamcli.ini")}, args...)
	out, code := proctest.Run(t, 30*time.Second, bin, dir, all...)
	i := strings.IndexByte(out, '{')
	if code != 0 || i < 0 {
		t.Fatalf("kamcli %s: exit %d:\n%s", strings.Join(args, " "), code, out)
	}
	var resp map[string]any
	if err := json.Unmarshal([]byte(out[i:]), &resp); err != nil {
		t.Fatalf("kamcli %s: %v:\n%s", strings.Join(args, " "), err, out)
	}
	return resp
}

// dig follows keys (member names, or "0" for an array's first item)
// into a decoded JSON value; nil when one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			if k != "0" || len(x) == 0 {
				return nil
			}
			v = x[0]
		default:
			return nil
		}
	}
	return v
}

// TestKamcli: kamcli, Kamailio's Python command line tool, works against
// kamgo's jsonrpcs socket as against Kamailio's: uptime, and the
// registrations (ul show, ul add, ul rm) of the default configuration.
func TestKamcli(t *testing.T) {
	t.Parallel()
	cfg, sipp, bin := configFile(t), newSipp(t), kamcliBin(t)
	k := startKamgo(t, cfg)
	alice := siptest.FreePort(t)
	sipp.Run(scenarioArgs(t, "register.xml", k.port, alice, 1, "alice")...)

	if up, ok := dig(kamcli(t, bin, k.rundir, "uptime"), "result", "uptime").(float64); !ok || up < 0 {
		t.Errorf("uptime: result.uptime %v", up)
	}
	r := kamcli(t, bin, k.rundir, "ul", "show", "alice")
	c := dig(r, "result", "Contacts", "0", "Contact")
	for key, want := range map[string]any{
		"Address": fmt.Sprintf("sip:alice@127.0.0.1:%d", alice),
		"Socket":  fmt.Sprintf("udp:127.0.0.1:%d", k.port),
		"CSeq":    float64(1),
	} {
		if got := dig(c, key); got != want {
			t.Errorf("ul show alice: %s is %v, want %v\n%v", key, got, want, r)
		}
	}
	if e, ok := dig(c, "Expires").(float64); !ok || e <= 0 || e > 600 {
		t.Errorf("ul show alice: Expires %v, want 1..600 (registered for 600s)", dig(c, "Expires"))
	}

	// ul add stores a contact by hand, ul rm takes an AoR out: then bob,
	// only, is in the table.
	if r := kamcli(t, bin, k.rundir, "ul", "add", "bob", "sip:bob@127.0.0.1:5999"); dig(r, "error") != nil {
		t.Errorf("ul add: %v", r)
	}
	if r := kamcli(t, bin, k.rundir, "ul", "rm", "alice"); dig(r, "error") != nil {
		t.Errorf("ul rm: %v", r)
	}
	r = kamcli(t, bin, k.rundir, "ul", "show")
	aors, _ := dig(r, "result", "Domains", "0", "Domain", "AoRs").([]any)
	if len(aors) != 1 || dig(aors[0], "Info", "AoR") != "bob" ||
		dig(aors[0], "Info", "Contacts", "0", "Contact", "Address") != "sip:bob@127.0.0.1:5999" {
		t.Errorf("ul show after ul add bob and ul rm alice: %v", r)
	}
}
