//go:build kamailio

package dialog_test

// Differential test against Kamailio 5.6.3: each scenario runs on
// Kamailio and on kamgo with the same configuration and the same
// messages from the same peers; what they observed (Record-Route, the
// script's lines, dlg.* replies as kamcmd prints them, the BYEs of a
// timeout, masked for times, ports and ids) must agree, and agree with
// the recording in testdata (rewritten with -update). Needs kamailio,
// kamcmd and their modules:
//
//	go test -tags kamailio ./modules/dialog

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// kamailioPrelude makes kamref see Kamailio up (evapi) and gives kamcmd
// a ctl socket (CTL is its path).
const kamailioPrelude = `loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:CTL")
`

type kamailioTarget struct {
	in   *kamref.Instance
	sock string
}

func startKamailio(t *testing.T, cfg string, peers ...*peer) target {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	text := header + strings.ReplaceAll(kamailioPrelude, "CTL", sock) + cfg
	for i, p := range peers {
		text = strings.ReplaceAll(text, "UAS"+strconv.Itoa(i+1), strconv.Itoa(p.port()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, text, kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	k := &kamailioTarget{in: in, sock: sock}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Kamailio's log:\n%s", strings.Join(k.lines(), "\n"))
		}
		in.Stop()
	})
	return k
}

func (k *kamailioTarget) addr() string { return "127.0.0.1:" + strconv.Itoa(k.in.SIPPort) }

// expire does nothing: Kamailio's dialog timer runs on its own; the
// scenario's reads (bounded) wait for what it sends.
func (k *kamailioTarget) expire(int) {}

func (k *kamailioTarget) waitLog(t *testing.T, re string, n int) {
	t.Helper()
	r := regexp.MustCompile(re)
	deadline := time.Now().Add(wait)
	for {
		got := 0
		for _, l := range k.lines() {
			if r.MatchString(l) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kamailio never logged %q:\n%s", re, strings.Join(k.lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (k *kamailioTarget) lines() []string {
	var out []string
	for _, l := range k.in.Log() {
		out = append(out, l.Level+": "+strings.Trim(l.Origin, "<>")+": "+l.Text)
	}
	return out
}

var faultRE = regexp.MustCompile(`^error: (\d+) - (.*)$`)

// rpc runs kamcmd and flattens its output as flatten does kamgo's
// replies: "path = value", structures and arrays alike.
func (k *kamailioTarget) rpc(t *testing.T, cmd ...string) []string {
	t.Helper()
	kamcmd, err := exec.LookPath("kamcmd")
	if err != nil {
		t.Fatal("kamcmd not found")
	}
	var out []byte
	for range 50 {
		if _, serr := os.Stat(k.sock); serr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, _ = exec.CommandContext(ctx, kamcmd, append([]string{"-s", "unix:" + k.sock}, cmd...)...).CombinedOutput()
			cancel()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lines, path []string
	top := 0
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		l := strings.TrimLeft(line, "\t")
		if l == "" {
			continue
		}
		if m := faultRE.FindStringSubmatch(l); m != nil && len(path) == 0 {
			lines = append(lines, "fault = "+m[1])
			continue
		}
		name, val, named := strings.Cut(l, ": ")
		if !named {
			name, val = "", l
		}
		switch val {
		case "{", "[":
			if len(path) == 0 {
				path = append(path, "["+strconv.Itoa(top)+"]")
				top++
			} else {
				path = append(path, path[len(path)-1]+"."+name)
			}
			continue
		case "}", "]":
			path = path[:len(path)-1]
			continue
		}
		if len(path) == 0 {
			lines = append(lines, "["+strconv.Itoa(top)+"] = "+val)
			top++
			continue
		}
		lines = append(lines, path[len(path)-1]+"."+name+" = "+val)
	}
	return lines
}

// update rewrites the recordings from Kamailio's observations.
var update = flag.Bool("update", false, "record Kamailio's observations in testdata")

func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a, b := newPeer(t, "caller"), newPeer(t, "callee")
			kl := sc.run(t, startKamailio(t, sc.config(), b), a, b)
			a2, b2 := newPeer(t, "caller"), newPeer(t, "callee")
			gl := sc.run(t, startKamgo(t, sc.config(), b2), a2, b2)
			if strings.Join(kl, "\n") != strings.Join(gl, "\n") {
				t.Errorf("observations differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
			}
			if *update {
				if err := os.WriteFile(sc.golden(), []byte(strings.Join(kl, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := sc.want(t); strings.Join(kl, "\n") != strings.Join(want, "\n") {
				t.Errorf("Kamailio's observations are not the recorded ones\nkamailio:\n  %s\nrecorded:\n  %s", strings.Join(kl, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// TestKamailioLoad checks loadCases against Kamailio: it refuses to
// start with the configurations kamgo refuses and starts with the others.
func TestKamailioLoad(t *testing.T) {
	for _, tc := range loadCases {
		t.Run(tc.name, func(t *testing.T) {
			text := header + strings.ReplaceAll(kamailioPrelude, "CTL", filepath.Join(t.TempDir(), "ctl.sock")) + tc.cfg
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.Start(ctx, text, kamref.Options{})
			if err == nil {
				in.Stop()
			}
			if refused := err != nil; refused != (tc.err != "") {
				t.Fatalf("Kamailio refused: %v (%v), kamgo refuses: %v", refused, err, tc.err != "")
			}
		})
	}
}

// TestKamailioKEMI runs the Lua scenario on Kamailio and kamgo.
func TestKamailioKEMI(t *testing.T) {
	sc := scenario{name: "kemi"}
	a, b := newPeer(t, "caller"), newPeer(t, "callee")
	kl := kemiScenario(t, startKamailio(t, kemiConfigFor(t, b), b), a, b)
	a2, b2 := newPeer(t, "caller"), newPeer(t, "callee")
	gl := kemiScenario(t, startKamgo(t, kemiConfigFor(t, b2), b2), a2, b2)
	if strings.Join(kl, "\n") != strings.Join(gl, "\n") {
		t.Errorf("observations differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
	}
	if *update {
		if err := os.WriteFile(sc.golden(), []byte(strings.Join(kl, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKamailioRouteMatching runs the loose_route and dlg_manage-after-
// t_newtran checks of route_test.go on Kamailio: their expectations are
// Kamailio's behaviour.
func TestKamailioRouteMatching(t *testing.T) {
	t.Run("loose_route", func(t *testing.T) { matchOnLooseRoute(t, startKamailio) })
	t.Run("manage after t_newtran", func(t *testing.T) { manageAfterNewtran(t, startKamailio) })
}
