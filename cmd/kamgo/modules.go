package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/runtime/module"

	_ "github.com/kamgo/kamgo/modules/all" // every module kamgo runs
)

func cmdModules(args []string, stdout, stderr io.Writer) int {
	cat := catalog.Load()
	runs := map[string]bool{}
	for _, n := range module.Registered() {
		runs[n] = true
	}
	if len(args) == 0 {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MODULE\tRUNS\tFUNCS\tPARAMS\tPACKAGE")
		for _, m := range cat.Modules() {
			r := "-"
			if runs[m.Name] {
				r = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", m.Name, r, len(m.Funcs), len(m.Params), m.Package)
		}
		_ = tw.Flush()
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kamgo modules [NAME]")
		return exitUsage
	}
	m := cat.Module(args[0])
	if m == nil {
		m = cat.ModuleByFile(strings.TrimSuffix(args[0], ".so"))
	}
	if m == nil {
		fmt.Fprintf(stderr, "kamgo: no module %q in Kamailio 5.6.3\n", args[0])
		return exitFound
	}
	status := "checked only (kamgo cannot run it yet)"
	if runs[m.Name] {
		status = "checked and run by kamgo"
	}
	fmt.Fprintf(stdout, "module %s (%s.so, Debian package %s): %s\n", m.Name, m.File, m.Package, status)
	if len(m.Deps) > 0 {
		fmt.Fprintf(stdout, "needs: %s\n", strings.Join(m.Deps, ", "))
	}
	fmt.Fprintln(stdout, "\nfunctions:")
	for _, f := range m.Funcs {
		for _, fo := range f.Forms {
			n := fmt.Sprint(fo.Args)
			if fo.Args < 0 {
				n = "any"
			}
			fmt.Fprintf(stdout, "  %s/%s\t%s\n", f.Name, n, fo.Routes)
		}
	}
	fmt.Fprintln(stdout, "\nparameters:")
	params := append([]*catalog.Param(nil), m.Params...)
	sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
	for _, p := range params {
		var t []string
		if p.Type&catalog.Int != 0 {
			t = append(t, "int")
		}
		if p.Type&catalog.Str != 0 {
			t = append(t, "str")
		}
		rep := ""
		if p.Repeat {
			rep = " (repeatable)"
		}
		fmt.Fprintf(stdout, "  %s\t%s%s\n", p.Name, strings.Join(t, "|"), rep)
	}
	if len(m.PVs) > 0 {
		fmt.Fprintln(stdout, "\npseudo-variables:")
		for _, p := range m.PVs {
			names := ""
			if p.Names != nil {
				names = "(" + strings.Join(p.Names, "|") + ")"
			}
			w := ""
			if p.Writable {
				w = " (writable)"
			}
			fmt.Fprintf(stdout, "  $%s%s%s\n", p.Name, names, w)
		}
	}
	if len(m.Trans) > 0 {
		fmt.Fprintln(stdout, "\ntransformations:")
		for _, t := range m.Trans {
			fmt.Fprintf(stdout, "  {%s.*}: %s\n", t.Name, strings.Join(t.Ops, " "))
		}
	}
	if len(m.Events) > 0 {
		fmt.Fprintln(stdout, "\nevent routes:")
		for _, e := range m.Events {
			fmt.Fprintf(stdout, "  event_route[%s]\n", e)
		}
	}
	return exitOK
}
