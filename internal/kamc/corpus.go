package kamc

import (
	"regexp"
	"strings"
)

// Reasons a corpus config is rejected.
const (
	ReasonSyntax        = "syntax"         // a parse error in the language itself
	ReasonModuleMissing = "module-missing" // a loadmodule that cannot be found or opened
	ReasonSemantic      = "semantic"       // unknown function/param/pvar etc. with the module present
	ReasonOther         = "other"
)

var reasonRules = []struct {
	reason string
	re     *regexp.Regexp
}{
	{ReasonModuleMissing, regexp.MustCompile(`could not find module|could not open module|failed to load module|cannot open shared object`)},
	{ReasonOther, regexp.MustCompile(`cannot open included file|too many includes`)},
	{ReasonSyntax, regexp.MustCompile(`syntax error|bad command|missing ';'|unexpected EOF|not allowed|already defined|different number of preprocessor directives|must be between quotes|error at \S+ line|no separator found|bad subst expression`)},
	{ReasonSemantic, regexp.MustCompile(`failed to find command|unknown command|misused command|cannot be used in the block|Can't set module parameter|not found in module|No module matching|unknown config variable|duplicate route|Can't get from cache|error searching pvar|invalid name param|type mismatch|flag not declared|register flag failed|read only pvar|transformation|number expected|expected`)},
}

// Classify names why a rejected run failed, from its first error line
// (later lines are often cascades of the first).
func Classify(r Report) string {
	first := r.Detail
	if first == "" {
		first = r.Message
	}
	for _, text := range []string{first, r.Message} {
		for _, rule := range reasonRules {
			if rule.re.MatchString(text) {
				return rule.reason
			}
		}
	}
	return ReasonOther
}

// ModuleDir is where Debian's Kamailio 5.6.3 keeps its modules.
const ModuleDir = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

var (
	mpathRE      = regexp.MustCompile(`(?m)^(\s*(?:mpath|loadpath)\s*=?\s*)"[^"\n]*"`)
	absModuleRE  = regexp.MustCompile(`(?m)^(\s*loadmodule\s*)"[^"\n]*/([^"/\n]+)"`)
	definePathRE = regexp.MustCompile(`(?m)^(\s*#!(?:define|substdef)\s.*?)/usr/(?:local/)?lib(?:64)?/(?:x86_64-linux-gnu/)?(?:kamailio|openser)/modules(/?)`)
)

// PointModulesAtDebian rewrites mpath/loadpath values and loadmodule paths
// with a directory (absolute or relative, such as "modules/tm/tm.so") so a
// config written for another install looks for its modules in ModuleDir.
// Line numbers are unchanged.
func PointModulesAtDebian(src string) string {
	src = mpathRE.ReplaceAllString(src, `${1}"`+ModuleDir+`"`)
	src = absModuleRE.ReplaceAllString(src, `${1}"${2}"`)
	src = definePathRE.ReplaceAllString(src, `${1}`+strings.TrimSuffix(ModuleDir, "/")+`${2}`)
	return src
}
