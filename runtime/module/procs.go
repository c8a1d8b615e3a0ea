package module

// Proc describes one long-running goroutine of a module as Kamailio's
// core.ps lists the processes a module forks: its description and rank.
type Proc struct {
	Desc string
	Rank int
}

// The ranks Kamailio gives the processes it forks (sr_module.h): the
// numbers core.psa and pkg.stats report.
const (
	RankMain        = 0    // PROC_MAIN
	RankTimer       = -1   // PROC_TIMER
	RankRPC         = -2   // PROC_RPC: RPC handlers, and evapi's workers
	RankTCPMain     = -4   // PROC_TCP_MAIN
	RankNoChildInit = -128 // PROC_NOCHLDINIT: evapi's dispatcher
)

// ProcLister is implemented by module instances that run goroutines of
// their own while started (evapi's dispatcher and workers): core.ps lists
// them after the core's.
type ProcLister interface {
	Procs() []Proc
}
