package server

import (
	"context"
	"fmt"
	"os"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// proc is one entry of kamgo's process table: a long-running goroutine
// where Kamailio would have a process.
type proc struct {
	desc string
	rank int
}

// procs is kamgo's process table, in the order Kamailio lists its own:
// the main goroutine; the goroutines reading each UDP socket (`children`
// per socket, as Kamailio forks that many receivers per socket); those of
// the modules, in load order; one reading each open TCP connection; one
// accepting on each TCP socket. Kamailio's timer processes have no
// counterpart (timers fire on Go's runtime timers), and neither do the
// core's workers, which are the `children` sets of script state the
// reading goroutines take turns with rather than goroutines of their own.
func (s *Server) procs() []proc {
	out := []proc{{desc: "main process - attendant", rank: module.RankMain}}
	rank := 0
	t := s.sip.Load()
	type sock struct {
		proto int
		name  string
	}
	var socks []sock
	if t != nil {
		for i, so := range t.Sockets() {
			host := so.IP
			if i < len(s.sipConf.Listen) {
				host = s.sipConf.Listen[i].Host
			}
			socks = append(socks, sock{so.Proto, fmt.Sprintf("%s:%d", bracketed(host), so.Port)})
		}
		for _, so := range socks {
			if so.proto != sipmsg.ProtoUDP {
				continue
			}
			for i := range t.ReadersPerSocket() {
				rank++
				out = append(out, proc{desc: fmt.Sprintf("udp receiver child=%d sock=%s", i, so.name), rank: rank})
			}
		}
	}
	for _, l := range s.mods {
		if pl, ok := l.inst.(module.ProcLister); ok {
			for _, p := range pl.Procs() {
				out = append(out, proc{desc: p.Desc, rank: p.Rank})
			}
		}
	}
	if t != nil {
		for _, c := range t.Conns() {
			rank++
			out = append(out, proc{desc: fmt.Sprintf("tcp receiver conn=%d peer=%s", c.ID, c.Remote), rank: rank})
		}
		for _, so := range socks {
			if so.proto == sipmsg.ProtoTCP {
				out = append(out, proc{desc: "tcp main process sock=" + so.name, rank: module.RankTCPMain})
			}
		}
	}
	return out
}

// bracketed writes an IPv6 address in brackets, as Kamailio names its
// sockets.
func bracketed(host string) string {
	if sipmsg.IsIPv6(host) {
		return "[" + host + "]"
	}
	return host
}

// procRPC are core.ps, core.psx and core.psa. Every entry runs in the
// one kamgo process, so every pid is its pid.
func (s *Server) procRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "core.modules", Doc: "The modules that run, the last loaded first.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				// Modules loaded with --allow-missing have no instance:
				// nothing of theirs runs.
				for i := len(s.mods) - 1; i >= 0; i-- {
					if s.mods[i].inst != nil {
						c.Add(rpc.NewStr(s.mods[i].name))
					}
				}
			}},
		{Name: "core.ps", Doc: "The server's processes: for each, its pid and its description.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				pid := int64(os.Getpid())
				for _, p := range s.procs() {
					c.Add(rpc.NewInt(pid), rpc.NewStr(p.desc))
				}
			}},
		{Name: "core.psx", Doc: "The server's processes, one structure each: index, pid and description.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				pid := int64(os.Getpid())
				for i, p := range s.procs() {
					c.AddStruct().
						Set("IDX", rpc.NewInt(int64(i))).
						Set("PID", rpc.NewInt(pid)).
						Set("DSC", rpc.NewStr(p.desc))
				}
			}},
		{Name: "core.psa", Doc: "Everything known of the server's processes: index, pid, status, rank and description.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				pid := int64(os.Getpid())
				for i, p := range s.procs() {
					c.AddStruct().
						Set("index", rpc.NewInt(int64(i))).
						Set("pid", rpc.NewInt(pid)).
						// 1: running, as Kamailio marks a process whose
						// child initialisation is done.
						Set("status", rpc.NewInt(1)).
						Set("rank", rpc.NewInt(int64(p.rank))).
						Set("description", rpc.NewStr(p.desc))
				}
			}},
	}
}
