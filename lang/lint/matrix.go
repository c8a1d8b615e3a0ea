package lint

import (
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
)

// The preprocessor matrix lints a configuration once per combination of the
// names its #!ifdef, #!ifndef and #!ifexp lines test, each combination
// exactly as `kamgo lint -A NAME...` with the names that are on, and
// reports every finding once with the combinations it appears in.
//
// A name is varied when the configuration tests it and nothing else
// decides it: not a -A define (those stay fixed), not defined by any
// directive of the configuration (#!define, #!trydef, #!substdef,
// #!defexp ... in any branch: such names follow from the others), and not
// predefined by Kamailio (KAMAILIO_*, MOD_*). "On" is -A NAME, a define
// without a value (1 in an #!ifexp).

// MatrixOptions configure a matrix run.
type MatrixOptions struct {
	// Options are those of every combination; Options.Defines stay fixed
	// in all of them.
	Options
	// Max bounds the combinations run; 0 means MatrixMax. With more names
	// than Max combinations can hold, a sample is run (see Plan).
	Max int
	// Seed seeds the random part of a sample.
	Seed uint64
	// Workers is how many combinations run at once; 0 means GOMAXPROCS.
	Workers int
}

// MatrixResult is what a matrix run found.
type MatrixResult struct {
	// File is the configuration linted.
	File string
	// Names are the names varied, sorted; a Combination is indexed like
	// them.
	Names []string
	// Combos are the combinations run, in the order of Plan.
	Combos []Combination
	// Sampled is set when Combos is a sample of the 2^len(Names)
	// combinations rather than all of them.
	Sampled bool
	// Findings holds every finding once, sorted by position, with the
	// combinations it appears in.
	Findings []*MatrixFinding
	// Sources are the files read by any combination, for snippets.
	Sources diag.Sources
	// Failed lists the combinations in which the configuration has
	// errors (it does not preprocess, parse or check): their errors are
	// among the findings. Skipped lists those with syntax errors, where
	// the rules did not run.
	Failed, Skipped []int
}

// MatrixFinding is one finding with the combinations it appears in.
type MatrixFinding struct {
	*diag.Diagnostic
	// In lists indexes into MatrixResult.Combos, ascending.
	In []int
}

// On returns the names a combination turns on, sorted.
func (m *MatrixResult) On(c Combination) []string {
	out := []string{}
	for i, on := range c {
		if on {
			out = append(out, m.Names[i])
		}
	}
	return out
}

// comboResult is what one combination produced.
type comboResult struct {
	diags   diag.List
	sources diag.Sources
	skipped bool
}

// Matrix lints the file at path in every combination of the names it
// tests (a bounded sample beyond MatrixMax combinations), on a bounded
// pool of workers. What does not depend on the defines is shared by the
// combinations: the catalog, the files read (each is read once), the
// scan of their directives and the compiled rule selection.
func Matrix(path string, opts MatrixOptions) *MatrixResult {
	if opts.Catalog == nil {
		opts.Catalog = catalog.Load()
	}
	opts.Config = compiled(opts.Config)
	opts.directives = &directiveCache{}
	mx := &matrixRun{path: path, opts: opts.Options, files: &fileCache{data: map[string]fileEntry{}}}
	names := mx.names()
	combos, sampled := Plan(len(names), opts.Max, opts.Seed)
	res := &MatrixResult{File: path, Names: names, Combos: combos, Sampled: sampled, Sources: diag.Sources{}}

	results := make([]comboResult, len(combos))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(combos))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = mx.run(mx.defines(names, combos[i]))
			}
		}()
	}
	for i := range combos {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	res.merge(results)
	return res
}

// compiled returns a compiled copy of c, which the workers can share (a
// Config compiles itself on first use otherwise). A selection that does
// not compile runs the defaults, as Run does with it.
func compiled(c *Config) *Config {
	if c == nil {
		c = &Config{}
	}
	out := &Config{Checks: c.Checks, Severity: c.Severity, File: c.File}
	if out.compile() != nil {
		out = &Config{}
		_ = out.compile()
	}
	return out
}

// matrixRun holds what the combinations of one file share.
type matrixRun struct {
	path  string
	opts  Options
	files *fileCache
}

// defines returns the -A defines of a combination: the fixed ones, then
// the names it turns on.
func (mx *matrixRun) defines(names []string, c Combination) []string {
	out := append([]string{}, mx.opts.Defines...)
	for i, on := range c {
		if on {
			out = append(out, names[i])
		}
	}
	return out
}

// run lints the file with defines, as File does, reading files through
// the shared cache.
func (mx *matrixRun) run(defines []string) comboResult {
	cfg, diags, src := check.Analyze(mx.path, preproc.Options{Defines: defines, ReadFile: mx.files.read}, mx.opts.Catalog)
	o := mx.opts
	o.Defines = defines
	r := Run(cfg, diags, src, o)
	return comboResult{diags: r.Diags, sources: r.Sources, skipped: r.Skipped}
}

// names finds the names to vary (those #!ifexp reads only for a release
// that has #!ifexp). The files read with only the fixed
// defines are scanned first; names tested in files that only some names
// include are found by turning every name found so far on, until no new
// name appears (a few rounds at most).
func (mx *matrixRun) names() []string {
	fixed := map[string]bool{}
	for _, d := range mx.opts.Defines {
		n, _, _ := strings.Cut(d, "=")
		fixed[n] = true
	}
	tested, derived := map[string]bool{}, map[string]bool{}
	scanned := map[string]bool{}
	var names []string
	collect := func(src diag.Sources) bool {
		fresh := diag.Sources{}
		for f, text := range src {
			if !scanned[f] {
				scanned[f] = true
				fresh[f] = text
			}
		}
		if len(fresh) == 0 {
			return false
		}
		d := scanDirectives(&ast.Config{}, fresh, nil)
		for _, def := range d.Defines {
			derived[def.Name] = true
		}
		tests := d.Tests
		if mx.opts.Catalog.Directive("ifexp") {
			tests = append(append([]*Test{}, tests...), d.Exps...)
		}
		for _, t := range tests {
			tested[t.Name] = true
		}
		names = names[:0]
		for n := range tested {
			if !fixed[n] && !derived[n] && !strings.HasPrefix(n, "KAMAILIO_") && !strings.HasPrefix(n, "MOD_") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		return true
	}
	_, _, src := check.Analyze(mx.path, preproc.Options{Defines: mx.opts.Defines, ReadFile: mx.files.read}, mx.opts.Catalog)
	collect(src)
	for round := 0; round < 4 && len(names) > 0; round++ {
		all := make(Combination, len(names))
		for i := range all {
			all[i] = true
		}
		_, _, src := check.Analyze(mx.path, preproc.Options{Defines: mx.defines(names, all), ReadFile: mx.files.read}, mx.opts.Catalog)
		if !collect(src) {
			break
		}
	}
	return append([]string{}, names...)
}

// fileCache reads each file once for every combination: the files do not
// depend on the defines, only which of them are included does.
type fileCache struct {
	mu   sync.Mutex
	data map[string]fileEntry
}

type fileEntry struct {
	text []byte
	err  error
}

func (c *fileCache) read(path string) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.data[path]
	c.mu.Unlock()
	if ok {
		return e.text, e.err
	}
	text, err := preproc.ReadFile(path, preproc.DefaultMaxFileSize)
	c.mu.Lock()
	c.data[path] = fileEntry{text, err}
	c.mu.Unlock()
	return text, err
}

// merge gathers the findings of every combination, each once, in the
// order of the first combination that has it, then by position.
func (res *MatrixResult) merge(results []comboResult) {
	byKey := map[string]*MatrixFinding{}
	var order []*MatrixFinding
	// readers counts, per file, the combinations that read it and ran the
	// rules: a lint:ignore is unused only if it is unused in all of them.
	readers := map[string]int{}
	for i, r := range results {
		for f, text := range r.sources {
			res.Sources[f] = text
			if !r.skipped {
				readers[f]++
			}
		}
		if r.skipped {
			res.Skipped = append(res.Skipped, i)
		}
		failed := false
		for _, d := range r.diags {
			failed = failed || d.Severity == diag.Error && !strings.HasPrefix(d.Code, "KL")
			k := findingKey(d)
			f, ok := byKey[k]
			if !ok {
				f = &MatrixFinding{Diagnostic: d}
				byKey[k] = f
				order = append(order, f)
			}
			if n := len(f.In); n == 0 || f.In[n-1] != i {
				f.In = append(f.In, i)
			}
		}
		if failed {
			res.Failed = append(res.Failed, i)
		}
	}
	for _, f := range order {
		if f.Code == codeUnusedIgnore && len(f.In) < readers[f.Subject.File] {
			continue // used in some combination
		}
		res.Findings = append(res.Findings, f)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i].Subject, res.Findings[j].Subject
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start.Before(b.Start)
	})
}

// findingKey identifies a finding across combinations: everything a
// writer prints of it.
func findingKey(d *diag.Diagnostic) string {
	var b strings.Builder
	s := d.Subject
	pos := func(r diag.Range) {
		b.WriteString(r.File)
		for _, n := range []int{r.Start.Line, r.Start.Col, r.End.Line, r.End.Col} {
			b.WriteByte(0)
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(0)
		b.WriteString(r.Via)
		b.WriteByte(0)
	}
	pos(s)
	for _, x := range []string{d.Severity.String(), d.Code, d.Summary, d.Detail, d.Context} {
		b.WriteString(x)
		b.WriteByte(0)
	}
	for _, r := range d.Related {
		pos(r.Range)
		b.WriteString(r.Message)
		b.WriteByte(0)
	}
	return b.String()
}
