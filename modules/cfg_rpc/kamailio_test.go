//go:build kamailio

package cfgrpc_test

// Runs the recorded session (session, in cfg_rpc_test.go) against
// Kamailio 5.6.3 through kamcmd and ctl on a unix socket, with the same
// configuration groups: every reply must be the one the session expects
// (faults by code; kamgo's own texts by number of values). -update
// records Kamailio's cfg.get core and cfg.list core into testdata.
//
//	go test -tags kamailio ./modules/cfg_rpc -run Kamailio [-update]

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "record Kamailio's replies into testdata")

// kamailioCfg is testCfg's core parameters and groups, with the modules
// Kamailio needs to serve kamcmd and to be seen started (evapi).
func kamailioCfg(sock string) string {
	head, _, _ := strings.Cut(testCfg, "loadmodule")
	return "#!KAMAILIO\nlog_stderror=yes\nchildren=1\nlisten=udp:127.0.0.1:%%SIP_PORT%%\n" + head +
		"mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n" +
		"loadmodule \"cfg_rpc.so\"\nloadmodule \"evapi.so\"\n" +
		"modparam(\"evapi\", \"bind_addr\", \"127.0.0.1:%%EVAPI_PORT%%\")\n" +
		kamref.CtlLines(sock) + "request_route {\n\tdrop;\n}\n"
}

// kamcmdArgs are a step's parameters as kamcmd reads them: a string that
// looks like a number is marked as a string.
func kamcmdArgs(s step) []string {
	args := []string{s.method}
	for _, p := range s.params {
		switch v := p.(type) {
		case int:
			args = append(args, strconv.Itoa(v))
		case string:
			if _, err := strconv.Atoi(v); err == nil {
				v = "s:" + v
			}
			args = append(args, v)
		}
	}
	return args
}

// sessionText is kamcmd's output in the session's notation, and the
// number of values.
func sessionText(t *testing.T, out string) (string, int) {
	t.Helper()
	if rest, ok := strings.CutPrefix(out, "error: "); ok {
		code, _, _ := strings.Cut(rest, " ")
		return "fault " + code, 0
	}
	vals, err := kamref.ParseKamcmd(out)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, v := range vals {
		parts = append(parts, valueText(v))
	}
	return strings.Join(parts, " | "), len(vals)
}

func valueText(v *kamref.Value) string {
	if v.Leaf {
		if v.Text == "<null string>" {
			return "null"
		}
		return v.Text
	}
	var kids []string
	for _, k := range v.Kids {
		kids = append(kids, k.Name+": "+valueText(k))
	}
	return "{" + strings.Join(kids, ", ") + "}"
}

func TestKamailioSession(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, kamailioCfg(sock), kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)

	if *update {
		for file, args := range map[string][]string{
			"kamailio-cfg-get-core.txt":  {"cfg.get", "core"},
			"kamailio-cfg-list-core.txt": {"cfg.list", "core"},
		} {
			out, err := kamref.Kamcmd(ctx, sock, args...)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata", file), []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	for i, s := range session {
		if s.kamgoOnly {
			continue
		}
		out, err := kamref.Kamcmd(ctx, sock, kamcmdArgs(s)...)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, n := sessionText(t, out)
		if s.own {
			if want := strings.Count(s.want, " | ") + 1; n != want {
				t.Errorf("step %d: %s %v: Kamailio answers %d values (%q), the session %d", i, s.method, s.params, n, got, want)
			}
			continue
		}
		if got != s.want {
			t.Errorf("step %d: %s %v: Kamailio answers %q, the session %q", i, s.method, s.params, got, s.want)
		}
	}
}
