package sl

import cnt "github.com/kamgo/kamgo/runtime/counters"

// RegisterCounters implements cnt.Registrant: sl's statistics, as
// Kamailio's sl registers them, read from the module's counts. As there, a
// code counted on its own (200, 202, 300 ...) is not in its class's
// count, replies below 200 or above 699 count as xxx_replies, 1xx_replies
// and sent_err_replies stay 0 (Kamailio 5.6 never adds to them).
func (m *Module) RegisterCounters(r *cnt.Registry) error {
	s := &m.stats
	code := func(c int) func() int64 {
		for i, cc := range countedCodes {
			if cc == c {
				return func() int64 { return int64(s.byCode[i].Load()) }
			}
		}
		return func() int64 { return 0 }
	}
	// class counts the class's replies minus the codes counted on their own.
	class := func(cl int) func() int64 {
		return func() int64 {
			n := int64(s.byClass[cl].Load())
			for i, cc := range countedCodes {
				if cc/100 == cl {
					n -= int64(s.byCode[i].Load())
				}
			}
			return max(n, 0)
		}
	}
	zero := func() int64 { return 0 }
	xxx := func() int64 { return int64(s.byClass[0].Load() + s.byClass[1].Load()) }
	sent := func() int64 {
		var n uint64
		for i := range s.byClass {
			n += s.byClass[i].Load()
		}
		return int64(n)
	}
	const doc = "sl statistic"
	defs := []cnt.Def{{Name: "1xx_replies", Func: zero}}
	for _, c := range []struct {
		name string
		f    func() int64
	}{
		{"200_replies", code(200)}, {"202_replies", code(202)}, {"2xx_replies", class(2)},
		{"300_replies", code(300)}, {"301_replies", code(301)}, {"302_replies", code(302)}, {"3xx_replies", class(3)},
		{"400_replies", code(400)}, {"401_replies", code(401)}, {"403_replies", code(403)}, {"404_replies", code(404)},
		{"407_replies", code(407)}, {"408_replies", code(408)}, {"483_replies", code(483)}, {"4xx_replies", class(4)},
		{"500_replies", code(500)}, {"5xx_replies", class(5)}, {"6xx_replies", class(6)}, {"xxx_replies", xxx},
		{"sent_replies", sent}, {"sent_err_replies", zero},
		{"failures", func() int64 { return int64(s.failures.Load()) }},
		{"received_ACKs", func() int64 { return int64(s.filteredACKs.Load()) }},
	} {
		defs = append(defs, cnt.Def{Name: c.name, Func: c.f})
	}
	for i := range defs {
		defs[i].Doc = doc
	}
	_, err := r.RegisterAll("sl", defs)
	return err
}

var _ cnt.Registrant = (*Module)(nil)
