package cfgutils

import (
	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// lockOp is what lock, unlock and trylock do; the numbers are the ones
// Kamailio's error line prints ("attempt to do op: 0").
type lockOpKind int

const (
	lockOp lockOpKind = iota
	unlockOp
	trylockOp
)

// lockSlot returns the lock a key maps to: Kamailio's core_case_hash of
// the key over the set, so keys that differ only in ASCII case share a
// lock, and so may other keys.
func (m *Module) lockSlot(key string) chan struct{} {
	return m.locks[corehash.Sum(asciiLower(key), "", uint32(len(m.locks)))]
}

// asciiLower maps A-Z to a-z and leaves every other byte alone, as
// core_case_hash folds bytes before hashing them like core_hash.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// compileLock builds lock, unlock and trylock. Locks are not owned: any
// worker may unlock, unlocking a free lock succeeds, and locking a lock
// the same worker holds waits (until the module stops, when lock returns
// -1). Without lock_set_size every operation logs an error and fails, as
// in Kamailio.
func (m *Module) compileLock(op lockOpKind) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		key, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return m.lockDo(c, key(c), op) }, nil
	}
}
