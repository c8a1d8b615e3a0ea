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

// coreRPC are the core's commands: those of Kamailio's core_cmd.c that
// kamgo can answer. Not registered, because kamgo has nothing that would
// answer them truthfully: the memory commands (core.shmmem,
// core.sfmalloc), which describe Kamailio's fixed-size pools; the DNS
// cache (dns.*) and destination blocklist (dst_blocklist.*) commands;
// core.udp4_raw_info, as kamgo never sends through raw sockets; and
// core.tcp_list, as kamgo does not track a connection's idle deadline or
// references.
func (s *Server) coreRPC() []rpc.Command {
	var cmds []rpc.Command
	cmds = append(cmds, s.systemRPC()...)
	cmds = append(cmds, s.infoRPC()...)
	cmds = append(cmds, s.procRPC()...)
	cmds = append(cmds, s.netRPC()...)
	cmds = append(cmds, s.ppRPC()...)
	return cmds
}

// systemRPC are the system.* commands, about the registry itself.
func (s *Server) systemRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "system.listMethods", Doc: "The names of all commands, sorted.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				for _, n := range s.rpc.Names() {
					c.Add(rpc.NewStr(n))
				}
			}},
		{Name: "system.methodSignature", Doc: "Not available: commands do not declare their signatures.",
			Handler: func(_ context.Context, c *rpc.Call) {
				c.Fault(rpc.CodeInternal, "Not Implemented Yet")
			}},
		{Name: "system.methodHelp", Doc: "The one-line description of the command named by the parameter.",
			Handler: func(_ context.Context, c *rpc.Call) {
				// A missing name, or one that does not read as a string,
				// is the command's own fault, as in Kamailio.
				name, ok := "", c.Remaining() > 0
				if ok {
					name, ok = c.NextStr()
				}
				if !ok {
					c.Fault(rpc.CodeBadRequest, "Method Name Expected")
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
	}
}

// fullVersion is what core.version answers: the name, the version and
// the Kamailio release whose configuration language kamgo runs.
func (s *Server) fullVersion() string {
	return "kamgo " + s.version() + " (Kamailio 5.6.3 configuration language)"
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
