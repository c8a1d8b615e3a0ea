package ast

import (
	"path"
	"regexp"
	"strings"
)

// regexMeta holds the characters that make a modparam's module name a
// regular expression.
const regexMeta = `|*+?()[]^$\{}`

// ModulePattern returns the regular expression a modparam's module name
// stands for when it has regular-expression characters (Kamailio then sets
// the parameter in every loaded module whose name matches it whole), or nil
// for a plain module name.
func (n *ModParam) ModulePattern() (*regexp.Regexp, error) {
	if !strings.ContainsAny(n.Module, regexMeta) {
		return nil, nil
	}
	return regexp.Compile("^(" + n.Module + ")$")
}

// ModuleName returns the module name a loadmodule path names:
// "evapi.so", "/usr/lib/kamailio/modules/evapi.so" and "evapi" all name
// "evapi".
func ModuleName(p string) string {
	return strings.TrimSuffix(path.Base(strings.TrimSpace(p)), ".so")
}

// Module returns the name of the module n loads.
func (n *LoadModule) Module() string { return ModuleName(n.Path) }
