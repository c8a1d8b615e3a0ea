package catalog

import (
	_ "embed" // the data files
	"strconv"
	"strings"
	"sync"
)

// The data files (overrides.txt, core.txt, fixups.txt) hold one fact a
// line. A fact holds in every release unless the line starts with
// release qualifiers:
//
//	since 5.7 event tm:local-ack-sent    from 5.7 on
//	until 5.8 param foo int              up to and including 5.8
//
// Both may be given (since first). A "module" line of overrides.txt may
// be qualified too; its range then bounds every fact under it.

// fact is one line of a data file: its fields after the qualifiers, and
// the releases (indexes into releaseTable, inclusive) it holds in.
type fact struct {
	file   string
	line   int
	fields []string
	lo, hi int
}

func (f fact) holds(rel int) bool { return rel >= f.lo && rel <= f.hi }

func (f fact) where() string { return f.file + ":" + strconv.Itoa(f.line) }

// parsedFile is a data file read once for every release.
type parsedFile struct {
	facts    []fact
	problems []string
}

var (
	//go:embed overrides.txt
	overridesTxt string
	//go:embed core.txt
	coreTxt string
	//go:embed fixups.txt
	fixupsTxt string

	parseOnce                           sync.Once
	overridesData, coreData, fixupsData parsedFile
)

// dataFiles returns the three data files, parsed.
func dataFiles() (overrides, core, fixups *parsedFile) {
	parseOnce.Do(func() {
		overridesData = parseFacts("overrides.txt", overridesTxt)
		coreData = parseFacts("core.txt", coreTxt)
		fixupsData = parseFacts("fixups.txt", fixupsTxt)
	})
	return &overridesData, &coreData, &fixupsData
}

// releaseIndex returns the position of a release name in releaseTable.
func releaseIndex(name string) (int, bool) {
	for i, r := range releaseTable {
		if r.name == name {
			return i, true
		}
	}
	return 0, false
}

// parseFacts splits a data file into facts, reading the qualifiers.
func parseFacts(file, s string) parsedFile {
	// One fact a line at most: sized once, as every process reads the files.
	p := parsedFile{facts: make([]fact, 0, strings.Count(s, "\n")+1)}
	n := 0
	for len(s) > 0 {
		n++
		var l string
		l, s, _ = strings.Cut(s, "\n")
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		fs := strings.Fields(l)
		if len(fs) == 0 {
			continue
		}
		f := fact{file: file, line: n, lo: 0, hi: len(releaseTable) - 1}
		bad := false
		for _, q := range []string{"since", "until"} {
			if len(fs) < 3 || fs[0] != q {
				continue
			}
			r, ok := releaseIndex(fs[1])
			if !ok {
				p.problems = append(p.problems, f.where()+": unknown release "+fs[1])
				bad = true
				break
			}
			if q == "since" {
				f.lo = r
			} else {
				f.hi = r
			}
			fs = fs[2:]
		}
		if bad {
			continue
		}
		if f.lo > f.hi {
			p.problems = append(p.problems, f.where()+": holds in no release")
			continue
		}
		f.fields = fs
		p.facts = append(p.facts, f)
	}
	return p
}
