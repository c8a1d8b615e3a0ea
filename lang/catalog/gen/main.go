// Command gen rebuilds lang/catalog/catalog_gen.go from the Kamailio modules
// installed on this machine. It reads each module's exported tables
// (struct module_exports as laid out by Kamailio 5.6, src/core/sr_module.h)
// straight out of the shared objects with debug/elf, so no Kamailio source
// or running server is needed. Facts that live in code rather than in tables
// (event route names, fixed pseudo-variable names, transformation operators,
// the core) come from ../overrides.txt and ../core.txt; gen cross-checks the
// module events there against strings found in the binaries.
//
// Usage (from lang/catalog): go run ./gen [-modules DIR] [-docs DIR] [-o FILE]
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	modDir := flag.String("modules", "/usr/lib/x86_64-linux-gnu/kamailio/modules", "directory of Kamailio module .so files")
	docDir := flag.String("docs", "/usr/share/doc/kamailio/modules", "directory of README.<module>.gz files (for module dependencies)")
	dpkgDir := flag.String("dpkg", "/var/lib/dpkg/info", "dpkg info directory (for the package owning each module)")
	out := flag.String("o", "catalog_gen.go", "output Go file")
	overrides := flag.String("overrides", "overrides.txt", "override file to cross-check event names against the binaries")
	flag.Parse()
	if err := run(*modDir, *docDir, *dpkgDir, *out, *overrides); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type module struct {
	name, file, pkg string
	deps            []string
	funcs           []fn
	params          []param
	pvs             []pv
	trans           []string
	strs            map[string]bool // "module:word" strings seen in the binary
}

type fn struct {
	name   string
	args   int
	routes uint32
}

type param struct {
	name string
	typ  uint32
}

type pv struct {
	name     string
	writable bool
}

func run(modDir, docDir, dpkgDir, out, overrides string) error {
	files, err := filepath.Glob(filepath.Join(modDir, "*.so"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no modules in %s", modDir)
	}
	owners := packageOwners(dpkgDir)
	var mods []*module
	for _, f := range files {
		m, err := readModule(f)
		if err != nil {
			return fmt.Errorf("%s: %v", f, err)
		}
		if m == nil {
			fmt.Fprintf(os.Stderr, "gen: %s: no module_exports (not a module), skipped\n", filepath.Base(f))
			continue
		}
		m.pkg = owners[f]
		if m.pkg == "" {
			m.pkg = owners[filepath.Base(f)]
		}
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].name < mods[j].name })
	known := map[string]bool{}
	for _, m := range mods {
		known[m.name] = true
	}
	for _, m := range mods {
		m.deps = readmeDeps(filepath.Join(docDir, "README."+m.name+".gz"), m.name, known)
	}
	checkEvents(mods, overrides)
	src := render(mods)
	return os.WriteFile(out, []byte(src), 0o644)
}

// Offsets in the 5.6 x86-64 layouts of the exported structs.
const (
	expName, expCmds, expParams, expPVs = 0, 16, 24, 40

	cmdSize, cmdName, cmdParamNo, cmdFlags = 48, 0, 16, 40
	parSize, parName, parType              = 24, 0, 8
	pvSize, pvName, pvSetf                 = 72, 0, 32
	trSize, trName                         = 24, 0

	noScript = -1 // NO_SCRIPT: exported for other modules only
)

func readModule(path string) (*module, error) {
	im, err := openImage(path)
	if err != nil {
		return nil, err
	}
	defer im.Close()
	base := strings.TrimSuffix(filepath.Base(path), ".so")
	sym, ok := im.symbol("exports")
	if !ok {
		// The core falls back to "_<name>_exports" (src/core/sr_module.c, load_module).
		if sym, ok = im.symbol("_" + base + "_exports"); !ok {
			return nil, nil
		}
	}
	e := sym.Value
	m := &module{file: base, strs: map[string]bool{}}
	np, err := im.ptr(e + expName)
	if err != nil {
		return nil, err
	}
	if m.name, err = im.cstring(np); err != nil {
		return nil, fmt.Errorf("module name: %v", err)
	}
	cmds, _ := im.ptr(e + expCmds)
	err = im.eachNamed(cmds, cmdSize, cmdName, func(a uint64, name string) error {
		n, err := im.i32(a + cmdParamNo)
		if err != nil {
			return err
		}
		fl, err := im.i32(a + cmdFlags)
		if err != nil {
			return err
		}
		if n != noScript {
			m.funcs = append(m.funcs, fn{name, int(n), uint32(fl)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pars, _ := im.ptr(e + expParams)
	err = im.eachNamed(pars, parSize, parName, func(a uint64, name string) error {
		t, err := im.i32(a + parType)
		m.params = append(m.params, param{name, uint32(t)})
		return err
	})
	if err != nil {
		return nil, err
	}
	pvs, _ := im.ptr(e + expPVs)
	err = im.eachNamed(pvs, pvSize, pvName, func(a uint64, name string) error {
		setf, err := im.ptr(a + pvSetf)
		m.pvs = append(m.pvs, pv{name, setf != 0})
		return err
	})
	if err != nil {
		return nil, err
	}
	tables, err := im.callArgTables("register_trans_mod")
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		for a := t; ; a += trSize {
			np, err := im.ptr(a + trName)
			if err != nil || np == 0 {
				break
			}
			name, err := im.cstring(np)
			if err != nil {
				break
			}
			m.trans = append(m.trans, name)
		}
	}
	collectStrings(im, m)
	return m, nil
}

var eventLike = regexp.MustCompile(`^[a-z0-9_]+:[a-zA-Z0-9_.:-]*$`)

// hasString reports whether the binary holds the event name, or for a
// prefix pattern ("name:*") a string starting with the prefix.
func (m *module) hasString(ev string) bool {
	if p, ok := strings.CutSuffix(ev, "*"); ok {
		for s := range m.strs {
			if strings.HasPrefix(s, p) {
				return true
			}
		}
		return false
	}
	return m.strs[ev]
}

// collectStrings keeps the read-only strings that look like "module:name",
// the shape of event_route names, for cross-checking overrides.txt.
func collectStrings(im *image, m *module) {
	s := im.f.Section(".rodata")
	if s == nil {
		return
	}
	b, err := s.Data()
	if err != nil {
		return
	}
	for _, w := range strings.Split(string(b), "\x00") {
		if eventLike.MatchString(w) {
			m.strs[w] = true
		}
	}
}

// packageOwners maps module paths (and base names) to the Debian package
// that installed them, from dpkg's *.list files.
func packageOwners(dir string) map[string]string {
	out := map[string]string{}
	lists, _ := filepath.Glob(filepath.Join(dir, "kamailio*.list"))
	for _, l := range lists {
		pkg := strings.TrimSuffix(filepath.Base(l), ".list")
		pkg = strings.SplitN(pkg, ":", 2)[0]
		f, err := os.Open(l)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			p := sc.Text()
			if strings.HasSuffix(p, ".so") && strings.Contains(p, "/kamailio/modules/") {
				out[p] = pkg
				out[filepath.Base(p)] = pkg
			}
		}
		f.Close()
	}
	return out
}

var bullet = regexp.MustCompile(`^\s*\*\s+([A-Za-z0-9_]+)\b(.*)$`)

// readmeDeps takes the required modules from the "Kamailio Modules"
// dependency section of a module README: bullet items naming a known module,
// leaving out the ones marked optional or conditional.
func readmeDeps(path, self string, known map[string]bool) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	head := regexp.MustCompile(`^[0-9]+\.[0-9]+\. Kamailio Modules\s*$`)
	anyHead := regexp.MustCompile(`^[0-9]+\.[0-9]+\. `)
	var deps []string
	seen := map[string]bool{}
	in, sawBullet := false, false
	for _, l := range lines {
		switch {
		case head.MatchString(l):
			in = true
			continue
		case anyHead.MatchString(l):
			in = false
		}
		if !in {
			continue
		}
		if strings.TrimSpace(l) == "" && sawBullet {
			// Only the first list names hard requirements; later paragraphs
			// list modules needed for optional features.
			in = false
			continue
		}
		mm := bullet.FindStringSubmatch(l)
		if mm == nil {
			continue
		}
		sawBullet = true
		name := strings.ToLower(mm[1])
		rest := strings.ToLower(mm[2])
		if !known[name] || name == self || seen[name] {
			continue
		}
		if strings.Contains(rest, "optional") || strings.Contains(rest, " if ") ||
			strings.Contains(rest, "only") || strings.Contains(rest, "when ") {
			continue
		}
		seen[name] = true
		deps = append(deps, name)
	}
	return deps
}

// checkEvents reports event names in the override file that the owning
// module's binary does not contain, and "module:name" strings in binaries
// that the override file does not list (candidates to check in the source).
func checkEvents(mods []*module, path string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v (event cross-check skipped)\n", err)
		return
	}
	defer f.Close()
	byName := map[string]*module{}
	for _, m := range mods {
		byName[m.name] = m
	}
	listed := map[string]bool{}
	cur := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		switch fs[0] {
		case "module":
			cur = fs[1]
		case "event":
			listed[fs[1]] = true
			if m := byName[cur]; m != nil && !m.hasString(fs[1]) {
				fmt.Fprintf(os.Stderr, "gen: event %s of %s not found as a string in %s.so\n", fs[1], cur, m.file)
			}
		}
	}
	for _, m := range mods {
		var cand []string
		for s := range m.strs {
			if strings.HasPrefix(s, m.name+":") && !strings.HasSuffix(s, ":") && !listed[s] {
				cand = append(cand, s)
			}
		}
		sort.Strings(cand)
		for _, c := range cand {
			fmt.Fprintf(os.Stderr, "gen: unlisted candidate event string %s in %s.so\n", c, m.file)
		}
	}
}

func render(mods []*module) string {
	var b strings.Builder
	b.WriteString("// Code generated by \"go run ./gen\" from the installed Kamailio 5.6.3 module binaries; DO NOT EDIT.\n\n")
	b.WriteString("package catalog\n\n")
	b.WriteString("// genModules holds, per module, what its module_exports tables say.\n")
	b.WriteString("// Fields: name (module_exports.name), .so file, package, dependencies.\n")
	b.WriteString("// Funcs: {name, param_no (-128 = variadic), route flags}; Params: {name, modparam_t type bits}.\n")
	b.WriteString("var genModules = [...]genModule{\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "\t{%q, %q, %q, %s,\n", m.name, m.file, m.pkg, strList(m.deps))
		b.WriteString("\t\t[]genFunc{")
		for i, f := range m.funcs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%q, %d, %#x}", f.name, f.args, f.routes)
		}
		b.WriteString("},\n\t\t[]genParam{")
		for i, p := range m.params {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%q, %#x}", p.name, p.typ)
		}
		b.WriteString("},\n\t\t[]genPV{")
		for i, p := range m.pvs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%q, %v}", p.name, p.writable)
		}
		fmt.Fprintf(&b, "},\n\t\t%s},\n", strList(m.trans))
	}
	b.WriteString("}\n")
	return b.String()
}

func strList(s []string) string {
	if len(s) == 0 {
		return "nil"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
