//go:build kamailio

package tmx_test

// Differential tests against Kamailio 5.6.3: every scenario runs on
// Kamailio and on kamgo with the same configuration and the same peers'
// messages; what the peers receive (normalised for branches, tags, ports
// and the Server header), the script's log lines and tm's and tmx's
// warnings and errors must agree. Needs the kamailio binary and its
// modules:
//
//	go test -tags kamailio ./modules/tmx

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// evapiLines let kamref see that Kamailio is up (it waits for the evapi
// listener).
const evapiLines = `loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// transcript is what the peer received, normalised.
func (p *peer) transcript() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.got...)
}

// kamailioTarget is Kamailio running a scenario's configuration.
type kamailioTarget struct {
	in *kamref.Instance
}

func startKamailio(t *testing.T, routes string, peers ...*peer) *kamailioTarget {
	t.Helper()
	text := header + evapiLines + routes
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
	t.Cleanup(in.Stop)
	return &kamailioTarget{in: in}
}

func (k *kamailioTarget) addr() string { return "127.0.0.1:" + strconv.Itoa(k.in.SIPPort) }

// advance waits: Kamailio's timers run on the real clock.
func (k *kamailioTarget) advance(d time.Duration) { time.Sleep(d) }

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

// labelRE matches a transaction's index and label in a log line; labels
// are random.
var labelRE = regexp.MustCompile(`\[(\d+):\d+\]`)

// comparable keeps the script's lines and tm's and tmx's warnings and
// errors, with ports and labels replaced.
func comparable(lines []string) []string {
	var out []string
	for _, l := range lines {
		level, rest, _ := strings.Cut(l, ": ")
		origin, _, _ := strings.Cut(rest, ": ")
		switch {
		case origin == "script":
		case (origin == "tm" || origin == "tmx") && level != "INFO" && level != "NOTICE" && level != "DEBUG":
		default:
			continue
		}
		l = labelRE.ReplaceAllString(l, "[$1:LABEL]")
		out = append(out, portRE.ReplaceAllString(l, "127.0.0.1:PORT"))
	}
	return out
}

// run plays sc on one server, returning the transcripts of the peers and
// the comparable log lines.
func run(t *testing.T, sc scenario, start func(t *testing.T, routes string, peers ...*peer) target) (msgs, logs []string) {
	phone := newPeer(t, "phone")
	var uas []*peer
	for i := 0; i < sc.uas; i++ {
		uas = append(uas, newPeer(t, "uas"))
	}
	tg := start(t, sc.routes, uas...)
	sc.play(t, tg, phone, uas)
	// Late messages (retransmissions) are read too, then everything the
	// peers got is compared.
	for _, p := range append([]*peer{phone}, uas...) {
		for {
			if _, ok := p.read(quiet); !ok {
				break
			}
		}
		// Retransmissions depend on the clock (a real one for Kamailio):
		// each message counts once.
		seen := map[string]bool{}
		for _, m := range p.transcript() {
			if !seen[m] {
				seen[m] = true
				msgs = append(msgs, p.name+" got:\n"+m)
			}
		}
	}
	if k, ok := tg.(*kamailioTarget); ok {
		k.in.Stop()
	}
	return msgs, comparable(tg.lines())
}

func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			km, kl := run(t, sc, func(t *testing.T, routes string, peers ...*peer) target {
				return startKamailio(t, routes, peers...)
			})
			gm, gl := run(t, sc, func(t *testing.T, routes string, peers ...*peer) target {
				return startKamgo(t, routes, peers...)
			})
			if !slices.Equal(km, gm) {
				t.Errorf("messages differ\nkamailio:\n%s\nkamgo:\n%s", strings.Join(km, "\n----\n"), strings.Join(gm, "\n----\n"))
			}
			if !slices.Equal(kl, gl) {
				t.Errorf("log lines differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
			}
		})
	}
}
