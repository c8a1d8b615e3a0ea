package diag

import (
	"fmt"
	"sort"
	"sync"
)

// Code is one diagnostic code, declared once, as data, by the package that
// reports it. Diagnostics carry only the ID; everything a person needs to
// understand one is here, and `kamgo explain ID` prints it.
type Code struct {
	// ID is the stable identifier, KC followed by four digits. An ID is
	// never reused for another meaning, even after its check is gone.
	ID string
	// Owner is the package that reports the code ("lang/check"); Register
	// sets it.
	Owner string
	// Title is one line, lower case, without a final period.
	Title string
	// Explain says what Kamailio does with such a config and why it
	// matters, in paragraphs separated by blank lines.
	Explain string
	// Example is a config fragment that gets this code; for the few codes
	// no short config can show (an unreadable file, a limit of hundreds of
	// lines), a command line or an abridged fragment.
	Example string
	// Fix is Example corrected, or "" when there is nothing to correct it
	// to (the mistake is the whole point of the fragment).
	Fix string
	// Reserved marks a code that no check reports, not yet or no longer.
	// It stays declared so that its ID is never given to anything else.
	Reserved bool
}

// block is a range of IDs, both ends included.
type block struct{ lo, hi string }

// blocks allocates IDs to the packages that report codes. Register refuses
// an ID outside its owner's blocks, so two packages can never pick the
// same one.
var blocks = map[string][]block{
	"lang/preproc":   {{"KC0001", "KC0199"}},
	"lang/pvsyntax":  {{"KC0400", "KC0499"}},
	"lang/parser":    {{"KC0500", "KC0599"}},
	"lang/check":     {{"KC1001", "KC1999"}, {"KC2001", "KC2099"}},
	"runtime/server": {{"KC2100", "KC2199"}},
	"runtime/interp": {{"KC2200", "KC2299"}},
}

// idShape reports whether id is shaped as a code: KC and four digits.
// Every package validates its codes when the program starts, so this is a
// loop rather than a regular expression compiled by every process.
func idShape(id string) bool {
	if len(id) != 6 || id[:2] != "KC" {
		return false
	}
	for i := 2; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// registry holds declared codes by ID.
type registry struct {
	mu    sync.Mutex
	codes map[string]Code
}

// std is the registry of the whole program.
var std registry

// Register declares the codes of the package owner. It panics when an ID
// is malformed, outside owner's allocated range or already declared, or
// when a code has no title: all are programming errors, found when the
// program starts. Packages call it from init.
func Register(owner string, codes ...Code) {
	if err := std.add(owner, codes); err != nil {
		panic(err)
	}
}

func (r *registry) add(owner string, codes []Code) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.codes == nil {
		r.codes = map[string]Code{}
	}
	for _, c := range codes {
		if err := InRange(owner, c.ID); err != nil {
			return err
		}
		if c.Title == "" {
			return fmt.Errorf("diag: code %s of %s has no title", c.ID, owner)
		}
		if prev, dup := r.codes[c.ID]; dup {
			return fmt.Errorf("diag: code %s is declared by %s and by %s", c.ID, prev.Owner, owner)
		}
		c.Owner = owner
		r.codes[c.ID] = c
	}
	return nil
}

// InRange returns an error unless id is well formed and inside one of the
// ranges allocated to owner.
func InRange(owner, id string) error {
	if !idShape(id) {
		return fmt.Errorf("diag: %s: malformed code %q", owner, id)
	}
	bs, ok := blocks[owner]
	if !ok {
		return fmt.Errorf("diag: %s has no range of codes allocated", owner)
	}
	for _, b := range bs {
		if b.lo <= id && id <= b.hi {
			return nil
		}
	}
	return fmt.Errorf("diag: code %s is outside the ranges of %s %v", id, owner, bs)
}

// Lookup returns the declared code with the given ID.
func Lookup(id string) (Code, bool) { return std.lookup(id) }

// Codes returns every declared code, ordered by ID.
func Codes() []Code { return std.all() }

func (r *registry) lookup(id string) (Code, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.codes[id]
	return c, ok
}

func (r *registry) all() []Code {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Code, 0, len(r.codes))
	for _, c := range r.codes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
