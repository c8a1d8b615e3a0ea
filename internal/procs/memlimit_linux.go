//go:build linux

package procs

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memoryLimit is the memory this process may use: its cgroup's limit
// (cgroup v2, then v1) when one is set, else the machine's RAM; 0 when
// neither can be read.
func memoryLimit() uint64 {
	var total uint64
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		total = uint64(si.Totalram) * uint64(si.Unit)
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			return n
		}
	}
	return total
}
