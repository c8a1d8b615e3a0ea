// Package lint owns kamgo's lint rules: checks for configurations that
// Kamailio accepts but that do not do what their author meant (code that
// never runs, conditions that are always true, $var values left over from
// the previous message, evapi calls in routes where they cannot work...).
//
// Where lang/check answers "will Kamailio accept this?", lint answers "is
// this what you meant?". Each rule has a stable ID (KL1xxx control flow,
// KL2xxx pseudo-variables and types, KL3xxx routes and modules, KL4xxx
// preprocessor, KL5xxx evapi and async, KL9xxx style and lint directives),
// a name, documentation with a wrong and a right example, a default
// severity and a default on/off. Rules read the checked tree, the module
// catalog, the control flow of lang/flow and the preprocessor directives of
// the raw sources; they never parse the configuration again.
//
// A finding is silenced by a comment on the line before it,
//
//	# lint:ignore KL1001 the exit is kept for the next release
//
// with a reason; a directive that silences nothing is reported itself
// (KL9900). Which rules run and at which severity comes from a selection
// (--checks) and from a .kamgo.toml file beside the configuration.
//
// Matrix lints a configuration in every combination of the names its
// #!ifdef lines switch on (a bounded sample beyond MatrixMax) and reports
// each finding once with the combinations it appears in.
package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
	"github.com/kamgo/kamgo/lang/preproc"
)

// Options configure a lint run.
type Options struct {
	// Catalog supplies the module facts; nil means catalog.Load().
	// kamgo's commands pass module.Catalog().
	Catalog *catalog.Catalog
	// Config selects the rules and their severities; nil means the
	// defaults.
	Config *Config
	// Defines are the -A command-line defines, as for the preprocessor.
	Defines []string
	// The Kamailio release the rules judge against is 5.6.3, the one the
	// catalog describes; a Kamailio field selecting another release's
	// catalog belongs here when the catalog has more than one.

	// directives, when set, shares the scan of the raw sources between
	// runs that read the same files (the combinations of a matrix run).
	directives *directiveCache
}

// Result is what a lint run found.
type Result struct {
	// Diags holds check's findings and the rules' findings that are not
	// silenced, sorted by position. A rule's findings carry its ID as
	// Code.
	Diags diag.List
	// Sources are the files read, for snippets.
	Sources diag.Sources
	// Skipped is set when the configuration has syntax errors: the tree
	// is incomplete, so only check's findings are reported.
	Skipped bool
}

// File preprocesses, parses and checks the file at path, then runs the
// rules on it.
func File(path string, opts Options) Result {
	cfg, diags, src := check.Analyze(path, preproc.Options{Defines: opts.Defines}, opts.Catalog)
	return Run(cfg, diags, src, opts)
}

// Source is File on in-memory contents of a file named name.
func Source(name string, text []byte, opts Options) Result {
	cfg, diags, src := check.AnalyzeSource(name, text, preproc.Options{Defines: opts.Defines}, opts.Catalog)
	return Run(cfg, diags, src, opts)
}

// Run lints a configuration that check.Analyze returned, with check's
// diagnostics and the sources it read.
func Run(cfg *ast.Config, checked diag.List, src diag.Sources, opts Options) Result {
	res := Result{Sources: src}
	conf := opts.Config
	if conf == nil {
		conf = &Config{}
	}
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Load()
	}
	var found diag.List
	if hasSyntaxErrors(checked) || cfg == nil {
		res.Skipped = true
	} else {
		prog := flow.New(cfg, cat)
		f := &facts{}
		pre := opts.directives.scan(cfg, src, opts.Defines)
		for _, r := range Rules() {
			if r.ID == codeUnusedIgnore || r.ID == codeBadIgnore || !conf.Enabled(r) {
				continue
			}
			p := &Pass{Rule: r, Config: cfg, Catalog: cat, Sources: src, Flow: prog, Pre: pre, Check: checked,
				facts: f, sev: conf.SeverityOf(r), out: &found}
			r.Run(p)
		}
	}
	all := append(append(diag.List{}, checked...), found...)
	res.Diags = suppress(all, src, conf)
	res.Diags.Sort()
	return res
}

// hasSyntaxErrors reports whether the preprocessor or the parser found an
// error (their codes are KC0xxx): the tree stops at it.
func hasSyntaxErrors(l diag.List) bool {
	for _, d := range l {
		if d.Severity == diag.Error && strings.HasPrefix(d.Code, "KC0") {
			return true
		}
	}
	return false
}

// RuleOf returns the rule that reported a diagnostic, or nil for check's
// findings.
func RuleOf(d *diag.Diagnostic) *Rule {
	if !strings.HasPrefix(d.Code, "KL") {
		return nil
	}
	r, _ := Lookup(d.Code)
	return r
}
