package catalog

import (
	"os"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// debianListing reads testdata/debian-5.6.3.txt, what Debian 12's module
// binaries export (gen/elf).
func debianListing(t *testing.T) []facts.Module {
	t.Helper()
	f, err := os.Open("testdata/debian-5.6.3.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mods, err := facts.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return mods
}

// packedModules decodes a release's modules as the generator stored them.
func packedModules(t *testing.T, r string) []facts.Module {
	t.Helper()
	i, ok := releaseIndex(r)
	if !ok {
		t.Fatalf("no release %s", r)
	}
	p, err := facts.Open(factStrings, factRecords, releaseTable[i].index)
	if err != nil {
		t.Fatal(err)
	}
	mods := make([]facts.Module, p.Len())
	for k := range mods {
		mods[k] = p.Module(k)
	}
	return mods
}

// TestSourceMatchesBinaries is the proof of the source reader: at tag
// 5.6.3, the modules Debian packages export exactly what their binaries
// export (functions with argument counts and route types, parameters with
// types, pseudo-variables with writability, transformation classes), and
// their READMEs require the same modules.
func TestSourceMatchesBinaries(t *testing.T) {
	deb := debianListing(t)
	shipped := map[string]bool{}
	for _, m := range deb {
		shipped[m.File] = true
	}
	var src []facts.Module
	for _, m := range packedModules(t, "5.6") {
		if shipped[m.File] {
			src = append(src, m)
		}
	}
	if len(src) != len(deb) {
		t.Errorf("the 5.6.3 sources have %d of Debian's %d modules", len(src), len(deb))
	}
	if d := lineDiff(facts.Lines(deb), facts.Lines(src)); d != "" {
		t.Errorf("source and binaries differ (- binaries, + source):\n%s", d)
	}
}

// lineDiff lists the lines only in a (-), then those only in b (+), each
// in its listing's order (a repeated line counts as often as it appears).
func lineDiff(a, b []string) string {
	inB := map[string]int{}
	for _, l := range b {
		inB[l]++
	}
	inA := map[string]int{}
	for _, l := range a {
		inA[l]++
	}
	var out []string
	for _, l := range a {
		if inB[l] == 0 {
			out = append(out, "- "+l)
		} else {
			inB[l]--
		}
	}
	for _, l := range b {
		if inA[l] == 0 {
			out = append(out, "+ "+l)
		} else {
			inA[l]--
		}
	}
	return strings.Join(out, "\n")
}
