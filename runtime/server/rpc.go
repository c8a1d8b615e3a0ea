package server

import (
	"context"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// registerRPC builds the server's RPC registry: the core's commands, then
// those of each module instance that offers some, in load order. A name
// offered twice is a provisioning error, as Kamailio refuses it.
func (s *Server) registerRPC(diags *diag.List) {
	s.rpc = rpc.NewRegistry()
	if err := s.rpc.Register(s.coreRPC()...); err != nil {
		diags.Errorf(CodeProvision, diag.Range{}, "core: %v", err)
	}
	for _, l := range s.mods {
		p, ok := l.inst.(rpc.Provider)
		if !ok {
			continue
		}
		if err := s.rpc.Register(p.RPC()...); err != nil {
			diags.Errorf(CodeProvision, diag.Range{}, "%s: %v", l.name, err)
		}
	}
}

// RPC is the server's registry of RPC commands.
func (s *Server) RPC() *rpc.Registry { return s.rpc }

// RPC lets modules (ctl, jsonrpcs) reach the registry through the host.
func (h *host) RPC() *rpc.Registry { return h.s.rpc }

// now is the server's clock.
func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// ctime is C's ctime() without its newline, as Kamailio prints times.
func ctime(t time.Time) string { return t.Format("Mon Jan _2 15:04:05 2006") }

// coreRPC are the core's commands.
func (s *Server) coreRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "system.listMethods", Doc: "The names of all commands, sorted.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				for _, n := range s.rpc.Names() {
					c.Add(rpc.NewStr(n))
				}
			}},
		{Name: "system.methodHelp", Doc: "The one-line description of the command named by the parameter.",
			Handler: func(_ context.Context, c *rpc.Call) {
				if c.Remaining() == 0 {
					c.Fault(rpc.CodeBadRequest, "Method Name Expected")
					return
				}
				name, ok := c.NextStr()
				if !ok {
					return
				}
				cmd, found := s.rpc.Lookup(name)
				switch {
				case !found:
					c.Fault(rpc.CodeBadRequest, "command not found")
				case cmd.Doc == "":
					c.Add(rpc.NewStr("undocumented"))
				default:
					c.Add(rpc.NewStr(cmd.Doc))
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
		{Name: "core.uptime", Doc: "The time now, the start time and the seconds since.",
			Handler: func(_ context.Context, c *rpc.Call) {
				now := s.now()
				since := s.startTime()
				c.AddStruct().
					Set("now", rpc.NewStr(ctime(now))).
					Set("up_since", rpc.NewStr(ctime(since))).
					Set("uptime", rpc.NewInt(int64(now.Sub(since)/time.Second)))
			}},
	}
}

// fullVersion is what core.version answers: the name, the version and
// the Kamailio release whose configuration language kamgo runs.
func (s *Server) fullVersion() string {
	v := s.opts.Version
	if v == "" {
		v = "devel"
	}
	return "kamgo " + v + " (Kamailio 5.6.3 configuration language)"
}

// startTime is when the server started (when it was loaded, before Start).
func (s *Server) startTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started.IsZero() {
		return s.loaded
	}
	return s.started
}
