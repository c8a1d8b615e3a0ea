package catalog

import (
	"fmt"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// releaseData is one row of the generated releaseTable.
type releaseData struct {
	name, tag string
	index     string // packed index (internal/facts)
}

// Releases returns the Kamailio releases the catalog knows, oldest first
// ("5.6", "5.7", ...).
func Releases() []string {
	out := make([]string, len(releaseTable))
	for i, r := range releaseTable {
		out[i] = r.name
	}
	return out
}

// NewestRelease is the newest release kamgo knows ("6.1").
func NewestRelease() string { return releaseTable[len(releaseTable)-1].name }

// DefaultRelease is the release Load returns.
const DefaultRelease = "5.6"

// release is what the catalog knows of one release. It is built once and
// shared by every catalog of the release; modules are decoded from the
// packed data the first time one is asked for.
type release struct {
	num       int
	name, tag string
	packed    *facts.Release

	// Facts of the data files that hold in this release.
	modFacts   map[int][]fact // overrides.txt, by module number
	fixupFacts map[int][]fact // fixups.txt, by module number
	events     map[string]int // event name -> module number
	evPrefix   []eventPrefix
	core       coreFacts
	problems   []string

	mods        []*Module
	modProblems [][]string
	modOnce     []sync.Once
}

type eventPrefix struct {
	prefix string
	mod    int // module number, or -1 for the core
}

var releases [len(releaseTable)]struct {
	once sync.Once
	rel  *release
	err  error
	// The catalogs LoadRelease and Load return.
	all, debian *Catalog
}

// LoadRelease returns the catalog of a release named as Releases names
// them: every module under src/modules at the release's tag, Debian's or
// not. The result is shared: callers must not modify it.
func LoadRelease(name string) (*Catalog, error) {
	i, ok := releaseIndex(name)
	if !ok {
		return nil, fmt.Errorf("unknown Kamailio release %q (known: %s)", name, strings.Join(Releases(), ", "))
	}
	if _, err := loadRelease(i); err != nil {
		return nil, err
	}
	return releases[i].all, nil
}

// Load returns Kamailio 5.6.3 as Debian 12 ships it: the "5.6" release
// with only the modules a Debian package ships, the reference the
// differential tests were recorded against. The result is shared:
// callers must not modify it.
func Load() *Catalog {
	i, _ := releaseIndex(DefaultRelease)
	if _, err := loadRelease(i); err != nil {
		panic("catalog: " + err.Error()) // the generated data is broken
	}
	return releases[i].debian
}

func loadRelease(i int) (*release, error) {
	s := &releases[i]
	s.once.Do(func() {
		s.rel, s.err = openRelease(i)
		if s.err == nil {
			s.all = &Catalog{rel: s.rel}
			s.debian = &Catalog{rel: s.rel, debian: true}
		}
	})
	return s.rel, s.err
}

func openRelease(i int) (*release, error) {
	d := releaseTable[i]
	p, err := facts.Open(factStrings, factRecords, d.index)
	if err != nil {
		return nil, fmt.Errorf("release %s: %v", d.name, err)
	}
	r := &release{
		num: i, name: d.name, tag: d.tag, packed: p,
		modFacts: map[int][]fact{}, fixupFacts: map[int][]fact{}, events: map[string]int{},
		mods: make([]*Module, p.Len()), modProblems: make([][]string, p.Len()), modOnce: make([]sync.Once, p.Len()),
	}
	overrides, core, fixups := dataFiles()
	r.problems = append(r.problems, overrides.problems...)
	r.problems = append(r.problems, core.problems...)
	r.problems = append(r.problems, fixups.problems...)
	r.readOverrides(overrides.facts)
	r.readFixups(fixups.facts)
	r.readCore(core.facts)
	return r, nil
}

func (r *release) problem(f fact, msg string) {
	r.problems = append(r.problems, f.where()+": "+msg)
}

// find returns the number of the module a data file names: the module
// with that name (the one whose file is also that name when two share
// it), else the module with that .so file.
func (r *release) find(name string) (int, bool) {
	p := r.packed
	if i, ok := p.Find(name); ok {
		for k := i; k < p.Len() && p.Name(k) == name; k++ {
			if p.File(k) == name {
				return k, true
			}
		}
		return i, true
	}
	for k := 0; k < p.Len(); k++ {
		if p.File(k) == name {
			return k, true
		}
	}
	return 0, false
}
