package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
)

// Analyze preprocesses, parses and checks the file at path: everything
// `kamgo check` reports, and what `kamgo run` requires to be clean before it
// opens any socket. cat supplies the module facts (nil: catalog.Load(),
// Kamailio's alone; kamgo's commands pass module.Catalog(), the facts
// joined with what kamgo implements).
func Analyze(path string, opts preproc.Options, cat *catalog.Catalog) (*ast.Config, diag.List, diag.Sources) {
	cfg, diags, src := parser.ParseFile(path, follow(opts, cat))
	return finish(cfg, diags, src, cat)
}

// AnalyzeJoining is Analyze for a caller that joins the checker's catalog
// on another core while the file is preprocessed and parsed, which read
// only the release's version and directives: release (the release's own
// facts, catalog.LoadRelease) sets up the preprocessor, and joined is
// called once, after parsing, for the catalog the checks read. The result
// is that of Analyze(path, opts, joined()).
func AnalyzeJoining(path string, opts preproc.Options, release *catalog.Catalog, joined func() *catalog.Catalog) (*ast.Config, diag.List, diag.Sources) {
	cfg, diags, src := parser.ParseFile(path, follow(opts, release))
	return finish(cfg, diags, src, joined())
}

// AnalyzeSource is Analyze on in-memory contents of a file named name.
func AnalyzeSource(name string, text []byte, opts preproc.Options, cat *catalog.Catalog) (*ast.Config, diag.List, diag.Sources) {
	res := preproc.Process(name, text, follow(opts, cat))
	cfg, l := parser.Parse(res)
	diags := append(append(diag.List{}, res.Diags...), l...)
	return finish(cfg, diags, res.Sources, cat)
}

// follow makes the preprocessor follow the catalog's release: its
// version for the predefined names and its directives.
func follow(opts preproc.Options, cat *catalog.Catalog) preproc.Options {
	if cat == nil {
		return opts
	}
	// An explicit Version keeps the preprocessor's own rule for it.
	if opts.Version == ([3]int{}) {
		opts.Version = cat.Version()
		if opts.Directive == nil {
			opts.Directive = cat.Directive
		}
	}
	return opts
}

// finish adds the semantic diagnostics. After a syntax error the tree is
// incomplete from there on, so, as Kamailio (which checks while it parses
// and stops at the first error), only semantic errors that come before the
// first syntax error are kept; the checks that stand for grammar rules are
// kept everywhere.
func finish(cfg *ast.Config, diags diag.List, src diag.Sources, cat *catalog.Catalog) (*ast.Config, diag.List, diag.Sources) {
	var first *diag.Diagnostic
	for _, d := range diags {
		if d.Severity == diag.Error && (first == nil || d.Subject.File == first.Subject.File && d.Subject.Start.Before(first.Subject.Start)) {
			first = d
		}
	}
	if first == nil {
		diags = append(diags, Check(cfg, Options{Catalog: cat})...)
		diags.Sort()
		return cfg, diags, src
	}
	grammar := map[string]bool{}
	for _, d := range Check(cfg, Options{Catalog: cat, GrammarOnly: true}) {
		grammar[d.Code+d.Subject.String()] = true
		diags = append(diags, d)
	}
	for _, d := range Check(cfg, Options{Catalog: cat}) {
		if grammar[d.Code+d.Subject.String()] {
			continue
		}
		if d.Subject.File == first.Subject.File && d.Subject.Start.Before(first.Subject.Start) {
			diags = append(diags, d)
		}
	}
	diags.Sort()
	return cfg, diags, src
}
