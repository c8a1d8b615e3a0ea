package csrc

import (
	"regexp"
	"sort"
	"strings"
)

// The config grammar's facts the catalog records per release: the names
// core parameters are assigned by and the preprocessor's directives, read
// from the flex and bison sources (src/core/cfg.lex, src/core/cfg.y).

var (
	lexDef     = regexp.MustCompile(`(?m)^([A-Z_0-9]+)[ \t]+(.*)$`)
	lexWord    = regexp.MustCompile(`"([^"]+)"|\b([a-z_][a-z_0-9]*)\b`)
	lexReturn  = regexp.MustCompile(`<INITIAL>\{([A-Z_0-9]+)\}\s*\{[^}]*?return\s+([A-Z_0-9]+)\s*;`)
	lexPrep    = regexp.MustCompile(`\{PREP_START\}\{([A-Z_0-9]+)\}`)
	yaccAssign = regexp.MustCompile(`(?m)(?:^|\|)\s*([A-Z_0-9]+)\s+EQUAL\b`)
)

// lexSections splits cfg.lex into its definitions and its rules.
func (t Tree) lexSections() (defs map[string][]string, rules string, ok bool) {
	src, ok := t["src/core/cfg.lex"]
	if !ok {
		return nil, "", false
	}
	head, rules, ok := strings.Cut(src, "\n%%\n")
	if !ok {
		return nil, "", false
	}
	defs = map[string][]string{}
	for _, m := range lexDef.FindAllStringSubmatch(head, -1) {
		for _, w := range lexWord.FindAllStringSubmatch(m[2], -1) {
			defs[m[1]] = append(defs[m[1]], w[1]+w[2])
		}
	}
	return defs, rules, true
}

// CoreParams returns the words a core parameter assignment "word = value"
// may start with: the words of the lexer names whose token cfg.y's
// assign_stm rule assigns to. It includes the statements of that rule
// that are not parameters (loadpath, mpath, cfgengine).
func (t Tree) CoreParams() []string {
	defs, rules, ok := t.lexSections()
	y, ok2 := t["src/core/cfg.y"]
	if !ok || !ok2 {
		return nil
	}
	_, assign, _ := strings.Cut(y, "\nassign_stm:")
	if i := strings.Index(assign, "\n;\n"); i >= 0 {
		assign = assign[:i]
	}
	tokens := map[string]bool{}
	for _, m := range yaccAssign.FindAllStringSubmatch(assign, -1) {
		tokens[m[1]] = true
	}
	seen := map[string]bool{}
	for _, m := range lexReturn.FindAllStringSubmatch(rules, -1) {
		if tokens[m[2]] {
			for _, w := range defs[m[1]] {
				seen[w] = true
			}
		}
	}
	return sortedKeys(seen)
}

// Directives returns the words of the preprocessor directives ("#!word").
func (t Tree) Directives() []string {
	defs, rules, ok := t.lexSections()
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	for _, m := range lexPrep.FindAllStringSubmatch(rules, -1) {
		for _, w := range defs[m[1]] {
			seen[w] = true
		}
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
