package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// facts is the catalog of one release for a command: the release's own
// facts at once, and their join with what kamgo runs (module.CatalogFor)
// built on another goroutine. Joining instantiates every module, which is
// as much work as preprocessing and parsing a config, and only the checks
// after parsing read the joined catalog.
type facts struct {
	release *catalog.Catalog
	done    chan struct{}
	joined  *catalog.Catalog
}

// loadFacts returns the facts of a release, or prints why there are none.
// The other goroutine builds the parser's grammar first, which the parse
// needs before the checks need the joined catalog: run one after the
// other, they leave the caller's core to the preprocessor and the parser.
func loadFacts(release string, stderr io.Writer) (*facts, bool) {
	f := &facts{done: make(chan struct{})}
	go func() {
		defer close(f.done)
		parser.Prepare()
		f.joined, _ = module.CatalogFor(release) // its only error is LoadRelease's
	}()
	base, err := catalog.LoadRelease(release)
	if err != nil {
		fmt.Fprintln(stderr, "kamgo: --kamailio:", err)
		return nil, false
	}
	f.release = base
	return f, true
}

// Joined waits for the joined catalog.
func (f *facts) Joined() *catalog.Catalog {
	if f.done != nil {
		<-f.done
	}
	return f.joined
}

// analyze is everything `kamgo check` runs on one file, against the
// facts of cat.
func analyze(file string, defs []string, cat *catalog.Catalog) (*ast.Config, diag.List, diag.Sources) {
	return check.Analyze(file, preproc.Options{Defines: defs}, cat)
}

// checkFile is `kamgo check` on one file: the analysis, then, when it is
// clean, the load that finds what only Kamailio's start-up refuses.
func checkFile(file string, defs []string, cat *catalog.Catalog) (diag.List, diag.Sources) {
	return checkFacts(file, defs, &facts{release: cat, joined: cat})
}

// checkFacts is checkFile with the catalog joined while file is parsed.
func checkFacts(file string, defs []string, f *facts) (diag.List, diag.Sources) {
	cfg, diags, src := check.AnalyzeJoining(file, preproc.Options{Defines: defs}, f.release, f.Joined)
	if cfg == nil || diags.HasErrors() {
		return diags, src
	}
	return append(diags, startupDiags(cfg, f.Joined(), module.Default)...), src
}

// startupDiags loads a checked cfg with the modules of reg the way `kamgo
// run` does, without starting anything (server.Load opens no socket and
// starts no goroutine: Start and StartSIP do), and returns what the modules
// refused while compiling it: a level xlog does not know, a color $C does
// not have, a flag number that is not a number. Kamailio refuses those at
// start-up, in the fixups `kamailio -c` does not run. Modules kamgo does
// not implement are allowed as missing. Left out, as they say nothing of
// Kamailio's verdict: what kamgo itself does not run (KC2213, KC2101, for
// `kamgo run` to report), core parameter values (KC2108: check decides
// those from the catalog, and Kamailio starts with a log_prefix naming an
// unknown class) and the interpreter's guard for unchecked trees (KC2214:
// Kamailio starts with what check passes, such as $nopename).
func startupDiags(cfg *ast.Config, cat *catalog.Catalog, reg *module.Registry) diag.List {
	var missing []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			if _, ok := reg.Lookup(lm.Module()); !ok {
				missing = append(missing, lm.Module())
			}
		}
	}
	_, ld := server.Load(cfg, server.Options{Log: klog.New(nil, klog.Text), Registry: reg, Catalog: cat, AllowMissing: missing})
	var out diag.List
	for _, d := range ld {
		switch d.Code {
		case interp.CodeNotImplemented, interp.CodeUnchecked, server.CodeUnknownModule, server.CodeCoreParam:
			continue
		}
		if d.Severity == diag.Error {
			note := "Kamailio refuses this when it starts; `kamailio -c` does not run this check"
			if d.Detail != "" {
				note = d.Detail + "; " + note
			}
			d.Detail = note
		}
		out = append(out, d)
	}
	return out
}

// shortLived tunes the runtime for a command that reads its input, prints
// and exits: collecting garbage would only cost time (a memory limit keeps
// a huge input from growing without bound), and so would sampling
// allocations for a heap profile nobody can ask for.
func shortLived() {
	runtime.MemProfileRate = 0
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(1 << 30)
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	shortLived()
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE, as Kamailio's -A (repeatable)")
	format := fs.String("format", "text", "output format: text or json")
	release := releaseFlag(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	facts, ok := loadFacts(*release, stderr)
	if !ok {
		return exitUsage
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json") {
		fmt.Fprintln(stderr, "usage: kamgo check [-A NAME[=VAL]]... [--kamailio VER] [--format text|json] FILE...")
		return exitUsage
	}
	var all diag.List
	sources := diag.Sources{}
	ioErr := false
	for _, file := range fs.Args() {
		diags, src := checkFacts(file, defs, facts)
		for k, v := range src {
			sources[k] = v
		}
		for _, d := range diags {
			if d.Code == "KC0008" && d.Subject.File == file {
				ioErr = true
			}
		}
		all = append(all, diags...)
	}
	var err error
	if *format == "json" {
		err = diag.WriteJSONFor(stdout, all, facts.release.Release())
	} else {
		err = diag.WriteText(stdout, all, sources)
	}
	if err != nil || ioErr {
		if err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
		}
		return exitUsage
	}
	if all.HasErrors() {
		return exitFound
	}
	return exitOK
}

func cmdParse(args []string, stdout, stderr io.Writer) int {
	shortLived()
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE (repeatable)")
	_ = fs.Bool("ast", true, "print the syntax tree")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: kamgo parse --ast [-A NAME[=VAL]]... FILE")
		return exitUsage
	}
	cfg, diags, src := parser.ParseFile(fs.Arg(0), preproc.Options{Defines: defs})
	if err := parser.Dump(stdout, cfg); err != nil {
		fmt.Fprintln(stderr, "kamgo:", err)
		return exitUsage
	}
	if len(diags) > 0 {
		_ = diag.WriteText(stderr, diags, src)
	}
	if diags.HasErrors() {
		return exitFound
	}
	return exitOK
}
