// Package facts holds what a Kamailio module's export tables say, in the
// one form both readers produce (the C source reader for every release,
// the ELF reader for Debian's 5.6.3 binaries): a plain-text listing to
// compare them line by line, and the compact encoding the catalog embeds
// and decodes one module at a time.
package facts

import "sort"

// Module is one module's exports.
type Module struct {
	Name    string // module_exports.name, what modparam takes
	File    string // the .so base name (the source directory)
	Package string // the Debian package shipping it in 5.6.3, or ""
	Deps    []string
	Funcs   []Func
	Params  []Param
	PVs     []PV
	Trans   []string
}

// Func is one cmd_export_t entry usable from a script.
type Func struct {
	Name   string
	Args   int    // VarArgs for VAR_PARAM_NO
	Routes uint32 // route type bits; AnyRoute for ANY_ROUTE
}

// Kamailio's values (src/core/sr_module.h, route.h), the same in every
// release read.
const (
	VarArgs  = -128       // VAR_PARAM_NO
	NoScript = -1         // NO_SCRIPT: for other modules, not the script
	AnyRoute = 0xFFFFFFFF // ANY_ROUTE
)

// Param is one param_export_t entry.
type Param struct {
	Name string
	Type ParamType
}

// ParamType is a modparam_t with bits of its own: Kamailio moved PARAM_VAR
// between releases, so readers translate with the release's macros.
type ParamType uint8

// Parameter type bits.
const (
	String  ParamType = 1 << iota // PARAM_STRING: char*
	Int                           // PARAM_INT
	Str                           // PARAM_STR: str
	Var                           // PARAM_VAR
	UseFunc                       // PARAM_USE_FUNC: each value goes to a function
	UseShm                        // PARAM_USE_SHM
)

// PV is one pv_export_t entry.
type PV struct {
	Name     string
	Writable bool // it has a setter
	// Named: it has a name parser (parse_name), so Kamailio wants an
	// inner name ($class(name)) and refuses none; without one it refuses
	// a name. Read for the cross-check of overrides.txt's named and
	// unnamed facts, which hold it: it is not packed.
	Named bool
}

// ParamMacros lists the modparam_t macros by the bit they become.
var ParamMacros = []struct {
	Macro string
	Bit   ParamType
}{
	{"PARAM_STRING", String}, {"PARAM_INT", Int}, {"PARAM_STR", Str},
	{"PARAM_VAR", Var}, {"PARAM_USE_FUNC", UseFunc}, {"PARAM_USE_SHM", UseShm},
}

// SortModules sorts modules by name, then by file: two .so files may
// declare one module name.
func SortModules(mods []Module) {
	sort.SliceStable(mods, func(i, j int) bool {
		if mods[i].Name != mods[j].Name {
			return mods[i].Name < mods[j].Name
		}
		return mods[i].File < mods[j].File
	})
}
