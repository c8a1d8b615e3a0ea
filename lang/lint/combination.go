package lint

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// MatrixMax is the default bound of a matrix run: every combination of up
// to 10 names.
const MatrixMax = 1 << 10

// Combination says, for each varied name of a matrix run (in the order of
// MatrixResult.Names), whether it is defined.
type Combination []bool

func (c Combination) key() string {
	b := make([]byte, len(c))
	for i, on := range c {
		b[i] = '0'
		if on {
			b[i] = '1'
		}
	}
	return string(b)
}

// Plan returns the combinations of n names a matrix run lints, at most
// limit of them (0 means MatrixMax), and whether they are a sample.
//
// When 2^n fits in limit, every combination is run, in counting order with
// the first name as the lowest bit. Otherwise a sample is taken, in this
// order and without repeats, until limit combinations: all names off; all
// on; each name alone on; each name alone off; then combinations drawn at
// random (each name on with probability 1/2) from a generator seeded with
// seed. The sample depends only on n, limit and seed.
func Plan(n, limit int, seed uint64) (combos []Combination, sampled bool) {
	if limit <= 0 {
		limit = MatrixMax
	}
	if n < 31 && 1<<n <= limit {
		combos = make([]Combination, 1<<n)
		for k := range combos {
			c := make(Combination, n)
			for i := range c {
				c[i] = k>>i&1 == 1
			}
			combos[k] = c
		}
		return combos, false
	}
	seen := map[string]bool{}
	add := func(c Combination) {
		if len(combos) < limit && !seen[c.key()] {
			seen[c.key()] = true
			combos = append(combos, c)
		}
	}
	fill := func(on bool) Combination {
		c := make(Combination, n)
		for i := range c {
			c[i] = on
		}
		return c
	}
	add(fill(false))
	add(fill(true))
	for _, on := range []bool{true, false} {
		for i := 0; i < n; i++ {
			c := fill(!on)
			c[i] = on
			add(c)
		}
	}
	// The space holds more than limit combinations, so the draws end; the
	// cap only guards against an unlucky generator.
	rng := rand.New(rand.NewPCG(seed, 0x6b616d676f))
	for tries := 0; len(combos) < limit && tries < 64*limit; tries++ {
		c := make(Combination, n)
		for i := range c {
			c[i] = rng.Uint64()&1 == 1
		}
		add(c)
	}
	return combos, true
}

// universe returns the combinations a finding is judged against: all of
// them, or, for a finding that no combination with syntax errors has (the
// rules and most checks do not run there), those without syntax errors.
func (m *MatrixResult) universe(in []int) (u []int, restricted bool) {
	skipped := map[int]bool{}
	for _, i := range m.Skipped {
		skipped[i] = true
	}
	for _, i := range in {
		if skipped[i] {
			skipped = nil
			break
		}
	}
	for i := range m.Combos {
		if !skipped[i] {
			u = append(u, i)
		}
	}
	return u, len(u) < len(m.Combos)
}

// describe says, for people, which of the combinations run a finding
// appears in: "all 8"; "2 of 8: WITH_A on, WITH_B off" when the names that
// agree in all of them pick exactly those; the combinations themselves
// when there are few names; else the names they agree on.
func (m *MatrixResult) describe(in []int) string {
	u, restricted := m.universe(in)
	of := strconv.Itoa(len(m.Combos))
	if m.Sampled {
		of += " sampled"
	}
	if restricted {
		of = strconv.Itoa(len(u)) + " without syntax errors (of " + of + ")"
	}
	if len(in) == len(u) {
		return "all " + of
	}
	head := strconv.Itoa(len(in)) + " of " + of
	lits, exact := m.agree(in, u)
	if exact && len(lits) > 0 {
		return head + ": " + strings.Join(lits, ", ")
	}
	const few = 6
	if len(m.Names) <= few && len(in) <= few {
		parts := make([]string, len(in))
		for k, i := range in {
			parts[k] = "{" + strings.Join(m.On(m.Combos[i]), ",") + "}"
		}
		return head + ": " + strings.Join(parts, " ")
	}
	if len(lits) > 0 {
		return head + ", each with " + strings.Join(lits, ", ") + " (--format json lists them)"
	}
	return head + " (--format json lists them)"
}

// when returns, as "A on, B off", the names whose values pick exactly the
// combinations of in among those the finding is judged against; "" when
// no names do, or when in holds all of them.
func (m *MatrixResult) when(in []int) string {
	u, _ := m.universe(in)
	if len(in) == len(u) {
		return ""
	}
	lits, exact := m.agree(in, u)
	if !exact {
		return ""
	}
	return strings.Join(lits, ", ")
}

// agree returns names that have one value in every combination of in, as
// "NAME on" or "NAME off", and whether the combinations of u with those
// values are exactly in. When they are, names not needed for that are
// left out (each in turn, in name order); else all the names that agree
// and do not have the same value in all of u are returned.
func (m *MatrixResult) agree(in, u []int) (lits []string, exact bool) {
	if len(in) == 0 {
		return nil, false
	}
	first := m.Combos[in[0]]
	use := make([]bool, len(m.Names)) // the name agrees in all of in
	for i := range use {
		use[i] = true
	}
	for _, k := range in[1:] {
		for i, on := range m.Combos[k] {
			if on != first[i] {
				use[i] = false
			}
		}
	}
	matching := func() int {
		n := 0
		for _, k := range u {
			ok := true
			for i, on := range m.Combos[k] {
				if use[i] && on != first[i] {
					ok = false
					break
				}
			}
			if ok {
				n++
			}
		}
		return n
	}
	exact = matching() == len(in)
	for i := range use {
		if !use[i] {
			continue
		}
		use[i] = false
		if exact && matching() == len(in) || !exact && !m.varies(u, i) {
			continue // not needed
		}
		use[i] = true
	}
	for i, on := range use {
		if !on {
			continue
		}
		state := " off"
		if first[i] {
			state = " on"
		}
		lits = append(lits, m.Names[i]+state)
	}
	return lits, exact
}

// varies reports whether name i is on in some combinations of u and off
// in others.
func (m *MatrixResult) varies(u []int, i int) bool {
	for _, k := range u[1:] {
		if m.Combos[k][i] != m.Combos[u[0]][i] {
			return true
		}
	}
	return false
}
