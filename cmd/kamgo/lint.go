package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/lint"
	"github.com/kamgo/kamgo/lang/parser"
)

const lintUsage = "usage: kamgo lint [-A NAME[=VAL]]... [--kamailio VER] [--checks all,-KL9001] [--format text|json|sarif] [--werror] FILE...\n" +
	"       kamgo lint --explain ID\n" +
	"       kamgo lint --list"

// cmdLint runs check and the lint rules on each file. The rules and their
// severities come from the .kamgo.toml beside each file, then --checks.
func cmdLint(args []string, stdout, stderr io.Writer) int {
	shortLived()
	go parser.Prepare()
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE, as Kamailio's -A (repeatable)")
	checks := fs.String("checks", "", "rules to run, applied after the config file's: all, none, default, IDs, names, families (KL1*), - to switch off")
	format := fs.String("format", "text", "output format: text, json or sarif")
	werror := fs.Bool("werror", false, "exit 1 when there are warnings too")
	explain := fs.String("explain", "", "explain a rule (KL...) or a check code (KC...)")
	list := fs.Bool("list", false, "list the rules")
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
	if fs.NArg() == 0 || (*format != "text" && *format != "json" && *format != "sarif") {
		fmt.Fprintln(stderr, lintUsage)
		return exitUsage
	}
	cat, ok := catalogFor(*release, stderr)
	if !ok {
		return exitUsage
	}
	extra := lint.ParseChecks(*checks)
	confs := map[string]*lint.Config{}
	var all diag.List
	sources := diag.Sources{}
	ioErr := false
	for _, file := range fs.Args() {
		path := lint.FindConfig(file)
		conf, ok := confs[path]
		if !ok {
			base := &lint.Config{}
			if path != "" {
				c, err := lint.LoadConfig(path)
				if err != nil {
					fmt.Fprintln(stderr, "kamgo:", err)
					return exitUsage
				}
				base = c
			}
			c, err := base.With(extra)
			if err != nil {
				fmt.Fprintln(stderr, "kamgo: --checks:", err)
				return exitUsage
			}
			conf, confs[path] = c, c
		}
		res := lint.File(file, lint.Options{Catalog: cat, Config: conf, Defines: defs})
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
		err = lint.WriteJSON(stdout, all, cat.Release())
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
