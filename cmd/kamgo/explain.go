package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/server"
)

// codeTables are the diagnostic codes of every package, with their
// titles. Codes are stable and never reused; the ranges do not overlap.
func codeTables() []map[string]string {
	return []map[string]string{preproc.Codes, pvsyntax.Codes, parser.Codes, check.Codes, server.Codes, interp.Codes}
}

// cmdExplain prints the title of one diagnostic code, or all of them.
func cmdExplain(args []string, stdout, stderr io.Writer) int {
	all := map[string]string{}
	for _, t := range codeTables() {
		for k, v := range t {
			all[k] = v
		}
	}
	if len(args) == 0 {
		codes := make([]string, 0, len(all))
		for k := range all {
			codes = append(codes, k)
		}
		sort.Strings(codes)
		for _, k := range codes {
			fmt.Fprintf(stdout, "%s  %s\n", k, all[k])
		}
		return exitOK
	}
	code := strings.ToUpper(args[0])
	title, ok := all[code]
	if !ok {
		fmt.Fprintf(stderr, "kamgo: no diagnostic code %q\n", args[0])
		return exitFound
	}
	fmt.Fprintf(stdout, "%s  %s\n", code, title)
	return exitOK
}
