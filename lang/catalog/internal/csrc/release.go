package csrc

import (
	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// ReadRelease reads every module of a release's tree, sorted by name (and
// file: from 6.0 on ims_qos_npn.so declares the name ims_qos too),
// with the modules its README requires and its Debian package from pkgs
// (by .so base name; "" for modules not listed). Directories without
// module_exports (libraries such as secsipid_proc) are left out. The
// problems name every shape the reader did not know; the modules they
// concern may lack entries.
func ReadRelease(tree Tree, build *Build, pkgs map[string]string) ([]facts.Module, []Problem) {
	r, problems := NewReader(tree, build)
	var mods []facts.Module
	for _, dir := range tree.Modules() {
		m, ps := r.Module(dir)
		problems = append(problems, ps...)
		if m == nil {
			continue
		}
		m.Package = pkgs[dir]
		mods = append(mods, *m)
	}
	facts.SortModules(mods)
	known := map[string]bool{}
	for _, m := range mods {
		known[m.Name] = true
	}
	for i := range mods {
		mods[i].Deps = facts.ReadmeDeps(r.Readme(mods[i].File), mods[i].Name, known)
	}
	return mods, problems
}
