package server

// Diagnostic codes of this package (KC2100-KC2199; never reused). KC2102
// to KC2104 (unknown modparam, modparam type, modparam of a module not
// loaded) are retired: the checker's KC1003 to KC1005 report them once.
const (
	CodeUnknownModule = "KC2101" // loadmodule names a module kamgo does not implement
	CodeParamRefused  = "KC2105" // the module refused a parameter value
	CodeProvision     = "KC2106" // the module failed to provision
	CodeReload        = "KC2107" // reload refused: needs a restart
	CodeCoreParam     = "KC2108" // bad core parameter value
	CodePVTable       = "KC2109" // two modules register the same class
)

// Codes maps each code of this package to a one-line title.
var Codes = map[string]string{
	CodeUnknownModule: "loadmodule names a module kamgo does not implement",
	CodeParamRefused:  "the module refused a parameter value",
	CodeProvision:     "the module failed to provision",
	CodeReload:        "reload refused: the change needs a restart",
	CodeCoreParam:     "bad core parameter value",
	CodePVTable:       "two modules register the same pseudo-variable class",
}
