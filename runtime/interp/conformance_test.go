package interp_test

// The conformance runner: every case in spec/conformance (recorded from the
// real Kamailio 5.6.3) is parsed with lang/parser, loaded with
// runtime/server and driven through event_route[evapi:message-received],
// once per send line, with $evapi(msg) set. The script log lines and the
// payloads relayed by a capture module registered as "evapi" are compared
// with the recorded ones. The capture module behaves as evapi does where
// the cases see it: an empty payload is refused (-1, an error logged,
// nothing sent) and an assignment to $evapi(msg) is accepted and ignored. Cases with a check section must fail to load at
// that line. testdata/deviations.txt excuses documented deviations.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/value"
	"github.com/kamgo/kamgo/spec/conformance"

	_ "github.com/kamgo/kamgo/modules/cfgutils"
	_ "github.com/kamgo/kamgo/modules/jansson"
	_ "github.com/kamgo/kamgo/modules/json"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

const conformanceDir = "../../spec/conformance"

// capture is the "evapi" module of the test binary: it records relayed
// payloads instead of writing them to sockets.
type capture struct {
	mu     sync.Mutex
	relays []string
	tag    string
}

var (
	captureKey = event.NewKey()
	// current is the capture instance of the server being driven; cases
	// run one at a time.
	current *capture
)

func init() { module.Register(&capture{}) }

func (*capture) ModuleInfo() module.Info {
	return module.Info{Name: "evapi", New: func() module.Module {
		c := &capture{}
		current = c
		return c
	}}
}

func (m *capture) SetParam(string, value.Value) error { return nil }

func (m *capture) Exports() module.Exports {
	relay := func(tagged, first bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			data, err := args[0].Str(h)
			if err != nil {
				return nil, err
			}
			var tag module.StrFunc
			if tagged {
				if tag, err = args[1].Str(h); err != nil {
					return nil, err
				}
			}
			return func(c *event.Context) int {
				payload := data(c)
				if payload == "" {
					// evapi refuses an empty payload: nothing is sent.
					if c.Log != nil {
						c.Log.Log(klog.Err, "evapi", "w_evapi_relay(): invalid data parameter")
					}
					return -1
				}
				m.mu.Lock()
				defer m.mu.Unlock()
				if tag != nil && tag(c) != m.tag {
					if c.Log != nil {
						c.Log.Log(klog.Warn, "evapi", "_evapi_relay(): message not delivered - no client connected")
					}
					return -1
				}
				m.relays = append(m.relays, payload)
				return 1
			}, nil
		}
	}
	setTag := func(h module.Host, args []*module.Arg) (module.Call, error) {
		tag, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			t := tag(c)
			if len(t) >= 64 {
				return -1
			}
			m.mu.Lock()
			m.tag = t
			m.mu.Unlock()
			return 1
		}, nil
	}
	closeFn := func(module.Host, []*module.Arg) (module.Call, error) {
		return func(*event.Context) int { return 1 }, nil
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "workers", Type: module.ParamInt}, {Name: "bind_addr", Type: module.ParamStr},
			{Name: "netstring_format", Type: module.ParamInt}, {Name: "event_callback", Type: module.ParamStr},
			{Name: "max_clients", Type: module.ParamInt},
		},
		Funcs: []module.Func{
			{Name: "evapi_relay", MinArgs: 1, MaxArgs: 1, Compile: relay(false, false)},
			{Name: "evapi_async_relay", MinArgs: 1, MaxArgs: 1, Compile: relay(false, false)},
			{Name: "evapi_multicast", MinArgs: 2, MaxArgs: 2, Compile: relay(true, false)},
			{Name: "evapi_async_multicast", MinArgs: 2, MaxArgs: 2, Compile: relay(true, false)},
			{Name: "evapi_unicast", MinArgs: 2, MaxArgs: 2, Compile: relay(true, true)},
			{Name: "evapi_async_unicast", MinArgs: 2, MaxArgs: 2, Compile: relay(true, true)},
			{Name: "evapi_close", MinArgs: 0, MaxArgs: 1, Compile: closeFn},
			{Name: "evapi_set_tag", MinArgs: 1, MaxArgs: 1, Compile: setTag},
		},
		Classes: []*pv.Class{{Name: "evapi", Module: "evapi",
			Names: []string{"msg", "conidx", "srcaddr", "srcport"},
			Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
				switch p.Name.Text {
				case "msg":
					return evapiMsg{}, nil
				case "conidx":
					return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(0) }), nil
				case "srcaddr":
					return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeStr("127.0.0.1") }), nil
				}
				return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(40000) }), nil
			}}},
		Events: []string{"evapi:connection-new", "evapi:connection-closed", "evapi:message-received"},
	}
}

// evapiMsg is $evapi(msg): the received message. Kamailio 5.6.3 accepts
// an assignment and ignores it (pv/032).
type evapiMsg struct{}

func (evapiMsg) Get(c *event.Context) value.Value {
	if s, ok := c.Get(captureKey).(string); ok {
		return value.MakeStr(s)
	}
	return value.NullValue
}

func (evapiMsg) Set(*event.Context, value.Value) error { return nil }

var (
	_ module.Exporter    = (*capture)(nil)
	_ module.ParamSetter = (*capture)(nil)
)

// deviations reads testdata/deviations.txt: "case-name reason" lines.
func deviations(t *testing.T) map[string]string {
	out := map[string]string{}
	f, err := os.Open("testdata/deviations.txt")
	if err != nil {
		if os.IsNotExist(err) {
			return out
		}
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, reason, _ := strings.Cut(l, " ")
		if strings.TrimSpace(reason) == "" {
			t.Errorf("deviations.txt: %s has no reason", name)
		}
		out[name] = reason
	}
	return out
}

type outcome struct {
	pass   bool
	detail string
}

// runCase loads and drives one case.
func runCase(c conformance.Case) outcome {
	text := strings.NewReplacer("%%SIP_PORT%%", "5060", "%%EVAPI_PORT%%", "8448").Replace(c.ConfigTemplate())
	lookup := func(name string) (string, bool) {
		for _, kv := range conformance.Env {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v, true
			}
		}
		return os.LookupEnv(name)
	}
	// The same path as `kamgo run`: preprocess, parse and check, then load.
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{Env: lookup}, module.Catalog())
	var srv *server.Server
	var logLines []string
	var mu sync.Mutex
	if !diags.HasErrors() {
		lg := klog.New(nil, klog.Text)
		lg.SetHook(func(lv klog.Level, origin, msg string) {
			if origin != "script" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			parts := strings.Split(msg, "\n")
			logLines = append(logLines, lv.String()+": "+parts[0])
			logLines = append(logLines, parts[1:]...)
		})
		var missing []string
		for _, it := range cfg.Items {
			if lm, ok := it.(*ast.LoadModule); ok {
				name := strings.TrimSuffix(filepath.Base(lm.Path), ".so")
				if _, ok := module.Lookup(name); !ok {
					missing = append(missing, name)
				}
			}
		}
		current = nil
		var ld diag.List
		srv, ld = server.Load(cfg, server.Options{Log: lg, AllowMissing: missing})
		diags = append(diags, ld...)
	}
	if c.Check != "" {
		if !diags.HasErrors() {
			return outcome{false, "loaded, want " + c.Check}
		}
		want, _ := c.CheckLine()
		var first *diag.Diagnostic
		for _, d := range diags {
			if d.Severity == diag.Error && (first == nil || d.Subject.Start.Before(first.Subject.Start)) {
				first = d
			}
		}
		// As in the differential check suite: the first error's subject
		// must cover Kamailio's line; startup errors may be reported at the
		// lookahead token, one line past the statement.
		got := first.Subject.Start.Line - conformance.PreludeLines()
		hi := max(first.Subject.End.Line-conformance.PreludeLines(), got)
		if strings.HasPrefix(c.Check, "startup") {
			hi++
		}
		if want != 0 && (want < got || want > hi) {
			return outcome{false, fmt.Sprintf("rejected at line %d (%s), want line %d (%s)", got, first.Summary, want, c.Check)}
		}
		return outcome{true, ""}
	}
	if diags.HasErrors() || srv == nil {
		return outcome{false, "load failed: " + diags.Error()}
	}
	if err := srv.Start(context.Background()); err != nil {
		return outcome{false, "start: " + err.Error()}
	}
	defer srv.Stop(context.Background())
	capt := current
	w := event.NewWorker(1)
	for _, m := range c.Send {
		srv.Dispatch(event.Event("evapi:message-received"), w, func(ctx *event.Context) { ctx.Set(captureKey, m) })
	}
	var relays []string
	if capt != nil {
		capt.mu.Lock()
		relays = append(relays, capt.relays...)
		capt.mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	var why []string
	if !slices.Equal(logLines, c.Log) && !(len(logLines) == 0 && len(c.Log) == 0) {
		why = append(why, fmt.Sprintf("log:\n   got  %q\n   want %q", logLines, c.Log))
	}
	if !slices.Equal(relays, c.Relay) && !(len(relays) == 0 && len(c.Relay) == 0) {
		why = append(why, fmt.Sprintf("relay:\n   got  %q\n   want %q", relays, c.Relay))
	}
	if len(why) > 0 {
		return outcome{false, strings.Join(why, "\n")}
	}
	return outcome{true, ""}
}

// TestConformance runs every recorded case; see the file comment.
func TestConformance(t *testing.T) {
	cases, err := conformance.Load(conformanceDir)
	if err != nil {
		t.Fatalf("loading cases: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("no conformance cases found")
	}
	for _, kv := range conformance.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dev := deviations(t)
	type tally struct{ pass, fail, excused int }
	byArea := map[string]*tally{}
	for _, c := range cases {
		area, _, _ := strings.Cut(c.Name, "/")
		if byArea[area] == nil {
			byArea[area] = &tally{}
		}
		o := runCase(c)
		switch {
		case o.pass:
			byArea[area].pass++
			if _, ok := dev[c.Name]; ok {
				t.Errorf("%s passes but is listed in deviations.txt: remove it", c.Name)
			}
		case dev[c.Name] != "":
			byArea[area].excused++
		default:
			byArea[area].fail++
			t.Errorf("%s (%s):\n %s", c.Name, c.Comment, o.detail)
		}
	}
	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	var b strings.Builder
	var tp, tf, te int
	for _, a := range areas {
		x := byArea[a]
		fmt.Fprintf(&b, "  %-10s passed %3d  failed %3d  excused %3d\n", a, x.pass, x.fail, x.excused)
		tp, tf, te = tp+x.pass, tf+x.fail, te+x.excused
	}
	fmt.Fprintf(&b, "  %-10s passed %3d  failed %3d  excused %3d\n", "total", tp, tf, te)
	t.Logf("conformance summary:\n%s", b.String())
}

// TestProbes replays testdata/probes: cases in the conformance format,
// recorded from Kamailio 5.6.3 with the kamprobe driver, for behaviour the
// spec/conformance cases do not pin down ($xavp, AVP names, the faked
// request's pseudo-variables, xlog level names).
func TestProbes(t *testing.T) {
	cases, err := conformance.Load("testdata/probes")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range conformance.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, c := range cases {
		if o := runCase(c); !o.pass {
			t.Errorf("%s:\n %s", c.Name, o.detail)
		}
	}
}
