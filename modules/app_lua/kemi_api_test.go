package applua_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/module"
)

// kemiAPIFile is Kamailio's own list of the KEMI functions it exports to
// Lua with the modules kamgo ships loaded (kamailio_test.go records it).
const kemiAPIFile = "testdata/kemi-api-5.6.3.txt"

// kemiLine renders a function as the recording does: module (- for KSR
// itself), name, return type, parameter types.
func kemiLine(f module.KEMIFunc) string {
	mod := f.Module
	if mod == "" {
		mod = "-"
	}
	params := "none"
	if len(f.Params) > 0 {
		ps := make([]string, len(f.Params))
		for i, p := range f.Params {
			ps[i] = p.String()
		}
		params = strings.Join(ps, ",")
	}
	return mod + " " + f.Name + " " + f.Ret.String() + " " + params
}

func readKEMIAPI(t *testing.T) []string {
	f, err := os.Open(kemiAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// kemiExports loads a configuration with every module kamgo ships and
// returns the KEMI functions its scripts see.
func kemiExports(t *testing.T) []module.KEMIFunc {
	var b strings.Builder
	for _, name := range module.Registered() {
		b.WriteString(`loadmodule "` + name + `.so"` + "\n")
	}
	b.WriteString(`modparam("evapi", "bind_addr", "127.0.0.1:0")` + "\n")
	b.WriteString("event_route[xhttp:request] {\n\tdrop;\n}\n") // xhttp needs one to start
	srv, _ := load(t, "all.cfg", b.String(), nil)
	return srv.Host().(module.KEMIHost).KEMIExports()
}

// TestKEMIAPI compares the KEMI functions kamgo offers with Kamailio's:
// every function of a module kamgo ships, with Kamailio's name, return
// type and parameter types, and the core's. Functions
// marked Ext (newer releases', kamgo's) must not be in Kamailio 5.6's list.
func TestKEMIAPI(t *testing.T) {
	want := readKEMIAPI(t)
	var got []string
	for _, f := range kemiExports(t) {
		l := kemiLine(f)
		switch {
		case f.Ext != "" && slices.Contains(want, l):
			t.Errorf("%q is marked %q, but Kamailio 5.6 has it", l, f.Ext)
		case f.Ext == "" && !slices.Contains(want, l):
			t.Errorf("kamgo offers %q, which Kamailio 5.6 does not (a newer release's or kamgo's own sets KEMIFunc.Ext)", l)
		}
		got = append(got, l)
	}
	for _, w := range want {
		if _, absent := needsAbsentModule[w]; !slices.Contains(got, w) && !absent {
			t.Errorf("kamgo lacks Kamailio's %q", w)
		}
	}
}

// needsAbsentModule lists the KEMI functions of shipped modules that work
// only inside a module kamgo does not have (the module's README says so).
var needsAbsentModule = map[string]string{}

// TestKEMIExporters: every module kamgo ships states its KEMI functions,
// even when it has none (json), so that a new module cannot forget to.
func TestKEMIExporters(t *testing.T) {
	for _, name := range module.Registered() {
		info, _ := module.Lookup(name)
		if _, ok := info.New().(module.KEMIExporter); !ok {
			t.Errorf("module %s does not implement module.KEMIExporter", name)
		}
	}
}
