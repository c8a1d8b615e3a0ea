package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"

	// Each package registers its diagnostic codes, with their texts, in
	// its init.
	_ "github.com/kamgo/kamgo/lang/check"
	_ "github.com/kamgo/kamgo/lang/parser"
	_ "github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/lang/pvsyntax"
	_ "github.com/kamgo/kamgo/runtime/interp"
	_ "github.com/kamgo/kamgo/runtime/server"
)

// cmdExplain lists every diagnostic code with its title, or prints the
// title, explanation and example of one.
func cmdExplain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if err := diag.WriteCodeList(stdout, diag.Codes()); err != nil {
			fmt.Fprintln(stderr, "kamgo:", err)
			return exitUsage
		}
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: kamgo explain [CODE]")
		return exitUsage
	}
	c, ok := diag.Lookup(strings.ToUpper(args[0]))
	if !ok {
		fmt.Fprintf(stderr, "kamgo: no diagnostic code %q (kamgo explain lists them)\n", args[0])
		return exitFound
	}
	if err := diag.WriteExplain(stdout, c); err != nil {
		fmt.Fprintln(stderr, "kamgo:", err)
		return exitUsage
	}
	return exitOK
}
