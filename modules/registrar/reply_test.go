package registrar_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/registrar"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/modules/usrloc"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// startKamgo runs routes in kamgo, listening on a free UDP port, and
// returns its address and log. A clock, when given, drives usrloc.
func startKamgo(t *testing.T, routes string, clock ...usrloc.Clock) (string, *linelog.Log, *server.Server) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=2\nlisten=udp:127.0.0.1:%d\n%s", port, routes)
	cfg, diags, _ := check.AnalyzeSource("registrar.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if len(clock) > 0 {
		ul, _ := srv.Module("usrloc")
		ul.(*usrloc.Module).SetClock(clock[0])
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
	return "127.0.0.1:" + strconv.Itoa(port), ll, srv
}

// reordered are the replies where kamgo deliberately differs: a refresh
// that raises a contact's q moves it to its place by q (Kamailio's
// update_contact_pos searches the list as if it were in ascending order
// and puts it last; see the README). Their Contact headers hold the same
// bindings, kamgo's ordered by q.
var reordered = map[string]bool{"refresh with new q": true, "remove one": true}

// TestReplies: kamgo's replies to the scenario are Kamailio's.
func TestReplies(t *testing.T) {
	addr, _, _ := startKamgo(t, replyRoutes)
	got := blocks(runScenario(t, addr, scenario))
	want := blocks(readGolden(t, golden))
	if len(got) != len(want) {
		t.Fatalf("%d replies, Kamailio sent %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if reordered[w.name] {
			g.text, w.text = sameBindings(t, w.name, g.text, w.text)
		}
		if g.text != w.text {
			t.Errorf("%s: reply differs from Kamailio's (%s):\n%s", w.name, golden, diff(w.text, g.text))
		}
	}
}

// TestRepliesOutbound: the outbound, strict Path, reg_send_reply and
// prepared-reply scenario, compared with Kamailio's replies.
func TestRepliesOutbound(t *testing.T) {
	addr, _, _ := startKamgo(t, outboundRoutes)
	got := runScenario(t, addr, outboundScenario)
	if want := readGolden(t, goldenOutbound); got != want {
		t.Errorf("replies differ from Kamailio's (%s):\n%s", goldenOutbound, diff(want, got))
	}
}

// TestRepliesTM: inside a transaction save replies through tm (its
// to-tag), as Kamailio's sl send_reply does.
func TestRepliesTM(t *testing.T) {
	addr, _, _ := startKamgo(t, tmRoutes)
	got := runScenario(t, addr, tmScenario)
	if want := readGolden(t, goldenTM); got != want {
		t.Errorf("replies differ from Kamailio's (%s):\n%s", goldenTM, diff(want, got))
	}
}

type block struct{ name, text string }

// blocks splits a scenario's output at its "== name" lines.
func blocks(s string) []block {
	var out []block
	for _, part := range strings.Split(s, "== ")[1:] {
		name, text, _ := strings.Cut(part, "\n")
		out = append(out, block{name, text})
	}
	return out
}

// sameBindings checks that the Contact headers of got and want list the
// same bindings and that got's are ordered by q, best first; it returns
// both texts with the Contact header removed.
func sameBindings(t *testing.T, name, got, want string) (string, string) {
	t.Helper()
	gl, gc := cutContact(got)
	wl, wc := cutContact(want)
	gs, ws := strings.Split(gc, ", "), strings.Split(wc, ", ")
	if strings.Join(sorted(gs), ",") != strings.Join(sorted(ws), ",") {
		t.Errorf("%s: bindings %q, Kamailio's %q", name, gc, wc)
	}
	last := 2000
	for _, b := range gs {
		q := -1
		if _, v, ok := strings.Cut(b, ";q="); ok {
			v, _, _ = strings.Cut(v, ";")
			f, _ := strconv.ParseFloat(v, 64)
			q = int(f * 1000)
		}
		if q > last {
			t.Errorf("%s: bindings not ordered by q: %q", name, gc)
		}
		last = q
	}
	return gl, wl
}

func cutContact(s string) (rest, contact string) {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(l, "Contact: "); ok {
			contact = v
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n"), contact
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

// diff shows the first differing lines of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
