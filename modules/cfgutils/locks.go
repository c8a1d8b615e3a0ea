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
// A second key (Kamailio 6.0's two-key forms) is hashed after the first
// when it is not empty.
func (m *Module) lockSlot(key, key2 string) chan struct{} {
	return m.locks[corehash.Sum(asciiLower(key), asciiLower(key2), uint32(len(m.locks)))]
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
//
// The forms with a second key are Kamailio 6.0's (cfgutils.c at 6.0.7,
// read from the source: no Kamailio 6.0 runs here): the slot is the hash
// of both keys, an empty second key counting as none. Kamailio 6.0 fixes
// up trylock's second key not at all and then reads the text as a fixed
// parameter, which in practice ignores it, so trylock(k, k2) and
// unlock(k, k2) name different locks there; kamgo hashes both keys for
// all three (README, Differences).
func (m *Module) compileLock(op lockOpKind) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		key, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		if len(args) == 1 {
			return func(c *event.Context) int { return m.lockDo(c, key(c), "", op) }, nil
		}
		key2, err := args[1].Str(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return m.lockDo(c, key(c), key2(c), op) }, nil
	}
}
