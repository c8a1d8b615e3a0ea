package procs

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Heap floor: the collector's pace while `kamgo run` serves.
//
// The runtime's default (GOGC=100) collects each time the heap has grown
// by as much as survived the last collection. A SIP server's live heap is
// mostly its transactions waiting out their timers, a few MB at a few
// hundred calls per second, so it collected every second or two and each
// collection marked every transaction again: about a tenth of the CPU per
// call at 500 calls per second and a fifth at 2000 (bench/sip.sh). The
// pacer keeps the heap goal at least the floor above the live heap: a
// server allocates the floor between collections (or the live heap's size,
// when that is larger, as the default does). The cost moves to the first
// growth of the heap, a page fault for each new page, paid once: the
// collections that follow reuse the pages. The floor is a sixteenth of the memory the
// process may use (its cgroup's limit, else the machine's), between 64 and
// 512 MB: Kamailio's default shared memory is 64 MB, and 512 MB is what it
// needs to hold a few seconds of calls at a few thousand per second. The
// controller's release after a load (see the package doc) gives the heap
// back. GOGC or GOMEMLIMIT in the environment turns the pacer off: the
// operator's setting stands.

// Floor bounds.
const (
	minFloor = 64 << 20
	maxFloor = 512 << 20
)

// floorFor is the heap floor of a process that may use mem bytes (0:
// unknown).
func floorFor(mem uint64) uint64 {
	return min(max(mem/16, minFloor), maxFloor)
}

// gcPercent is the GOGC that puts the heap goal floor above live bytes,
// never below the runtime's default 100. A live heap under the runtime's
// minimum heap (4 MB, which it scales by GOGC too) counts as that minimum,
// so that the goal before the first collection is the floor as well.
func gcPercent(live, floor uint64) int {
	live = max(live, minHeap)
	return int(max(100, floor*100/live))
}

// minHeap is the runtime's smallest heap goal at GOGC=100.
const minHeap = 4 << 20

// Pacer sets the collector's percent from the live heap, every Tick until
// Stop.
type Pacer struct {
	floor uint64
	live  func() uint64
	set   func(int) int
	cur   int
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// StartPacer starts the pacer for this process, or returns nil when GOGC
// or GOMEMLIMIT is set in the environment.
func StartPacer() *Pacer {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	t := time.NewTicker(Tick)
	p := newPacer(floorFor(memoryLimit()), liveHeap, debug.SetGCPercent, t.C)
	go func() {
		<-p.done
		t.Stop()
	}()
	return p
}

func newPacer(floor uint64, live func() uint64, set func(int) int, ticks <-chan time.Time) *Pacer {
	p := &Pacer{floor: floor, live: live, set: set, cur: 100, stop: make(chan struct{}), done: make(chan struct{})}
	p.update()
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stop:
				return
			case <-ticks:
				p.update()
			}
		}
	}()
	return p
}

// update applies the percent for the live heap now.
func (p *Pacer) update() {
	if n := gcPercent(p.live(), p.floor); n != p.cur {
		p.cur = n
		p.set(n)
	}
}

// Stop ends the pacer and gives the collector the runtime's default back.
func (p *Pacer) Stop() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		p.set(100)
	})
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// liveHeap is the heap the last collection marked live. Only the pacer's
// goroutine reads it.
func liveHeap() uint64 {
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return liveSample[0].Value.Uint64()
}
