package catalog

import "strings"

// readOverrides sorts the module facts of overrides.txt by module and
// indexes the event names they declare.
func (r *release) readOverrides(fs []fact) {
	const outside, skipped = -1, -2
	cur := outside
	for _, f := range fs {
		if f.fields[0] == "module" {
			cur = skipped
			switch {
			case !f.holds(r.num):
				// the module's facts are for other releases
			case len(f.fields) != 2:
				r.problem(f, "want: module NAME")
			default:
				if i, ok := r.find(f.fields[1]); ok {
					cur = i
				} else {
					r.problem(f, "unknown module "+f.fields[1])
				}
			}
			continue
		}
		switch {
		case cur == outside:
			r.problem(f, "fact before any module line")
			continue
		case cur == skipped || !f.holds(r.num):
			continue
		case len(f.fields) < 2:
			r.problem(f, "fact without value")
			continue
		}
		switch f.fields[0] {
		case "event":
			e := f.fields[1]
			if p, ok := strings.CutSuffix(e, "*"); ok {
				r.evPrefix = append(r.evPrefix, eventPrefix{p, cur})
			} else {
				r.events[e] = cur
			}
		case "dep", "pvnames", "trans", "named", "unnamed":
		default:
			r.problem(f, "unknown fact "+f.fields[0])
			continue
		}
		r.modFacts[cur] = append(r.modFacts[cur], f)
	}
}
