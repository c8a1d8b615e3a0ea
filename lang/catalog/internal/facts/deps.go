package facts

import (
	"regexp"
	"strings"
	"sync"
)

// The README patterns are compiled on first use: only the generator reads
// READMEs, and every kamgo process links this package.
var (
	bullet  = lazyRegexp(`^\s*\*\s+([A-Za-z0-9_]+)\b(.*)$`)
	depHead = lazyRegexp(`^[0-9]+\.[0-9]+\. Kamailio Modules\s*$`)
	anyHead = lazyRegexp(`^[0-9]+\.[0-9]+\. `)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// ReadmeDeps takes the modules a module requires from the "Kamailio
// Modules" dependency section of its README: the bullet items of the
// first list naming a known module, leaving out those marked optional or
// conditional. Later paragraphs list modules for optional features.
func ReadmeDeps(readme, self string, known map[string]bool) []string {
	var deps []string
	seen := map[string]bool{}
	in, sawBullet := false, false
	for _, l := range strings.Split(readme, "\n") {
		switch {
		case depHead().MatchString(l):
			in = true
			continue
		case anyHead().MatchString(l):
			in = false
		}
		if !in {
			continue
		}
		if strings.TrimSpace(l) == "" && sawBullet {
			in = false
			continue
		}
		mm := bullet().FindStringSubmatch(l)
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
