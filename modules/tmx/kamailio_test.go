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
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

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
func run(t *testing.T, sc scenario, start func(t *testing.T, routes string, peers ...*siptest.UA) siptest.Target) (msgs, logs []string) {
	phone := siptest.NewUA(t, "phone")
	var uas []*siptest.UA
	for range sc.uas {
		uas = append(uas, siptest.NewUA(t, "uas"))
	}
	tg := start(t, sc.routes, uas...)
	sc.play(t, tg, phone, uas)
	// Late messages (retransmissions) are read too, then everything the
	// peers got is compared.
	for _, p := range append([]*siptest.UA{phone}, uas...) {
		p.Drain()
		// Retransmissions depend on the clock (a real one for Kamailio):
		// each message counts once.
		seen := map[string]bool{}
		for _, m := range p.Received() {
			if m = normalise(m); !seen[m] {
				seen[m] = true
				msgs = append(msgs, p.Name+" got:\n"+m)
			}
		}
	}
	if k, ok := tg.(*siptest.Kamailio); ok {
		k.Stop()
	}
	return msgs, comparable(tg.Lines())
}

func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			km, kl := run(t, sc, startKamailio)
			gm, gl := run(t, sc, startKamgo)
			if !slices.Equal(km, gm) {
				t.Errorf("messages differ\nkamailio:\n%s\nkamgo:\n%s", strings.Join(km, "\n----\n"), strings.Join(gm, "\n----\n"))
			}
			if !slices.Equal(kl, gl) {
				t.Errorf("log lines differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
			}
		})
	}
}

// startKamailio runs header+routes in Kamailio, the placeholders UAS1 ...
// replaced by the ports of the peers given.
func startKamailio(t *testing.T, routes string, peers ...*siptest.UA) siptest.Target {
	t.Helper()
	return siptest.StartKamailio(t, header+siptest.EvapiProbe+routes, siptest.Placeholders(peers...)...)
}

var (
	branchRE = regexp.MustCompile(`branch=z9hG4bK[^;\r\n]*`)
	tagRE    = regexp.MustCompile(`;tag=[^;\r\n]*`)
	portRE   = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	rportRE  = regexp.MustCompile(`;rport=\d+`)
)

// normalise makes a message comparable between servers and runs: the
// Server and User-Agent headers go; branches, tags and ports are
// replaced.
func normalise(buf string) string {
	var keep []string
	for _, l := range strings.Split(buf, "\r\n") {
		ll := strings.ToLower(l)
		if strings.HasPrefix(ll, "server:") || strings.HasPrefix(ll, "user-agent:") {
			continue
		}
		keep = append(keep, l)
	}
	s := strings.Join(keep, "\r\n")
	s = branchRE.ReplaceAllString(s, "branch=BRANCH")
	s = tagRE.ReplaceAllString(s, ";tag=TAG")
	s = rportRE.ReplaceAllString(s, ";rport=PORT")
	return portRE.ReplaceAllString(s, "127.0.0.1:PORT")
}
