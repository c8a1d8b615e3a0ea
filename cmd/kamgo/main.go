// Command kamgo parses, checks and runs Kamailio configuration files.
//
//	kamgo check [-A NAME[=VAL]]... [--kamailio VER] [--format text|json] FILE...
//	kamgo parse --ast FILE
//	kamgo run [-A NAME[=VAL]]... [--kamailio VER] [--watch] [--allow-missing MOD,...] [--log-format text|json] [--metrics ADDR] FILE
//	kamgo modules [--kamailio VER] [NAME]
//	kamgo explain [CODE]
//	kamgo version
//
// The command is a thin layer over the library packages: lang/preproc,
// lang/parser, lang/check, runtime/server.
package main

import (
	"fmt"
	"io"
	"os"
)

// Version is kamgo's version; the Kamailio version it follows is 5.6.3.
const Version = "0.1.0"

// Exit codes of every subcommand.
const (
	exitOK    = 0
	exitFound = 1 // errors found in the input
	exitUsage = 2 // usage or I/O error
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "lint":
		return cmdLint(args[1:], stdout, stderr)
	case "parse":
		return cmdParse(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "modules":
		return cmdModules(args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "kamgo %s (Kamailio 5.6.3 configuration language)\n", Version)
		return exitOK
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "kamgo: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  kamgo check [-A NAME[=VAL]]... [--kamailio VER] [--format text|json] FILE...
  kamgo lint [-A NAME[=VAL]]... [--kamailio VER] [--checks LIST] [--format text|json|sarif] [--werror] FILE...
  kamgo parse --ast [-A NAME[=VAL]]... FILE
  kamgo run [-A NAME[=VAL]]... [--kamailio VER] [--watch] [--allow-missing MOD,...] [--log-format text|json] [--metrics ADDR] FILE
  kamgo modules [--kamailio VER] [NAME]
  kamgo explain [CODE]
  kamgo version
`)
}

// defines collects repeated -A flags.
type defines []string

func (d *defines) String() string     { return fmt.Sprint(*d) }
func (d *defines) Set(v string) error { *d = append(*d, v); return nil }
