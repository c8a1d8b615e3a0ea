package evapi

import "github.com/kamgo/kamgo/runtime/module"

// Procs implements module.ProcLister: the dispatcher (the goroutine that
// accepts clients and runs the connection routes) and one entry per
// message worker, with the descriptions and ranks Kamailio's evapi gives
// the processes it forks. With workers=0 the one event loop kamgo still
// runs is the dispatcher's, as Kamailio's dispatcher then reads the
// clients itself.
func (m *Module) Procs() []module.Proc {
	out := []module.Proc{{Desc: "EvAPI Dispatcher", Rank: module.RankNoChildInit}}
	for range m.workers {
		out = append(out, module.Proc{Desc: "EvAPI Worker", Rank: module.RankRPC})
	}
	return out
}

var _ module.ProcLister = (*Module)(nil)
