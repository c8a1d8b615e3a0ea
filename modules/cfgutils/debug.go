package cfgutils

import (
	"runtime"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// compileAbort builds abort(): it logs "abort called" at CRITICAL and
// asks the host to stop the server. The event's script ends there (the
// function returns 0). A host without Aborter keeps serving.
func compileAbort(h module.Host, _ []*module.Arg) (module.Call, error) {
	ab, _ := h.(module.Aborter)
	return func(c *event.Context) int {
		logf(c, klog.Crit, "dbg_abort(): abort called")
		if ab != nil {
			ab.Abort("cfgutils: abort called")
		}
		return 0
	}, nil
}

// memReport builds pkg_status, shm_status, pkg_summary and shm_summary.
// Kamailio prints its memory pools at the memlog level, L_DBG by default;
// kamgo prints the Go heap at L_DBG.
func memReport(name string) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) {
		return func(c *event.Context) int {
			if c.Log != nil && c.Log.Enabled(klog.Dbg) {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				c.Log.Logf(klog.Dbg, "cfgutils", "%s: go heap alloc=%d sys=%d objects=%d gc=%d",
					name, ms.HeapAlloc, ms.HeapSys, ms.HeapObjects, ms.NumGC)
			}
			return 1
		}, nil
	}
}
