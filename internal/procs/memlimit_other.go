//go:build !linux

package procs

// memoryLimit is unknown here: the pacer uses its smallest floor.
func memoryLimit() uint64 { return 0 }
