package kex

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// kex's memory commands. Kamailio's mod.stats (and its alias
// mod.mem_stats) and mod.mem_statsx report, per module, the memory its
// functions hold, by the function and line that allocated it, in its
// private (pkg) and shared (shm) pools. kamgo has one heap, shared by
// every goroutine as Kamailio's shm is by every process, and no private
// pools: "shm" is answered from Go's heap profile and "pkg" is empty.
// The heap profile is sampled (runtime.MemProfileRate) and reflects the
// heap as of the last garbage collection, so the sizes are estimates, as
// `go tool pprof` scales them. pkg.stats and pkg.info, which describe a
// per-process pool of fixed size, have no counterpart and are not
// offered.

// heapProfile returns the records of Go's heap profile; tests replace it.
var heapProfile = func() []runtime.MemProfileRecord {
	n, _ := runtime.MemProfile(nil, false)
	for {
		recs := make([]runtime.MemProfileRecord, n+50)
		got, ok := runtime.MemProfile(recs, false)
		if ok {
			return recs[:got]
		}
		n = got
	}
}

// The parts of Kamailio's mode flags.
const (
	memPkg  = 1 // the private pool
	memShm  = 2 // the shared pool
	memMore = 4 // "size (count)" instead of the size alone
)

// modRPC are kex's memory commands; RPC offers them with the statistics
// commands.
func (m *Module) modRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "mod.stats", Doc: "Memory held per module, by allocating function and line.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) { modMemStats(c, 0) }},
		{Name: "mod.mem_stats", Doc: "Memory held per module, by allocating function and line.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) { modMemStats(c, 0) }},
		{Name: "mod.mem_statsx", Doc: "Memory held per module, by allocating function and line, with allocation counts.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) { modMemStats(c, memMore) }},
	}
}

// site is what one allocating function and line of a module holds.
type site struct {
	module string
	key    string // "function(line)"
	bytes  int64
	count  int64
}

// modMemStats answers the mod.* commands: a module name or "all", then
// "pkg", "shm" or "all". For each module, "Module: NAME", a structure of
// the sizes per site ending with "Total" for each pool asked for that
// has any, and an empty string.
func modMemStats(c *rpc.Call, mode int) {
	mname, present, ok := c.OptStr()
	if !ok {
		return
	}
	if !present {
		c.Fault(rpc.CodeInternal, "Module name or \"all\" needed")
		return
	}
	mtype, present, ok := c.OptStr()
	if !ok {
		return
	}
	if !present {
		c.Fault(rpc.CodeInternal, "\"pkg\" or \"shm\" or \"all\" needed")
		return
	}
	switch mtype {
	case "pkg":
		mode |= memPkg
	case "shm":
		mode |= memShm
	case "all":
		mode |= memPkg | memShm
	}
	sites := heapSites(heapProfile())
	var modules []string
	if mname == "all" {
		// kamgo's private pools are empty: the modules listed are those
		// with memory in the shared heap, in the order of their sites.
		seen := map[string]bool{}
		for _, s := range sites {
			if !seen[s.module] {
				seen[s.module] = true
				modules = append(modules, s.module)
			}
		}
	} else {
		modules = []string{mname}
	}
	for _, name := range modules {
		c.Printf("Module: %s", name)
		// The private pool has no sites: Kamailio adds no structure
		// for an empty list.
		if mode&memShm != 0 && len(sites) > 0 {
			st := c.AddStruct()
			var total int64
			for _, s := range sites {
				if s.module != name {
					continue
				}
				if mode&memMore != 0 {
					st.Set(s.key, rpc.NewStr(fmt.Sprintf("%d (%d)", s.bytes, s.count)))
				} else {
					st.Set(s.key, rpc.NewInt(s.bytes))
				}
				total += s.bytes
			}
			st.Set("Total", rpc.NewInt(total))
		}
		c.Printf("")
	}
}

// heapSites groups heap profile records by the module and the function
// and line that allocated: the innermost frame in kamgo's own code (the
// standard library's and other packages' frames below it are the
// allocator's, as Kamailio names the caller of pkg_malloc), else the
// innermost frame outside Go's runtime, under "core". Sizes are the in-use bytes and objects,
// scaled for sampling. Sites are sorted by module, then by key.
func heapSites(recs []runtime.MemProfileRecord) []site {
	rate := int64(runtime.MemProfileRate)
	bykey := map[[2]string]*site{}
	for i := range recs {
		r := &recs[i]
		bytes, count := r.InUseBytes(), r.InUseObjects()
		if bytes <= 0 {
			continue
		}
		bytes, count = scaleSample(bytes, count, r.AllocBytes, r.AllocObjects, rate)
		mod, key := allocSite(r.Stack())
		k := [2]string{mod, key}
		s := bykey[k]
		if s == nil {
			s = &site{module: mod, key: key}
			bykey[k] = s
		}
		s.bytes += bytes
		s.count += count
	}
	out := make([]site, 0, len(bykey))
	for _, s := range bykey {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].module != out[j].module {
			return out[i].module < out[j].module
		}
		return out[i].key < out[j].key
	})
	return out
}

// scaleSample estimates the true in-use size and count of a sampled
// record, as pprof does: a sample of average size s stands for
// 1/(1-exp(-s/rate)) allocations.
func scaleSample(bytes, count, allocBytes, allocObjects, rate int64) (int64, int64) {
	if rate <= 1 || allocObjects == 0 || allocBytes == 0 {
		return bytes, count
	}
	avg := float64(allocBytes) / float64(allocObjects)
	scale := 1 / (1 - math.Exp(-avg/float64(rate)))
	return int64(float64(bytes) * scale), int64(float64(count) * scale)
}

// kamgoPath is the import path of kamgo's packages.
const kamgoPath = "github.com/kamgo/kamgo/"

// allocSite names the module and the "function(line)" of an allocation's
// stack.
func allocSite(stack []uintptr) (module, key string) {
	frames := runtime.CallersFrames(stack)
	var first runtime.Frame
	found := false
	for {
		f, more := frames.Next()
		// Go's allocator is not the caller that allocated.
		if !found && !strings.HasPrefix(f.Function, "runtime.") {
			first, found = f, true
		}
		if strings.HasPrefix(f.Function, kamgoPath) {
			return moduleOf(f.Function), funcKey(f)
		}
		if !more {
			break
		}
	}
	return "core", funcKey(first)
}

// moduleOf is the module a kamgo function belongs to: NAME for the
// packages under modules/NAME, "core" for the rest of kamgo (and for
// modules/internal, helpers the modules share).
func moduleOf(function string) string {
	rest, ok := strings.CutPrefix(function, kamgoPath+"modules/")
	if !ok {
		return "core"
	}
	name := rest
	if i := strings.IndexAny(name, "/."); i >= 0 {
		name = name[:i]
	}
	if name == "internal" || name == "" {
		return "core"
	}
	return name
}

// funcKey is a frame as Kamailio names an allocation site: the function
// without its package path, and the line.
func funcKey(f runtime.Frame) string {
	name := f.Function
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		name = "unknown"
	}
	return fmt.Sprintf("%s(%d)", name, f.Line)
}
