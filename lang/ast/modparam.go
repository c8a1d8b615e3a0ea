package ast

import "regexp"

var regexMeta = regexp.MustCompile(`[|*+?()\[\]^$\\{}]`)

// ModulePattern returns the regular expression a modparam's module name
// stands for when it has regular-expression characters (Kamailio then sets
// the parameter in every loaded module whose name matches it whole), or nil
// for a plain module name.
func (n *ModParam) ModulePattern() (*regexp.Regexp, error) {
	if !regexMeta.MatchString(n.Module) {
		return nil, nil
	}
	return regexp.Compile("^(" + n.Module + ")$")
}
