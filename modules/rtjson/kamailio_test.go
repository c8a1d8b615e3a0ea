//go:build kamailio

package rtjson_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
)

// runOnKamailio runs a scenario on Kamailio 5.6.3 with the same routes and
// modules, and returns the transcript and the lines rtjson and the routes
// logged (the start-up lines included).
func runOnKamailio(t *testing.T, sc scenario) (transcript, logs []string) {
	s := newScene(t, sc.peers)
	text := "#!KAMAILIO\ndebug=3\nlog_stderror=yes\nchildren=2\nlisten=127.0.0.1:" + kamref.SIPPortPlaceholder +
		"\nauto_aliases=no\ndns=no\nrev_dns=no\nmpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n" +
		loadLines() + scenarioRoutes
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.StartSIP(ctx, text, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.advance = func(time.Duration) {}
	s.addr = "127.0.0.1:" + strconv.Itoa(in.SIPPort)
	s.names[strconv.Itoa(in.SIPPort)] = "proxy"
	sc.run(s)
	in.Stop()
	for _, l := range in.Log() {
		origin := strings.Trim(l.Origin, "<>")
		if origin == "script" || origin == "rtjson" {
			logs = append(logs, s.normalize(l.Level+": "+origin+": "+l.Text))
		}
	}
	return s.got, logs
}

// TestDifferential runs each scenario on Kamailio and on kamgo and
// compares what the peers received and what was logged.
func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			kam, kamLog := runOnKamailio(t, sc)
			if t.Failed() {
				return
			}
			if sc.tmDeviation != "" {
				// Kamailio met the scenario's expectations; kamgo's tm
				// does not yet.
				t.Skip(sc.tmDeviation)
			}
			kg, kgLog := runOnKamgo(t, sc)
			compare(t, "message", kam, kg)
			compare(t, "log line", kamLog, kgLog)
			if t.Failed() {
				t.Logf("Kamailio's transcript:\n%s\nKamailio's log:\n%s", strings.Join(kam, "\n"), strings.Join(kamLog, "\n"))
			}
		})
	}
}

func compare(t *testing.T, what string, kam, kg []string) {
	t.Helper()
	if len(kam) != len(kg) {
		t.Errorf("Kamailio: %d %ss, kamgo: %d", len(kam), what, len(kg))
	}
	for i := 0; i < min(len(kam), len(kg)); i++ {
		if kam[i] != kg[i] {
			t.Errorf("%s %d differs\nKamailio %s\nkamgo    %s", what, i, kam[i], kg[i])
		}
	}
}

// TestCallControlCorpusKamailio places the call of TestCallControlCorpus
// through Kamailio 5.6.3 running the same copy of the corpus config (its
// modules from the installed path, -L, as the config's mpath is another
// machine's) and compares what the phone and the server received.
func TestCallControlCorpusKamailio(t *testing.T) {
	cfg, evapiAddr := callControlConfig(t)
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := kamref.StartSIPFile(ctx, cfg, kamref.Options{SIPPort: port,
		Args: []string{"-L", "/usr/lib/x86_64-linux-gnu/kamailio/modules", "-l", "127.0.0.1:" + strconv.Itoa(port)}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	// evapi may start listening after the SIP sockets.
	deadline := time.Now().Add(wait)
	app, err := netstring.Dial(evapiAddr, wait)
	for err != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		app, err = netstring.Dial(evapiAddr, wait)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	for !reNewConn.MatchString(strings.Join(in.Lines(), "\n")) {
		if time.Now().After(deadline) {
			t.Fatalf("Kamailio never took the application in:\n%s", strings.Join(in.Lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	kam := runCall(t, "127.0.0.1:"+strconv.Itoa(port), app)
	if t.Failed() {
		in.Stop()
		t.Logf("Kamailio's log:\n%s", strings.Join(in.Lines(), "\n"))
		return
	}

	// The same call through kamgo, for the comparison.
	cfg2, evapi2 := callControlConfig(t)
	bin := proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo")
	port2, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := proctest.Start(t, bin, filepath.Dir(cfg2), "run", "--kamailio", "5.6",
		"-l", "udp:127.0.0.1:"+strconv.Itoa(port2), "-Y", runDir, cfg2)
	p.WaitFor(reRunning, 1, wait)
	app2, err := netstring.Dial(evapi2, wait)
	if err != nil {
		t.Fatal(err)
	}
	defer app2.Close()
	p.WaitFor(reNewConn, 1, wait)
	kg := runCall(t, "127.0.0.1:"+strconv.Itoa(port2), app2)
	compare(t, "message", kam, kg)
	if t.Failed() {
		t.Logf("Kamailio's transcript:\n%s", strings.Join(kam, "\n"))
	}
}
