package lint

import (
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// Preprocessor directives: what #!define really defines, what #!ifdef
// really tests.
func init() {
	register(
		&Rule{
			ID: "KL4001", Name: "define-swallows-comment", Severity: diag.Warning, Default: true,
			Title: "#!define value holds a trailing comment",
			Doc: `A #!define takes everything up to the end of the line as its value,
comments included: in "#!define TIMEOUT 30 # seconds" the value is
"30 # seconds". Where TIMEOUT is used, the # starts a comment that hides
the rest of that line, such as a closing parenthesis or the semicolon.
Put the comment on its own line. A define whose value is only a comment
and that is only tested by #!ifdef is harmless and not reported.`,
			Bad: `#!define TIMEOUT 30 # seconds
loadmodule "pv.so"
request_route {
	$var(t) = TIMEOUT
	;
}`,
			Good: `# seconds
#!define TIMEOUT 30
loadmodule "pv.so"
request_route {
	$var(t) = TIMEOUT;
}`,
			Run: runDefineComment,
		},
		&Rule{
			ID: "KL4002", Name: "ifdef-undefined", Severity: diag.Warning, Default: true,
			Title: "#!ifdef tests a name that is defined nowhere",
			Doc: `The name tested by #!ifdef or #!ifndef is not defined by any #!define of
the config and its included files, nor predefined, and it looks like a
misspelling of a name that is, or of a switch the config documents in its
comments (a name to set with -A). The branch is then always skipped
(#!ifdef) or always taken (#!ifndef). A name close to no other is taken
as a switch or as a block kept as a comment, and not reported.`,
			Bad: `#!define WITH_DEBUG
loadmodule "xlog.so"
request_route {
#!ifdef WITH_DEBGU
	xlog("L_INFO", "request\n");
#!endif
	exit;
}`,
			Good: `#!define WITH_DEBUG
loadmodule "xlog.so"
request_route {
#!ifdef WITH_DEBUG
	xlog("L_INFO", "request\n");
#!endif
	exit;
}`,
			Run: runIfdefUndefined,
		},
		&Rule{
			ID: "KL4003", Name: "unused-define", Severity: diag.Info, Default: false,
			Title: "#!define never used",
			Doc: `The name is defined but never written in the config where it would be
expanded, never tested by #!ifdef and never used in another define's value.
It may be a leftover, or a name meant to be used in a string (where
defines are not expanded, see KL4004). Off by default: shared configs
often define more than each file uses.`,
			Bad: `#!define MAX_FORWARDS 10
loadmodule "maxfwd.so"
request_route {
	mf_process_maxfwd_header("10");
}`,
			Good: `#!define MAX_FORWARDS "10"
loadmodule "maxfwd.so"
request_route {
	mf_process_maxfwd_header(MAX_FORWARDS);
}`,
			Run: runUnusedDefine,
		},
		&Rule{
			ID: "KL4004", Name: "define-in-string", Severity: diag.Warning, Default: true,
			Title: "#!define name written inside a string",
			Doc: `Defines are expanded in the config's code, not inside string literals: in
"sip:GATEWAY" the word GATEWAY stays as it is. A string that is exactly a
defined name, or that holds one as part of an address or URL, almost
always meant the value. Write the define outside the quotes (its value
may itself be a quoted string, and adjacent strings are joined), or use
#!substdef, which also substitutes inside strings.`,
			Bad: `#!define GATEWAY "10.0.0.1"
loadmodule "pv.so"
request_route {
	$du = "sip:GATEWAY:5060";
}`,
			Good: `#!substdef "/GATEWAY/10.0.0.1/"
loadmodule "pv.so"
request_route {
	$du = "sip:GATEWAY:5060";
}`,
			Run: runDefineInString,
		},
		&Rule{
			ID: "KL4005", Name: "define-semicolon", Severity: diag.Warning, Default: true,
			Title: "#!define value ends with a semicolon",
			Doc: `The value of a #!define is the rest of the line, so a C-style trailing ;
becomes part of it: "#!define LIMIT 10;" makes "if ($var(n) > LIMIT)" read
"if ($var(n) > 10;)". Leave the semicolon out of the define.`,
			Bad: `#!define LIMIT 10;
loadmodule "pv.so"
request_route {
	$var(n) = LIMIT
}`,
			Good: `#!define LIMIT 10
loadmodule "pv.so"
request_route {
	$var(n) = LIMIT;
}`,
			Run: runDefineSemicolon,
		},
	)
}

func valueDefine(d *Define) bool {
	switch d.Directive {
	case "define", "def", "trydefine", "trydef", "redefine", "redef":
		return true
	}
	return false
}

// commentAt returns the offset where a comment starts in a define value,
// outside quotes, or -1.
func commentAt(v string) int {
	var q byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case q != 0:
			if c == '\\' {
				i++
			} else if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' || c == '/' && i+1 < len(v) && v[i+1] == '/':
			return i
		}
	}
	return -1
}

// usedInCode reports whether a define name is written where it is
// expanded.
func (d *Directives) usedInCode(name string) bool { return d.Uses[name] > 0 }

func runDefineComment(p *Pass) {
	for _, d := range p.Pre.Defines {
		if !valueDefine(d) {
			continue
		}
		i := commentAt(d.Value)
		if i < 0 {
			continue
		}
		if strings.TrimSpace(d.Value[:i]) == "" && !p.Pre.usedInCode(d.Name) {
			continue // only tested with #!ifdef: the value does not matter
		}
		at := d.ValueRng
		if !strings.Contains(d.Value[:i], "\n") {
			at.Start.Col += i
			at.Start.Offset += i
		}
		d2 := p.Reportf(nil, at, "the comment is part of the value of %s: where %s is used, it hides the rest of the line", d.Name, d.Name)
		d2.Detail = "put the comment on a line of its own"
	}
}

func definedNames(pre *Directives) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range pre.Defines {
		if !seen[d.Name] {
			seen[d.Name] = true
			out = append(out, d.Name)
		}
	}
	for n := range pre.CommandLine {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func runIfdefUndefined(p *Pass) {
	// Candidates: the names that are defined, and the switches the config
	// documents (tested names its comments mention, to be set with -A).
	names := definedNames(p.Pre)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	tests := map[string]int{}
	for _, t := range p.Pre.Tests {
		tests[t.Name]++
	}
	for _, t := range p.Pre.Tests {
		if !seen[t.Name] && p.Pre.Mentions[t.Name] > 0 {
			seen[t.Name] = true
			names = append(names, t.Name)
		}
	}
	for _, t := range p.Pre.Tests {
		if p.Pre.Defined(t.Name) || p.Pre.Mentions[t.Name] > 0 || tests[t.Name] > 1 {
			continue // defined, a switch the comments document, or one tested in several places
		}
		// A name tested nowhere near any other is a switch set with -A,
		// or a block kept as a comment (#!ifdef NOTES): not a typo.
		s := diag.Suggest(t.Name, names)
		if s == "" {
			continue
		}
		what := "skipped"
		if t.Not {
			what = "taken"
		}
		d := p.Reportf(nil, t.Rng, "%s is defined nowhere: this branch is always %s", t.Name, what)
		d.Detail = "did you mean " + s + "?"
	}
}

func runUnusedDefine(p *Pass) {
	seen := map[string]bool{}
	for _, d := range p.Pre.Defines {
		if seen[d.Name] {
			continue
		}
		seen[d.Name] = true
		if p.Pre.usedInCode(d.Name) || p.Pre.Tested(d.Name) || d.Directive == "substdef" || d.Directive == "substdefs" {
			continue
		}
		p.Reportf(nil, d.NameRng, "%s is defined but never used", d.Name)
	}
}

func runDefineInString(p *Pass) {
	vals := map[string]bool{}
	for _, d := range p.Pre.Defines {
		if valueDefine(d) && strings.TrimSpace(d.Value) != "" && !strings.HasPrefix(strings.TrimSpace(d.Value), "#") {
			vals[d.Name] = true
		}
	}
	// #!substdef substitutes inside strings too.
	for _, d := range p.Pre.Defines {
		if d.Directive == "substdef" || d.Directive == "substdefs" {
			delete(vals, d.Name)
		}
	}
	if len(vals) == 0 {
		return
	}
	seen := map[*ast.StrLit]bool{}
	report := func(r *ast.Route, s *ast.StrLit) {
		if seen[s] {
			return
		}
		for name := range vals {
			if len(name) < 3 {
				continue
			}
			if strings.TrimSpace(s.Value) == name || inAddress(s.Value, name) {
				seen[s] = true
				d := p.Reportf(r, s.Rng, "%s is a #!define, but it is not expanded inside a string", name)
				d.Detail = "write the define outside the quotes, or use #!substdef"
				return
			}
		}
	}
	for _, it := range p.Config.Items {
		r, _ := it.(*ast.Route)
		ast.Inspect(it, func(n ast.Node) bool {
			if s, ok := n.(*ast.StrLit); ok {
				report(r, s)
			}
			return true
		})
	}
}

// inAddress reports whether name appears in text as part of an address or
// URL: delimited by the characters of one (: @ / ; = and ends).
func inAddress(text, name string) bool {
	if !strings.ContainsAny(text, ":@/") {
		return false
	}
	delim := func(c byte) bool { return strings.IndexByte(":@/;=.", c) >= 0 }
	for i := 0; ; {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		before := j == 0 || delim(text[j-1])
		after := end == len(text) || delim(text[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func runDefineSemicolon(p *Pass) {
	for _, d := range p.Pre.Defines {
		if !valueDefine(d) {
			continue
		}
		v := d.Value
		if i := commentAt(v); i >= 0 {
			v = v[:i]
		}
		v = strings.TrimSpace(v)
		if strings.HasSuffix(v, ";") {
			d2 := p.Reportf(nil, d.ValueRng, "the value of %s ends with ;, which is pasted wherever %s is used", d.Name, d.Name)
			d2.Detail = "leave the semicolon out of the define"
		}
	}
}
