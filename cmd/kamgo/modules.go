package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kamgo/kamgo/lang/catalog"

	_ "github.com/kamgo/kamgo/modules/all" // every module kamgo runs
)

// cmdModules lists the catalog joined with what kamgo runs: every module,
// or one module's functions, parameters, pseudo-variables,
// transformations and event routes, each marked with whether kamgo runs
// it.
func cmdModules(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("modules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	release := releaseFlag(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	args = fs.Args()
	cat, ok := catalogFor(*release, stderr)
	if !ok {
		return exitUsage
	}
	if len(args) == 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MODULE\tRUNS\tFUNCS\tPARAMS\tPACKAGE")
		for _, m := range cat.Modules() {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", m.Name, moduleRuns(m), len(m.Funcs), len(m.Params), m.Package)
		}
		_ = tw.Flush()
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kamgo modules [--kamailio VER] [NAME]")
		return exitUsage
	}
	m := cat.Module(args[0])
	if m == nil {
		m = cat.ModuleByFile(strings.TrimSuffix(args[0], ".so"))
	}
	if m == nil {
		fmt.Fprintf(stderr, "kamgo: no module %q in Kamailio %s\n", args[0], cat.Tag())
		return exitFound
	}
	status := "checked only (kamgo cannot run it yet)"
	switch moduleRuns(m) {
	case "yes":
		status = "checked and run by kamgo"
	case "partly":
		status = "checked; kamgo runs what is marked yes below"
	}
	pkg := "Debian package " + m.Package
	if m.Package == "" {
		pkg = "not packaged by Debian 12"
	}
	fmt.Fprintf(stdout, "module %s (%s.so, %s; Kamailio %s): %s\n", m.Name, m.File, pkg, cat.Tag(), status)
	if len(m.Deps) > 0 {
		fmt.Fprintf(stdout, "needs: %s\n", strings.Join(m.Deps, ", "))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	section := func(title string) {
		_ = tw.Flush()
		fmt.Fprintf(stdout, "\n%s:\n", title)
	}
	section("functions (name/arguments, route types, runs)")
	for _, f := range m.Funcs {
		for _, fo := range f.Forms {
			n := fmt.Sprint(fo.Args)
			if fo.Args < 0 {
				n = "any"
			}
			runs := yesNo(fo.Runs)
			if f.API {
				runs = "api (not a script function)"
			}
			fmt.Fprintf(tw, "  %s/%s\t%s\t%s%s\n", f.Name, n, fo.Routes, runs, origin(f.Ext))
		}
	}
	section("parameters (name, type, runs)")
	params := append([]*catalog.Param(nil), m.Params...)
	sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
	for _, p := range params {
		rep := ""
		if p.Repeat {
			rep = " (repeatable)"
		}
		fmt.Fprintf(tw, "  %s\t%s%s\t%s%s\n", p.Name, p.Type, rep, yesNo(p.Runs), origin(p.Ext))
	}
	if len(m.PVs) > 0 {
		section("pseudo-variables (class, runs)")
		for _, p := range m.PVs {
			names := ""
			if p.Names != nil {
				names = "(" + strings.Join(p.Names, "|") + ")"
			}
			w := ""
			if p.Writable {
				w = " (writable)"
			}
			fmt.Fprintf(tw, "  $%s%s%s\t%s%s\n", p.Name, names, w, yesNo(p.Runs), origin(p.Ext))
		}
	}
	if len(m.Trans) > 0 {
		section("transformations (class: operators, runs)")
		for _, t := range m.Trans {
			fmt.Fprintf(tw, "  {%s.*}: %s\t%s%s\n", t.Name, strings.Join(t.Ops, " "), yesNo(t.Runs), origin(t.Ext))
		}
	}
	if len(m.Events) > 0 {
		section("event routes")
		for _, e := range m.Events {
			fmt.Fprintf(tw, "  event_route[%s]\n", e)
		}
	}
	_ = tw.Flush()
	return exitOK
}

// moduleRuns says whether kamgo runs a module: "yes" (everything the
// catalog lists), "partly", or "-".
func moduleRuns(m *catalog.Module) string {
	if !m.Runs {
		return "-"
	}
	all := true
	for _, f := range m.Funcs {
		for _, fo := range f.Forms {
			all = all && (fo.Runs || f.API)
		}
	}
	for _, p := range m.Params {
		all = all && p.Runs
	}
	for _, p := range m.PVs {
		all = all && p.Runs
	}
	for _, t := range m.Trans {
		all = all && t.Runs
	}
	if all {
		return "yes"
	}
	return "partly"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// origin names where a fact Kamailio 5.6 does not have comes from.
func origin(ext string) string {
	if ext == "" {
		return ""
	}
	return " (" + ext + ")"
}
