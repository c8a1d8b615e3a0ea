package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
)

// Analyze preprocesses, parses and — when the syntax is clean — checks the
// file at path: everything `kamgo check` reports, and what `kamgo run`
// requires to be clean before it opens any socket. After syntax errors only
// the checks that stand for grammar rules run: Kamailio stops at a broken
// statement too.
func Analyze(path string, opts preproc.Options) (*ast.Config, diag.List, diag.Sources) {
	cfg, diags, src := parser.ParseFile(path, opts)
	return finish(cfg, diags, src)
}

// AnalyzeSource is Analyze on in-memory contents of a file named name.
func AnalyzeSource(name string, text []byte, opts preproc.Options) (*ast.Config, diag.List, diag.Sources) {
	res := preproc.Process(name, text, opts)
	cfg, l := parser.Parse(res)
	diags := append(append(diag.List{}, res.Diags...), l...)
	return finish(cfg, diags, res.Sources)
}

func finish(cfg *ast.Config, diags diag.List, src diag.Sources) (*ast.Config, diag.List, diag.Sources) {
	diags = append(diags, Check(cfg, Options{GrammarOnly: diags.HasErrors()})...)
	diags.Sort()
	return cfg, diags, src
}
