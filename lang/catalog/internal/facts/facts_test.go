package facts

import (
	"reflect"
	"strings"
	"testing"
)

func sample() [][]Module {
	evapi := Module{Name: "evapi", File: "evapi", Package: "kamailio-extra-modules",
		Funcs:  []Func{{"evapi_relay", 1, AnyRoute}, {"evapi_close", 0, AnyRoute}, {"evapi_close", 1, AnyRoute}, {"evapi_async_relay", 1, 1}},
		Params: []Param{{"workers", Int}, {"bind_addr", String}, {"event_callback", Str}},
		PVs:    []PV{{Name: "evapi", Writable: true}},
	}
	evapi57 := evapi
	evapi57.Params = append(append([]Param(nil), evapi.Params...), Param{"wait_idle", Int}, Param{"wait_increase", Int})
	pv := Module{Name: "pv", File: "pv", Package: "kamailio",
		Funcs: []Func{{"pv_isset", 1, AnyRoute}, {"xavp_params_explode", VarArgs, 0x3ff}},
		PVs:   []PV{{Name: "var", Writable: true}, {Name: "ci"}, {Name: "evapi"}},
		Trans: []string{"s", "uri"},
	}
	tmx := Module{Name: "tmx", File: "tmx", Deps: []string{"tm"}, Params: []Param{{"hooks", String | Int | UseFunc}}}
	qos := Module{Name: "ims_qos", File: "ims_qos"}
	npn := Module{Name: "ims_qos", File: "ims_qos_npn", Funcs: []Func{{"Rx_AAR", 2, 1}}}
	return [][]Module{{tmx, pv, evapi}, {evapi57, npn, pv, qos, tmx}}
}

func TestPackRoundTrip(t *testing.T) {
	rels := sample()
	p, err := Encode(rels)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range rels {
		want = append([]Module(nil), want...)
		SortModules(want)
		r, err := Open(p.Strings, p.Records, p.Indexes[k])
		if err != nil {
			t.Fatal(err)
		}
		if r.Len() != len(want) {
			t.Fatalf("release %d: %d modules, want %d", k, r.Len(), len(want))
		}
		for i, m := range want {
			if got := r.Module(i); !reflect.DeepEqual(got, m) {
				t.Errorf("release %d module %d:\n got %+v\nwant %+v", k, i, got, m)
			}
		}
	}
	r, _ := Open(p.Strings, p.Records, p.Indexes[1])
	if i, ok := r.Find("ims_qos"); !ok || r.File(i) != "ims_qos" || r.File(i+1) != "ims_qos_npn" {
		t.Errorf("Find(ims_qos) = %d %v", i, ok)
	}
	if _, ok := r.Find("nope"); ok {
		t.Error("Find(nope) found a module")
	}
	evapi, _ := r.Find("evapi")
	pv, _ := r.Find("pv")
	if got := r.PVOwners("evapi"); !reflect.DeepEqual(got, []int{evapi, pv}) {
		t.Errorf("PVOwners(evapi) = %v, want [%d %d]", got, evapi, pv)
	}
	if got := r.FuncOwners("evapi_close"); !reflect.DeepEqual(got, []int{evapi}) {
		t.Errorf("FuncOwners(evapi_close) = %v (one entry per module)", got)
	}
	if got := r.TransOwners("uri"); !reflect.DeepEqual(got, []int{pv}) {
		t.Errorf("TransOwners(uri) = %v", got)
	}
	if got := r.FuncOwners("nope"); got != nil {
		t.Errorf("FuncOwners(nope) = %v", got)
	}
}

func TestPackSharesBodies(t *testing.T) {
	rels := sample()
	one, _ := Encode(rels[:1])
	both, _ := Encode(rels)
	// The second release changes evapi and adds two modules; pv and tmx
	// are not stored again.
	extra := len(both.Records) - len(one.Records)
	single, _ := Encode([][]Module{{rels[1][0]}, {rels[1][1]}, {rels[1][3]}})
	if extra != len(single.Records) {
		t.Errorf("second release added %d record bytes; its new bodies alone take %d", extra, len(single.Records))
	}
}

func TestEncodeRejectsDuplicates(t *testing.T) {
	m := Module{Name: "a", File: "a"}
	if _, err := Encode([][]Module{{m, m}}); err == nil {
		t.Error("two modules of one name and file were accepted")
	}
}

func TestOpenRejectsBadIndex(t *testing.T) {
	p, _ := Encode(sample())
	if _, err := Open(p.Strings, p.Records, p.Indexes[0][:len(p.Indexes[0])-1]); err == nil {
		t.Error("a truncated index was accepted")
	}
}

func TestTextRoundTrip(t *testing.T) {
	mods := sample()[1]
	SortModules(mods)
	var b strings.Builder
	if err := Write(&b, "header\nsecond line", mods); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{
		"# header\n# second line\n",
		"module evapi evapi kamailio-extra-modules\n",
		"func evapi evapi_relay 1 ANY\n",
		"func evapi evapi_async_relay 1 REQUEST\n",
		"func pv xavp_params_explode var REQUEST|FAILURE|TM_ONREPLY|BRANCH|ONSEND|ERROR|LOCAL|CORE_ONREPLY|BRANCH_FAILURE|ONEVENT\n",
		"param tmx hooks string|int|func\n",
		"pv evapi evapi w\n",
		"dep tmx tm\n",
		"module ims_qos ims_qos_npn\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
	got, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(Lines(got), Lines(mods)) {
		t.Errorf("read back:\n%s\nwant:\n%s", strings.Join(Lines(got), "\n"), strings.Join(Lines(mods), "\n"))
	}
}

func TestReadRejects(t *testing.T) {
	for _, in := range []string{
		"func evapi x 1 ANY\n",           // module not declared
		"module a a\nfunc a x one ANY\n", // bad count
		"module a a\nfunc a x 1 NOPE\n",  // bad route
		"module a a\nparam a x float\n",  // bad type
		"module a a\npv a x rw\n",        // bad flag
		"module a a\nwhat a x\n",         // unknown fact
	} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read accepted %q", in)
		}
	}
}

func TestRoutesText(t *testing.T) {
	for r, want := range map[uint32]string{AnyRoute: "ANY", 0: "0", 1 | 2: "REQUEST|FAILURE", 1 << 12: "0x1000"} {
		if got := RoutesText(r); got != want {
			t.Errorf("RoutesText(%#x) = %q, want %q", r, got, want)
		}
		if back, err := parseRoutes(want); err != nil || back != r {
			t.Errorf("parseRoutes(%q) = %#x %v", want, back, err)
		}
	}
}

func TestReadmeDeps(t *testing.T) {
	readme := `Table of Contents
   2.1. Kamailio Modules

2.1. Kamailio Modules

   The following modules must be loaded before this module:
     * tm - transaction management.
     * sl - optional, for stateless replies.
     * unknownmod - not a module we know.
     * pv - only when using the pseudo-variables.

   Later paragraphs name modules for optional features:
     * rr

2.2. External Libraries or Applications
     * rr
`
	got := ReadmeDeps(readme, "self", map[string]bool{"tm": true, "sl": true, "pv": true, "rr": true})
	if !reflect.DeepEqual(got, []string{"tm"}) {
		t.Errorf("ReadmeDeps = %v, want [tm]", got)
	}
}
