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
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/kex"
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

// uacRoutes sends, for each request the phone sends, a MESSAGE of its own
// with t_uac_send to the peer, then answers the phone.
const uacRoutes = `loadmodule "kex.so"
request_route {
	t_uac_send("MESSAGE", "sip:peer@127.0.0.1:UAS1", "", "",
		"From: <sip:tmx@kamgo.test>\r\nTo: <sip:peer@kamgo.test>\r\nContent-Type: text/plain\r\n", "hi");
	sl_send_reply("200", "OK");
	exit;
}
`

// TestUACTransactions: tmx's UAC_transactions counts the transactions tm
// started itself, over the process's life (the one that has ended
// counts), and UAS_transactions counts them too. Both servers answer
// `stats.get_statistics tmx:` alike; Kamailio refreshes its copy of tm's
// counts at most every two seconds, so the read is repeated until the
// count shows.
func TestUACTransactions(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kamcmd := func(args ...string) string {
		out, err := kamref.Kamcmd(ctx, sock, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	call := map[string]func(tg siptest.Target, args ...string) string{
		"kamailio": func(_ siptest.Target, args ...string) string { return kamcmd(args...) },
		"kamgo": func(tg siptest.Target, args ...string) string {
			vals, fault, ok := siptest.RPC(tg.(*siptest.Server).Srv, args[0], siptest.Strs(args[1:]...)...)
			if !ok {
				t.Fatalf("no command %s", args[0])
			}
			return siptest.Kamcmd(vals, fault)
		},
	}
	read := map[string]func(tg siptest.Target) string{
		"kamailio": func(tg siptest.Target) string { return call["kamailio"](tg, "stats.get_statistics", "tmx:") },
		"kamgo":    func(tg siptest.Target) string { return call["kamgo"](tg, "stats.get_statistics", "tmx:") },
	}
	tmStats := map[string]string{}
	want := []string{"tmx:UAC_transactions = 1", "tmx:UAS_transactions = 1", "tmx:inuse_transactions = 0", "tmx:rpl_received = 1"}
	got := map[string]string{}
	for _, name := range []string{"kamailio", "kamgo"} {
		t.Run(name, func(t *testing.T) {
			phone, peer := siptest.NewUA(t, "phone"), siptest.NewUA(t, "peer")
			var tg siptest.Target
			if name == "kamailio" {
				tg = siptest.StartKamailio(t, header+siptest.EvapiProbe+kamref.CtlLines(sock)+uacRoutes, siptest.Placeholders(peer)...)
			} else {
				tg = startKamgo(t, uacRoutes, peer)
			}
			phone.SendTo(tg.SIPAddr(), phone.Request("OPTIONS", "sip:tmx@127.0.0.1", "u1", "uac-1", 1))
			phone.RecvStatus(200)
			msg := peer.RecvMethod("MESSAGE")
			peer.SendTo(tg.SIPAddr(), siptest.Reply(msg, 200, "OK", "p1"))
			var out string
			poll := func(want ...string) {
				t.Helper()
				if !siptest.Poll(func() bool { out = read[name](tg); return hasAll(out, want) }) {
					t.Fatalf("stats.get_statistics tmx: lacks %q:\n%s", want, out)
				}
			}
			// The transaction is in its wait state (the 200 counted)
			// before the clock moves (kamgo's fake one would otherwise
			// time it out first); it ends when its wait timer fires.
			poll("tmx:UAC_transactions = 1", "tmx:rpl_received = 1", "tmx:inuse_transactions = 1", "tmx:active_transactions = 0")
			tg.Advance(6 * time.Second)
			poll(want...)
			got[name] = out
			tmStats[name] = call[name](tg, "tm.stats")
		})
	}
	// tm.stats counts the ended local transaction in total_local too.
	if tmStats["kamailio"] != tmStats["kamgo"] {
		t.Errorf("tm.stats:\nkamailio:\n%s\nkamgo:\n%s", tmStats["kamailio"], tmStats["kamgo"])
	}
	kl, gl := strings.Split(got["kamailio"], "\n"), strings.Split(got["kamgo"], "\n")
	if len(kl) != len(gl) {
		t.Fatalf("stats.get_statistics tmx: differs\nkamailio:\n%s\nkamgo:\n%s", got["kamailio"], got["kamgo"])
	}
	for i := range kl {
		if kl[i] != gl[i] {
			t.Errorf("kamailio %q, kamgo %q", kl[i], gl[i])
		}
	}
}

// hasAll reports whether every line of want is a line of out.
func hasAll(out string, want []string) bool {
	lines := strings.Split(out, "\n")
	for _, w := range want {
		if !slices.Contains(lines, w) {
			return false
		}
	}
	return true
}
