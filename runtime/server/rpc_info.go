package server

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// readBuildInfo is how the binary learns its build; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// signalsKept are the signals core.kill does not stop kamgo for: those
// Kamailio ignores or handles without exiting (SIGHUP, SIGUSR1 and
// SIGUSR2, SIGPIPE, SIGCHLD), 0 (a kill(2) that only probes) and those
// whose default action is not to end a process (SIGCONT, SIGSTOP and the
// other job-control signals, SIGURG, SIGWINCH), which kamgo does not act
// on.
var signalsKept = map[int64]bool{0: true, 1: true, 10: true, 12: true, 13: true, 17: true,
	18: true, 19: true, 20: true, 21: true, 22: true, 23: true, 28: true}

// maxSignal is the highest signal number Linux knows; kill(2) refuses
// higher ones, and so does core.kill, silently.
const maxSignal = 64

// infoRPC are the commands about the running binary: echoes, version and
// build, uptime, working directory, arguments, and core.kill.
func (s *Server) infoRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "core.prints", Doc: "Each string parameter back; stops at the first that is not a string.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				for c.Remaining() > 0 && (c.Scan != nil || nextKind(c, rpc.Str)) {
					v, ok := c.NextStr()
					if !ok {
						break
					}
					c.Add(rpc.NewStr(v))
				}
			}},
		{Name: "core.printi", Doc: "Each integer parameter back; stops at the first that is not an integer.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				for c.Remaining() > 0 && (c.Scan != nil || nextKind(c, rpc.Int)) {
					v, ok := c.NextInt()
					if !ok {
						break
					}
					c.Add(rpc.NewInt(v))
				}
			}},
		{Name: "core.echo", Doc: "Each parameter back, as a string.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				conv := c.Convert
				c.Convert = true
				for c.Remaining() > 0 {
					str, ok := c.NextStr()
					if !ok {
						break
					}
					c.Add(rpc.NewStr(str))
				}
				c.Convert = conv
			}},
		{Name: "core.version", Doc: "The server's name and version.",
			Handler: func(_ context.Context, c *rpc.Call) {
				c.Add(rpc.NewStr(s.fullVersion()))
			}},
		{Name: "core.flags", Doc: "The settings the binary was built with.",
			Handler: func(_ context.Context, c *rpc.Call) {
				c.Add(rpc.NewStr(buildOf().flags))
			}},
		{Name: "core.info", Doc: "Version, source revision, compiler and build settings.",
			Handler: func(_ context.Context, c *rpc.Call) {
				b := buildOf()
				c.AddStruct().
					Set("version", rpc.NewStr("kamgo "+s.version())).
					Set("id", rpc.NewStr(b.id)).
					Set("compiler", rpc.NewStr(b.compiler)).
					Set("compiled", rpc.NewStr(b.compiled)).
					Set("flags", rpc.NewStr(b.flags))
			}},
		{Name: "core.runinfo", Doc: "Name, version, build, start time and uptime of the running server.",
			Handler: func(_ context.Context, c *rpc.Call) {
				b := buildOf()
				now, since := s.now(), s.startTime()
				up := int64(now.Sub(since) / time.Second)
				c.AddStruct().
					Set("name", rpc.NewStr("kamgo")).
					Set("version", rpc.NewStr(s.version())).
					Set("sourceid", rpc.NewStr(b.id)).
					Set("compiler", rpc.NewStr(b.compiler)).
					Set("compiled", rpc.NewStr(b.compiled)).
					Set("time_now", rpc.NewStr(ctime(now))).
					Set("time_started", rpc.NewStr(ctime(since))).
					Set("uptime_secs", rpc.NewInt(up)).
					Set("utime_days", rpc.NewStr(fmt.Sprintf("%dd %dh %dm %ds", up/86400, up%86400/3600, up%3600/60, up%60)))
			}},
		{Name: "core.uptime", Doc: "The time now, the start time and the seconds since.",
			Handler: func(_ context.Context, c *rpc.Call) {
				now := s.now()
				since := s.startTime()
				c.AddStruct().
					Set("now", rpc.NewStr(ctime(now))).
					Set("up_since", rpc.NewStr(ctime(since))).
					Set("uptime", rpc.NewInt(int64(now.Sub(since)/time.Second)))
			}},
		{Name: "core.pwd", Doc: "The server's working directory.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				wd, err := os.Getwd()
				if err != nil {
					c.Fault(rpc.CodeInternal, "getcwd Failed")
					return
				}
				c.Add(rpc.NewStr(wd))
			}},
		{Name: "core.arg", Doc: "The command line the server was started with, one argument per value.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				for _, a := range os.Args {
					c.Add(rpc.NewStr(a))
				}
			}},
		{Name: "core.kill", Doc: "Stops the server for a signal that would stop Kamailio (15, SIGTERM, without a parameter).",
			Handler: func(_ context.Context, c *rpc.Call) {
				sig := int64(15)
				if c.Remaining() > 0 && nextKind(c, rpc.Int) {
					sig, _ = c.NextInt()
				}
				// The reply is empty; the transport sends it while the
				// owner of the server shuts it down, as Kamailio replies
				// before it signals itself.
				if sig < 0 || sig > maxSignal || signalsKept[sig] {
					return
				}
				s.Abort("core.kill: signal " + strconv.FormatInt(sig, 10))
			}},
	}
}

// nextKind reports whether the next parameter reads as kind k without a
// fault, as Kamailio's optional scans ("*s", "*d") stop quietly at a
// parameter of another type. A transport with scan rules of its own
// (Call.Scan) decides instead: a failed read there is the reply only when
// nothing was added, as with Kamailio's binrpc.
func nextKind(c *rpc.Call, k rpc.Kind) bool {
	v := c.Param(len(c.Params) - c.Remaining())
	if v == nil {
		return false
	}
	switch k {
	case rpc.Str:
		return v.Kind == rpc.Str || c.Convert && (v.Kind == rpc.Int || v.Kind == rpc.Double)
	case rpc.Int:
		if v.Kind == rpc.Int || v.Kind == rpc.Bool || c.Convert && v.Kind == rpc.Double {
			return true
		}
		if c.Convert && v.Kind == rpc.Str {
			_, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 64)
			return err == nil
		}
	}
	return false
}

// version is the version core.info and core.runinfo report.
func (s *Server) version() string {
	if s.opts.Version == "" {
		return "devel"
	}
	return s.opts.Version
}

// build is what the binary knows of how it was built.
type build struct {
	id       string // the source revision, "unknown" without one
	compiler string
	compiled string // "": Go records no build time
	flags    string // the build settings, "KEY=VALUE, ..."
}

// buildOf reads the binary's build information: the version control
// revision (with "-dirty" for a modified tree) and the settings go build
// recorded (tags, CGO_ENABLED, GOARCH ...), as Kamailio reports its
// repository id and compile flags.
func buildOf() build {
	b := build{id: "unknown", compiler: runtime.Compiler + " " + runtime.Version()}
	bi, ok := readBuildInfo()
	if !ok {
		return b
	}
	if bi.GoVersion != "" {
		b.compiler = runtime.Compiler + " " + bi.GoVersion
	}
	var flags []string
	dirty := false
	for _, st := range bi.Settings {
		switch {
		case st.Key == "vcs.revision":
			b.id = st.Value
		case st.Key == "vcs.modified":
			dirty = st.Value == "true"
		case strings.HasPrefix(st.Key, "vcs"):
		default:
			flags = append(flags, st.Key+"="+st.Value)
		}
	}
	if dirty && b.id != "unknown" {
		b.id += "-dirty"
	}
	b.flags = strings.Join(flags, ", ")
	return b
}
