package catalog

import (
	"reflect"
	"testing"
)

func TestReleaseQualifiers(t *testing.T) {
	p := parseFacts("x.txt", `# comment
param always int
since 5.7 param newer int   # trailing comment
until 5.8 param older int
since 5.7 until 6.0 param window int
since 4.4 param bad int
since 6.1 until 5.7 param never int
`)
	want := []string{"x.txt:6: unknown release 4.4", "x.txt:7: holds in no release"}
	if !reflect.DeepEqual(p.problems, want) {
		t.Errorf("problems %q, want %q", p.problems, want)
	}
	holds := map[string][]bool{}
	for _, f := range p.facts {
		for r := range releaseTable {
			holds[f.fields[1]] = append(holds[f.fields[1]], f.holds(r))
		}
		if len(f.fields) != 3 {
			t.Errorf("%s: fields %q", f.where(), f.fields)
		}
	}
	//                     5.6    5.7    5.8    6.0    6.1
	wantHolds := map[string][]bool{
		"always": {true, true, true, true, true},
		"newer":  {false, true, true, true, true},
		"older":  {true, true, true, false, false},
		"window": {false, true, true, true, false},
	}
	if !reflect.DeepEqual(holds, wantHolds) {
		t.Errorf("holds %v, want %v", holds, wantHolds)
	}
}

func TestOverridesOfOtherReleasesAreSkipped(t *testing.T) {
	r := &release{num: 0, events: map[string]int{}, modFacts: map[int][]fact{}}
	r.packed = load(t, "5.6").rel.packed
	facts := parseFacts("o.txt", `since 5.8 module microhttpd
event microhttpd:request
module evapi
since 6.1 event evapi:later
event evapi:now
module no_such_module
event x:y
`)
	r.readOverrides(facts.facts)
	if want := []string{"o.txt:6: unknown module no_such_module"}; !reflect.DeepEqual(r.problems, want) {
		t.Errorf("problems %q, want %q", r.problems, want)
	}
	if _, ok := r.events["evapi:now"]; !ok || len(r.events) != 1 {
		t.Errorf("events %v, want only evapi:now", r.events)
	}
}
