package lint

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// IDs of the findings about lint directives themselves.
const (
	codeUnusedIgnore = "KL9900"
	codeBadIgnore    = "KL9901"
)

// ignoreRe matches a lint directive alone on its line, after # or //:
//
//	# lint:ignore KL1001,KL2001 why the finding does not apply
var ignoreRe = lazyRegexp(`^\s*(?:#|//)\s*lint:ignore\b(.*)$`)

var codeRe = lazyRegexp(`^(KL\d{4}|KC\d{4}|[a-z][a-z0-9-]*)$`)

// directive is one lint:ignore comment.
type directive struct {
	file   string
	line   int // of the comment
	target int // the line it applies to: the next line that is not a comment or blank
	codes  []string
	used   map[string]bool
	rng    diag.Range
}

// scanIgnores reads the lint:ignore comments of every source, reporting
// malformed ones.
func scanIgnores(src diag.Sources, bad *diag.List) []*directive {
	files := make([]string, 0, len(src))
	for f := range src {
		files = append(files, f)
	}
	sort.Strings(files)
	var out []*directive
	for _, file := range files {
		text := src[file]
		if !bytes.Contains(text, []byte("lint:ignore")) {
			continue
		}
		lines := strings.Split(string(text), "\n")
		var pending []*directive
		for i, line := range lines {
			m := ignoreRe().FindStringSubmatch(line)
			if m == nil {
				t := strings.TrimSpace(line)
				if t == "" || strings.HasPrefix(t, "#") && !strings.HasPrefix(t, "#!") || strings.HasPrefix(t, "//") {
					continue
				}
				for _, d := range pending {
					d.target = i + 1
				}
				pending = nil
				continue
			}
			col := strings.Index(line, "lint:ignore") + 1
			rng := diag.Range{File: file, Start: diag.Pos{Line: i + 1, Col: col}, End: diag.Pos{Line: i + 1, Col: len(line) + 1}}
			text := m[1]
			if i := strings.Index(text, " #"); i >= 0 {
				text = text[:i] // a comment after the directive is not its reason
			}
			fields := strings.Fields(text)
			if len(fields) < 2 {
				d := bad.Add(diag.Warning, codeBadIgnore, rng, "lint:ignore needs the rules to silence and a reason", "")
				d.Detail = "write: # lint:ignore KL1001 why the finding does not apply"
				continue
			}
			d := &directive{file: file, line: i + 1, used: map[string]bool{}, rng: rng}
			ok := true
			for _, c := range strings.Split(fields[0], ",") {
				if !codeRe().MatchString(c) {
					bad.Add(diag.Warning, codeBadIgnore, rng, "lint:ignore: "+c+" is not a rule ID, rule name or check code", "")
					ok = false
					break
				}
				if r, found := Lookup(c); found {
					c = r.ID
				} else if !strings.HasPrefix(c, "KC") {
					bad.Add(diag.Warning, codeBadIgnore, rng, "lint:ignore: unknown rule "+c, "")
					ok = false
					break
				}
				d.codes = append(d.codes, c)
			}
			if ok {
				out = append(out, d)
				pending = append(pending, d)
			}
		}
	}
	return out
}

// suppress drops the findings a lint:ignore directive silences, applies
// the configured severities to check's warnings, and adds a finding for
// every directive that silenced nothing. Check's errors are never
// silenced: they are Kamailio's verdict.
func suppress(all diag.List, src diag.Sources, conf *Config) diag.List {
	var extra diag.List
	dirs := scanIgnores(src, &extra)
	byLine := map[string][]*directive{}
	key := func(file string, line int) string { return file + "\x00" + strconv.Itoa(line) }
	for _, d := range dirs {
		byLine[key(d.file, d.target)] = append(byLine[key(d.file, d.target)], d)
	}
	out := make(diag.List, 0, len(all))
	for _, d := range all {
		if !strings.HasPrefix(d.Code, "KL") {
			d.Severity = conf.checkSeverity(d)
		}
		silenced := false
		if d.Severity != diag.Error || strings.HasPrefix(d.Code, "KL") {
			for _, dir := range byLine[key(d.Subject.File, d.Subject.Start.Line)] {
				for _, c := range dir.codes {
					if c == d.Code {
						dir.used[c] = true
						silenced = true
					}
				}
			}
		}
		if !silenced {
			out = append(out, d)
		}
	}
	unusedRule, _ := Lookup(codeUnusedIgnore)
	badRule, _ := Lookup(codeBadIgnore)
	if badRule != nil && conf.Enabled(badRule) {
		for _, d := range extra {
			d.Severity = conf.SeverityOf(badRule)
			out = append(out, d)
		}
	}
	if unusedRule != nil && conf.Enabled(unusedRule) {
		for _, dir := range dirs {
			for _, c := range dir.codes {
				if dir.used[c] {
					continue
				}
				if r, ok := Lookup(c); ok && !conf.Enabled(r) {
					continue // the rule did not run: nothing to tell
				}
				d := out.Add(conf.SeverityOf(unusedRule), codeUnusedIgnore, dir.rng, "lint:ignore "+c+" silences nothing on the next line", "")
				d.Detail = "remove the directive, or move it above the line the finding is on"
			}
		}
	}
	return out
}
