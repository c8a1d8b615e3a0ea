package server

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/value"
)

// overrideCore applies what the command line sets over the configuration's
// core parameters, as Kamailio's -Y: the runtime directory (under each name
// Kamailio reads it by) where ctl and jsonrpcs put their sockets.
func (s *Server) overrideCore(core map[string]value.Value) {
	if s.opts.RunDir != "" {
		for _, n := range []string{"runtime_dir", "run_dir", "rundir"} {
			core[n] = value.MakeStr(s.opts.RunDir)
		}
	}
}

// cmdlineListens are the sockets Kamailio's -l adds to the configuration's
// listen= lines, in the same forms.
func cmdlineListens(addrs []string, defPort int, noTCP bool, log *klog.Logger, diags *diag.List) []sip.Listen {
	var out []sip.Listen
	for _, a := range addrs {
		out = append(out, listens(ast.Value{Text: a}, nil, defPort, noTCP, log, diags)...)
	}
	return out
}
