package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/watch"
)

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var defs defines
	fs.Var(&defs, "A", "define NAME or NAME=VALUE, as Kamailio's -A (repeatable)")
	watchFlag := fs.Bool("watch", false, "reload when the config or an included file changes")
	allow := fs.String("allow-missing", "", "comma-separated modules kamgo does not implement whose calls become logged no-ops")
	logFormat := fs.String("log-format", "text", "log line format: text (Kamailio's) or json")
	metrics := fs.String("metrics", "", "serve module counters at http://ADDR/metrics (e.g. 127.0.0.1:9090)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 || (*logFormat != "text" && *logFormat != "json") {
		fmt.Fprintln(stderr, "usage: kamgo run [-A NAME[=VAL]]... [--watch] [--allow-missing MOD,...] [--log-format text|json] [--metrics ADDR] FILE")
		return exitUsage
	}
	file := fs.Arg(0)
	lf := klog.Text
	if *logFormat == "json" {
		lf = klog.JSON
	}
	log := klog.New(stderr, lf)
	var allowMissing []string
	if *allow != "" {
		allowMissing = strings.Split(*allow, ",")
	}

	// Everything is checked before any socket opens.
	cfg, diags, src := analyze(file, defs)
	if diags.HasErrors() {
		_ = diag.WriteText(stderr, diags, src)
		return exitFound
	}
	srv, ld := server.Load(cfg, server.Options{Log: log, AllowMissing: allowMissing})
	if ld.HasErrors() {
		_ = diag.WriteText(stderr, ld, src)
		return exitFound
	}

	// Signals and the file watch are set up before the modules start, so a
	// SIGHUP or an edit right after the "running" line is never lost.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		log.Logf(klog.Crit, "core", "cannot start: %v", err)
		return exitFound
	}

	// reload returns the files the new config reads, so the watch follows
	// include changes even when the new config is refused.
	reload := func(reason string) []string {
		cfg, diags, src := analyze(file, defs)
		if diags.HasErrors() {
			var b strings.Builder
			_ = diag.WriteText(&b, diags, src)
			log.Logf(klog.Err, "core", "reload (%s) refused, the running configuration is kept:\n%s", reason, strings.TrimRight(b.String(), "\n"))
			return cfg.Files
		}
		if rd := srv.Reload(cfg); rd.HasErrors() {
			var b strings.Builder
			_ = diag.WriteText(&b, rd, src)
			log.Logf(klog.Err, "core", "reload (%s) refused, the running configuration is kept:\n%s", reason, strings.TrimRight(b.String(), "\n"))
			return cfg.Files
		}
		log.Logf(klog.Info, "core", "reloaded %s (%s)", file, reason)
		return cfg.Files
	}

	var watcher *watch.Watcher
	if *watchFlag {
		w, err := watch.New(0, func(err error) { log.Logf(klog.Warn, "core", "watch: %v", err) })
		if err != nil {
			log.Logf(klog.Err, "core", "cannot watch files: %v", err)
		} else if err := w.SetFiles(cfg.Files); err != nil {
			log.Logf(klog.Err, "core", "cannot watch files: %v", err)
		} else {
			watcher = w
		}
	}
	changed := make(chan struct{}, 1)
	if watcher != nil {
		go watcher.Run(ctx, func() {
			select {
			case changed <- struct{}{}:
			default:
			}
		})
	}
	if *metrics != "" {
		ln, err := net.Listen("tcp", *metrics)
		if err != nil {
			log.Logf(klog.Crit, "core", "metrics: %v", err)
			_ = srv.Stop(context.Background())
			return exitFound
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			_ = srv.WriteMetrics(w)
		})
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		log.Logf(klog.Info, "core", "metrics on http://%s/metrics", ln.Addr())
	}
	log.Logf(klog.Info, "core", "kamgo %s running %s", Version, file)

	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGHUP {
				reload("SIGHUP")
				continue
			}
			log.Logf(klog.Info, "core", "%v received, stopping", s)
			cancel()
			stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := srv.Stop(stopCtx)
			stopCancel()
			if err != nil {
				log.Logf(klog.Err, "core", "stop: %v", err)
				return exitFound
			}
			return exitOK
		case <-changed:
			if files := reload("file changed"); len(files) > 0 {
				if err := watcher.SetFiles(files); err != nil {
					log.Logf(klog.Warn, "core", "watch: %v", err)
				}
			}
		}
	}
}
