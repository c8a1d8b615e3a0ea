//go:build kamailio

package kamc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEnv is the environment every probe runs with; #!defenv probes read it.
var TestEnv = []string{"KAMGO_TEST_ENV=kamgo-env-value"}

const (
	startupTimeout = 3 * time.Second
	parallel       = 6
)

func repoDir(t *testing.T, rel string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// probe gives one config its full verdict: -c, then a real start if -c
// accepted it.
func probe(ctx context.Context, file string) (Verdict, error) {
	v, err := Check(ctx, file, TestEnv)
	if err != nil || !v.OK {
		return v, err
	}
	s, err := Startup(ctx, file, startupTimeout, TestEnv...)
	if err != nil {
		return v, err
	}
	if !s.OK {
		return s, nil
	}
	return v, nil
}

func rowOf(path string, v Verdict) Expect {
	e := Expect{Path: path, Verdict: "ok", Phase: v.Phase, Message: v.Message, Detail: v.Detail}
	if !v.OK {
		e.Verdict = "reject"
		e.Line, e.Col = v.Line, v.Col
	}
	return e
}

// forEach runs fn over items with bounded parallelism, keeping order.
func forEach[T any](items []string, fn func(string) (T, error)) ([]T, error) {
	out := make([]T, len(items))
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i], errs[i] = fn(it)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", items[i], err)
		}
	}
	return out, nil
}

func probeFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	for _, sub := range []string{"syntax", "semantic"} {
		m, err := filepath.Glob(filepath.Join(root, sub, "*.cfg"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

// corpusFiles lists Debian's shipped configs and the shared corpus, keyed
// by their recorded name.
func corpusFiles(t *testing.T) (names, files []string) {
	t.Helper()
	add := func(name, file string) { names, files = append(names, name), append(files, file) }
	if _, err := os.Stat("/etc/kamailio/kamailio.cfg"); err == nil {
		add("debian:/etc/kamailio/kamailio.cfg", "/etc/kamailio/kamailio.cfg")
	}
	var deb []string
	_ = filepath.WalkDir("/usr/share/doc/kamailio/examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".cfg") {
			deb = append(deb, p)
		}
		return nil
	})
	sort.Strings(deb)
	for _, p := range deb {
		add("debian:"+p, p)
	}
	corpus := repoDir(t, "../shared/corpus")
	var cs []string
	_ = filepath.WalkDir(corpus, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".cfg") {
			cs = append(cs, p)
		}
		return nil
	})
	sort.Strings(cs)
	for _, p := range cs {
		rel, _ := filepath.Rel(corpus, p)
		add("corpus:"+filepath.ToSlash(rel), p)
	}
	return names, files
}

// corpusRow checks a corpus config as is and as a copy with module paths
// pointed at Debian's module directory (run from the original's directory
// so its relative includes still resolve).
func corpusRow(ctx context.Context, tmp, name, file string) (Expect, error) {
	v, err := Check(ctx, file, TestEnv)
	if err != nil {
		return Expect{}, err
	}
	e := rowOf(name, v)
	e.Reason = "-"
	if !v.OK {
		e.Reason = Classify(Report{Message: v.Message, Detail: v.Detail})
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return Expect{}, err
	}
	cp := filepath.Join(tmp, strings.NewReplacer("/", "_", ":", "_").Replace(name))
	if err := os.WriteFile(cp, []byte(PointModulesAtDebian(string(src))), 0o644); err != nil {
		return Expect{}, err
	}
	m, err := CheckIn(ctx, cp, filepath.Dir(file), TestEnv)
	if err != nil {
		return Expect{}, err
	}
	e.VerdictMpath, e.LineMpath = "ok", 0
	if !m.OK {
		e.VerdictMpath, e.LineMpath, e.MessageMpath = "reject", m.Line, m.Message
		if m.Detail != "" && !strings.Contains(m.Detail, m.Message) {
			e.MessageMpath = m.Detail
		}
	}
	return e, nil
}

func TestRecord(t *testing.T) {
	if _, err := Path(); err != nil {
		t.Fatalf("the kamailio-tagged tests need the real Kamailio: %v", err)
	}
	ctx := context.Background()
	root := repoDir(t, "testdata/kamailio-c")
	expectPath := filepath.Join(root, "expect.tsv")
	corpusPath := filepath.Join(root, "corpus.tsv")
	start := time.Now()

	files := probeFiles(t, root)
	rows, err := forEach(files, func(f string) (Expect, error) {
		v, err := probe(ctx, f)
		rel, _ := filepath.Rel(root, f)
		return rowOf(filepath.ToSlash(rel), v), err
	})
	if err != nil {
		t.Fatal(err)
	}

	names, cfiles := corpusFiles(t)
	tmp := t.TempDir()
	byFile := map[string]string{}
	for i, f := range cfiles {
		byFile[f] = names[i]
	}
	crows, err := forEach(cfiles, func(f string) (Expect, error) {
		return corpusRow(ctx, tmp, byFile[f], f)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d probes, %d corpus configs in %s", len(rows), len(crows), time.Since(start).Round(time.Millisecond))

	if *update {
		writeTable(t, expectPath, ExpectColumns, rows)
		writeTable(t, corpusPath, CorpusColumns, crows)
		return
	}
	compare(t, expectPath, rows, false)
	compare(t, corpusPath, crows, true)
}

func writeTable(t *testing.T, path string, cols []string, rows []Expect) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteExpect(f, cols, rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// compare checks live verdicts against the recorded table, row by row.
// liveVaries names the probes whose live verdict depends on the machine,
// not on Kamailio: their recording is kept, and a live run that differs
// is logged, not failed.
var liveVaries = map[string]string{
	// evapi resolves its bind address in a child process after start-up;
	// how long the name lookup takes (DNS timeouts, machine load) decides
	// whether the failure lands inside the start-up window.
	"semantic/017-modparam-evapi-bad-bind.cfg": "the failing name lookup may outlast the start-up window",
}

func compare(t *testing.T, path string, live []Expect, corpus bool) {
	t.Helper()
	want, err := LoadExpect(path)
	if err != nil {
		t.Fatalf("%v (record it with -update)", err)
	}
	got := map[string]Expect{}
	for _, e := range live {
		got[e.Path] = e
	}
	if len(want) != len(live) {
		t.Errorf("%s: %d rows recorded, %d configs now", path, len(want), len(live))
	}
	for _, w := range want {
		g, ok := got[w.Path]
		if !ok {
			t.Errorf("%s: recorded but no longer present", w.Path)
			continue
		}
		if g.Verdict != w.Verdict || g.Line != w.Line || g.Col != w.Col || g.Phase != w.Phase || g.Message != w.Message {
			if why, ok := liveVaries[w.Path]; ok {
				t.Logf("%s: live verdict differs (%s): %s %q", w.Path, why, g.Verdict, g.Message)
				continue
			}
			t.Errorf("%s: live %s %d:%d %s %q, recorded %s %d:%d %s %q", w.Path,
				g.Verdict, g.Line, g.Col, g.Phase, g.Message, w.Verdict, w.Line, w.Col, w.Phase, w.Message)
		}
		if corpus && (g.VerdictMpath != w.VerdictMpath || g.LineMpath != w.LineMpath) {
			t.Errorf("%s: live mpath verdict %s %d, recorded %s %d", w.Path, g.VerdictMpath, g.LineMpath, w.VerdictMpath, w.LineMpath)
		}
	}
}
