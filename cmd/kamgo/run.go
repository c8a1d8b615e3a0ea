package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/kamgo/kamgo/internal/procs"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/supervise"
)

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE, as Kamailio's -A (repeatable)")
	var listenAddrs repeated
	fs.Var(&listenAddrs, "l", "listen on [proto:]addr[:port] besides the config's listen= lines, as Kamailio's -l (repeatable)")
	runDir := fs.String("Y", "", "runtime directory for control sockets and FIFOs, as Kamailio's -Y")
	watchFlag := fs.Bool("watch", false, "reload when the config or an included file changes")
	allow := fs.String("allow-missing", "", "comma-separated modules kamgo does not implement whose calls become logged no-ops")
	logFormat := fs.String("log-format", "text", "log line format: text (Kamailio's) or json")
	metrics := fs.String("metrics", "", "serve module counters at http://ADDR/metrics (e.g. 127.0.0.1:9090)")
	release := releaseFlag(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	cat, ok := catalogFor(*release, stderr)
	if !ok {
		return exitUsage
	}
	if fs.NArg() != 1 || (*logFormat != "text" && *logFormat != "json") {
		fmt.Fprintln(stderr, "usage: kamgo run [-A NAME[=VAL]]... [-l ADDR]... [-Y DIR] [--kamailio VER] [--watch] [--allow-missing MOD,...] [--log-format text|json] [--metrics ADDR] FILE")
		return exitUsage
	}
	lf := klog.Text
	if *logFormat == "json" {
		lf = klog.JSON
	}
	var allowMissing []string
	if *allow != "" {
		allowMissing = strings.Split(*allow, ",")
	}

	// Signals are caught before anything starts, so a SIGHUP or a SIGTERM
	// right after the "running" line is never lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	// A main file that cannot be read (KC0008: missing, not a regular
	// file, too large) is a usage error, as for check: exit 2.
	var unreadable atomic.Bool
	sup, err := supervise.Start(supervise.Options{
		File: fs.Arg(0),
		Analyze: func(file string) (*ast.Config, diag.List, diag.Sources) {
			cfg, diags, srcs := analyze(file, defs, cat)
			for _, d := range diags {
				if d.Code == "KC0008" {
					unreadable.Store(true)
				}
			}
			return cfg, diags, srcs
		},
		Catalog:      cat,
		AllowMissing: allowMissing,
		Log:          klog.New(stderr, lf),
		Diag:         stderr,
		Signals:      sigs,
		Watch:        *watchFlag,
		Metrics:      *metrics,
		Version:      Version,
		Listen:       listenAddrs,
		RunDir:       *runDir,
	})
	if err != nil {
		if unreadable.Load() {
			return exitUsage
		}
		return exitFound
	}
	// One P while one core carries the load (internal/procs says why).
	ctl := procs.Start()
	defer ctl.Stop()
	// The collector's heap goal at least a floor above the live heap.
	defer procs.StartPacer().Stop()
	if err := sup.Serve(context.Background()); err != nil {
		return exitFound
	}
	return exitOK
}

// repeated is a flag given once per value.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }
