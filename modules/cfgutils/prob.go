package cfgutils

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// randEvent is rand_event: true with the current probability. 0 and 100
// need no random number; a negative probability (initial_probability
// accepts one) is never true.
func (m *Module) randEvent() int {
	p := m.prob.Load()
	switch p {
	case 0:
		return -1
	case 100:
		return 1
	}
	if rand.Float64() < float64(p)/100 {
		return 1
	}
	return -1
}

// compileSetProb builds rand_set_prob(p). The probability is fixed at
// load time and read as Kamailio's str2int reads it, keeping what it
// parsed before a failure: leading digits count ("50%" is 50), text
// without them is 0 (so "$var(x)" is 0, not the variable); above 100 is
// a load error.
func (m *Module) compileSetProb(_ module.Host, args []*module.Arg) (module.Call, error) {
	s, ok := argText(args[0])
	if !ok {
		return nil, fmt.Errorf("rand_set_prob: the probability must be a number")
	}
	n := leadingUint(s)
	if n > 100 {
		return nil, fmt.Errorf("rand_set_prob: invalid probability <%d>", n)
	}
	p := int64(n)
	return func(*event.Context) int { m.prob.Store(p); return 1 }, nil
}

// leadingUint is the value Kamailio's str2int leaves behind: an optional
// '+', then decimal digits up to the first other character; overflow
// gives the largest uint32.
func leadingUint(s string) uint32 {
	i := 0
	if i < len(s) && s[i] == '+' {
		i++
	}
	var n uint64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint64(s[i]-'0')
		if n > math.MaxUint32 {
			return math.MaxUint32
		}
	}
	return uint32(n)
}

// compileRandom compiles $RANDOM: a random number in 0..2^31-1, an int
// that also reads as its decimal text.
func compileRandom(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name != nil {
		return nil, fmt.Errorf("takes no name")
	}
	return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(int64(rand.Int32())) }), nil
}
