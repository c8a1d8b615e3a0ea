package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/lint"
	"github.com/kamgo/kamgo/lang/preproc"
)

const lintUsage = "usage: kamgo lint [-A NAME[=VAL]]... [--kamailio VER] [--checks all,-KL9001] [--format text|json|sarif] [--werror] FILE...\n" +
	"       kamgo lint --matrix [--matrix-max N] [--matrix-seed N] [-A NAME[=VAL]]... [--kamailio VER] [--checks ...] [--format ...] [--werror] FILE...\n" +
	"       kamgo lint --explain ID\n" +
	"       kamgo lint --list"

// cmdLint runs check and the lint rules on each file. The rules and their
// severities come from the .kamgo.toml beside each file, then --checks.
// With --matrix each file is linted in every combination of the names its
// #!ifdef lines test (lint.Matrix); the speed goes to stderr.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	shortLived()
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE, as Kamailio's -A (repeatable)")
	checks := fs.String("checks", "", "rules to run, applied after the config file's: all, none, default, IDs, names, families (KL1*), - to switch off")
	format := fs.String("format", "text", "output format: text, json or sarif")
	werror := fs.Bool("werror", false, "exit 1 when there are warnings too")
	explain := fs.String("explain", "", "explain a rule (KL...) or a check code (KC...)")
	list := fs.Bool("list", false, "list the rules")
	matrix := fs.Bool("matrix", false, "lint every combination of the names the config tests with #!ifdef, #!ifndef and #!ifexp (-A names stay fixed)")
	matrixMax := fs.Int("matrix-max", lint.MatrixMax, "with --matrix: run all combinations up to this many, else a sample of this many")
	matrixSeed := fs.Uint64("matrix-seed", 1, "with --matrix: the seed of the random part of a sample")
	release := releaseFlag(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	switch {
	case *list:
		if err := lint.WriteRuleList(stdout, lint.Rules()); err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
			return exitUsage
		}
		return exitOK
	case *explain != "":
		return lintExplain(*explain, stdout, stderr)
	}
	if fs.NArg() == 0 || (*format != "text" && *format != "json" && *format != "sarif") || *matrixMax < 1 {
		fmt.Fprintln(stderr, lintUsage)
		return exitUsage
	}
	facts, ok := loadFacts(*release, stderr)
	if !ok {
		return exitUsage
	}
	extra := lint.ParseChecks(*checks)
	confs := map[string]*lint.Config{}
	configFor := func(file string) (*lint.Config, bool) {
		path := lint.FindConfig(file)
		if conf, ok := confs[path]; ok {
			return conf, true
		}
		base := &lint.Config{}
		if path != "" {
			c, err := lint.LoadConfig(path)
			if err != nil {
				fmt.Fprintln(stderr, "kamgo:", err)
				return nil, false
			}
			base = c
		}
		c, err := base.With(extra)
		if err != nil {
			fmt.Fprintln(stderr, "kamgo: --checks:", err)
			return nil, false
		}
		confs[path] = c
		return c, true
	}
	if *matrix {
		// Hundreds of runs: collect garbage rather than grow to the memory
		// limit shortLived sets for one run (1 GiB for Debian's config; 70
		// MiB like this, and no slower).
		debug.SetGCPercent(400)
		cat := facts.Joined()
		var runs []*lint.MatrixResult
		for _, file := range fs.Args() {
			conf, ok := configFor(file)
			if !ok {
				return exitUsage
			}
			start := time.Now()
			m := lint.Matrix(file, lint.MatrixOptions{Options: lint.Options{Catalog: cat, Config: conf, Defines: defs},
				Max: *matrixMax, Seed: *matrixSeed})
			took := max(time.Since(start), time.Microsecond)
			unit := " combinations"
			if len(m.Combos) == 1 {
				unit = " combination"
			}
			fmt.Fprintf(stderr, "kamgo: %s: %d%s in %.2fs, %.1f combinations/s\n", file, len(m.Combos), unit, took.Seconds(), float64(len(m.Combos))/took.Seconds())
			runs = append(runs, m)
		}
		return lintMatrixOutput(runs, *format, *werror, cat.Release(), stdout, stderr)
	}
	var all diag.List
	sources := diag.Sources{}
	ioErr := false
	for _, file := range fs.Args() {
		conf, ok := configFor(file)
		if !ok {
			return exitUsage
		}
		// lint.File, with the catalog joined while the file is parsed.
		cfg, checked, src := check.AnalyzeJoining(file, preproc.Options{Defines: defs}, facts.release, facts.Joined)
		res := lint.Run(cfg, checked, src, lint.Options{Catalog: facts.Joined(), Config: conf, Defines: defs})
		for k, v := range res.Sources {
			sources[k] = v
		}
		for _, d := range res.Diags {
			if d.Code == "KC0008" && d.Subject.File == file {
				ioErr = true
			}
		}
		if res.Skipped && !ioErr {
			fmt.Fprintf(stderr, "kamgo: %s has syntax errors: only check's findings are reported\n", file)
		}
		all = append(all, res.Diags...)
	}
	var err error
	switch *format {
	case "json":
		err = lint.WriteJSON(stdout, all, facts.release.Release())
	case "sarif":
		err = lint.WriteSARIF(stdout, all, lint.Rules(), Version)
	default:
		err = diag.WriteText(stdout, all, sources)
	}
	if err != nil || ioErr {
		if err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
		}
		return exitUsage
	}
	for _, d := range all {
		if d.Severity == diag.Error || *werror && d.Severity == diag.Warning {
			return exitFound
		}
	}
	return exitOK
}

// lintMatrixOutput prints matrix runs and returns the exit code, as for
// one run: 1 when a combination has errors (or warnings with --werror).
func lintMatrixOutput(runs []*lint.MatrixResult, format string, werror bool, release string, stdout, stderr io.Writer) int {
	var err error
	switch format {
	case "json":
		err = lint.WriteMatrixJSON(stdout, runs, release)
	case "sarif":
		err = lint.WriteMatrixSARIF(stdout, runs, lint.Rules(), Version)
	default:
		err = lint.WriteMatrixText(stdout, runs)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kamgo:", err)
		return exitUsage
	}
	code := exitOK
	for _, m := range runs {
		for _, f := range m.Findings {
			if f.Code == "KC0008" && f.Subject.File == m.File {
				return exitUsage
			}
			if f.Severity == diag.Error || werror && f.Severity == diag.Warning {
				code = exitFound
			}
		}
	}
	return code
}

// lintExplain prints the documentation of a rule, or of a check code.
func lintExplain(id string, stdout, stderr io.Writer) int {
	if r, ok := lint.Lookup(id); ok {
		if err := lint.WriteExplain(stdout, r); err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
			return exitUsage
		}
		return exitOK
	}
	if c, ok := diag.Lookup(strings.ToUpper(id)); ok {
		if err := diag.WriteExplain(stdout, c); err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
			return exitUsage
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "kamgo: no rule or code %q (kamgo lint --list lists the rules)\n", id)
	return exitFound
}
