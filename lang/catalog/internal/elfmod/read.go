// Package elfmod reads what installed Kamailio 5.6 module binaries
// export: each module's tables (struct module_exports as laid out by
// Kamailio 5.6 on x86-64, src/core/sr_module.h) straight out of the shared
// objects with debug/elf, the Debian package owning each from dpkg's file
// lists, and the modules each README requires.
package elfmod

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// Debian's paths for Kamailio's modules, their READMEs and dpkg's lists.
const (
	ModuleDir = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
	DocDir    = "/usr/share/doc/kamailio/modules"
	DpkgDir   = "/var/lib/dpkg/info"
)

// ReadDir reads every module .so in modDir, sorted by name, with its
// package and README dependencies. skipped names the .so files that
// declare no module_exports (libraries such as secsipid_proc.so).
func ReadDir(modDir, docDir, dpkgDir string) (mods []facts.Module, skipped []string, err error) {
	files, err := filepath.Glob(filepath.Join(modDir, "*.so"))
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no modules in %s", modDir)
	}
	owners := packageOwners(dpkgDir)
	for _, f := range files {
		m, err := readModule(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", f, err)
		}
		if m == nil {
			skipped = append(skipped, filepath.Base(f))
			continue
		}
		m.Package = owners[f]
		if m.Package == "" {
			m.Package = owners[filepath.Base(f)]
		}
		mods = append(mods, *m)
	}
	facts.SortModules(mods)
	known := map[string]bool{}
	for _, m := range mods {
		known[m.Name] = true
	}
	for i := range mods {
		mods[i].Deps = facts.ReadmeDeps(readReadme(filepath.Join(docDir, "README."+mods[i].Name)), mods[i].Name, known)
	}
	return mods, skipped, nil
}

// Offsets in the 5.6 x86-64 layouts of the exported structs.
const (
	expName, expCmds, expParams, expPVs = 0, 16, 24, 40

	cmdSize, cmdName, cmdParamNo, cmdFlags = 48, 0, 16, 40
	parSize, parName, parType              = 24, 0, 8
	pvSize, pvName, pvSetf                 = 72, 0, 32
	trSize, trName                         = 24, 0
)

// Kamailio 5.6's modparam_t bits (src/core/sr_module.h at 5.6.3).
var paramBits = []struct {
	raw uint32
	bit facts.ParamType
}{
	{1 << 0, facts.String}, {1 << 1, facts.Int}, {1 << 2, facts.Str},
	{1 << 3, facts.Var}, {1 << 31, facts.UseFunc},
}

func paramType(raw uint32) (facts.ParamType, error) {
	var t facts.ParamType
	for _, b := range paramBits {
		if raw&b.raw != 0 {
			t |= b.bit
			raw &^= b.raw
		}
	}
	if raw != 0 {
		return 0, fmt.Errorf("unknown modparam_t bits %#x", raw)
	}
	return t, nil
}

func readModule(path string) (*facts.Module, error) {
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
	m := &facts.Module{File: base}
	np, err := im.ptr(e + expName)
	if err != nil {
		return nil, err
	}
	if m.Name, err = im.cstring(np); err != nil {
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
		if n != facts.NoScript {
			m.Funcs = append(m.Funcs, facts.Func{Name: name, Args: int(n), Routes: uint32(fl)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pars, _ := im.ptr(e + expParams)
	err = im.eachNamed(pars, parSize, parName, func(a uint64, name string) error {
		raw, err := im.i32(a + parType)
		if err != nil {
			return err
		}
		t, err := paramType(uint32(raw))
		if err != nil {
			return fmt.Errorf("parameter %s: %v", name, err)
		}
		m.Params = append(m.Params, facts.Param{Name: name, Type: t})
		return nil
	})
	if err != nil {
		return nil, err
	}
	pvs, _ := im.ptr(e + expPVs)
	err = im.eachNamed(pvs, pvSize, pvName, func(a uint64, name string) error {
		setf, err := im.ptr(a + pvSetf)
		m.PVs = append(m.PVs, facts.PV{Name: name, Writable: setf != 0})
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
			m.Trans = append(m.Trans, name)
		}
	}
	return m, nil
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

// readReadme returns the text of a README, which Debian installs gzipped
// (path.gz) unless it is short, or "" when there is none (a module
// without README has no dependencies to report).
func readReadme(path string) string {
	if b, err := os.ReadFile(path); err == nil {
		return string(b)
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		return ""
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return ""
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return ""
	}
	return string(b)
}
