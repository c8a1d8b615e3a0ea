package registrar

import (
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/value"
)

// cfgVar is a variable of registrar's configuration group and the
// parameter that gives its start value.
type cfgVar struct {
	def   cfgvars.Def
	param string
}

// cfgVars is the registrar group of Kamailio's configuration framework
// (cfg.set registrar NAME VALUE), in Kamailio's order.
var cfgVars = []cfgVar{
	{cfgvars.Def{Name: "realm_pref", Type: cfgvars.Str, Descr: "Prefix taken off the domain of an AoR"}, "realm_prefix"},
	{cfgvars.Def{Name: "default_expires", Type: cfgvars.Int, Descr: "Expiry in seconds of a contact that states none"}, ""},
	{cfgvars.Def{Name: "default_expires_range", Type: cfgvars.Int, Min: 0, Max: 100, Descr: "Percentage of default_expires by which a default expiry varies"}, ""},
	{cfgvars.Def{Name: "expires_range", Type: cfgvars.Int, Min: 0, Max: 100, Descr: "Percentage by which a requested expiry varies"}, ""},
	{cfgvars.Def{Name: "min_expires", Type: cfgvars.Int, Descr: "Lowest expiry a contact gets, in seconds (0: no lower bound)"}, ""},
	{cfgvars.Def{Name: "max_expires", Type: cfgvars.Int, Descr: "Highest expiry a contact gets, in seconds (0: no upper bound)"}, ""},
	{cfgvars.Def{Name: "max_contacts", Type: cfgvars.Int, Descr: "Most contacts one AoR may have (0: no limit)"}, ""},
	{cfgvars.Def{Name: "retry_after", Type: cfgvars.Int, Descr: "Seconds put in a Retry-After header of 5xx replies (0: no header)"}, ""},
	{cfgvars.Def{Name: "case_sensitive", Type: cfgvars.Int, Descr: "1: AoRs that differ in case are different"}, ""},
	{cfgvars.Def{Name: "default_q", Type: cfgvars.Int, Min: -1, Max: 1000, Descr: "q of a contact that states none, in thousandths (-1: none)"}, ""},
	{cfgvars.Def{Name: "append_branches", Type: cfgvars.Int, Descr: "1: lookup adds a branch for each further contact"}, ""},
	{cfgvars.Def{Name: "use_expired_contacts", Type: cfgvars.Int, Descr: "1: expired contacts are used as live ones"}, ""},
}

// cfgIndex maps a group variable's name to its index in cfgVars.
var cfgIndex = func() map[string]int {
	ix := make(map[string]int, len(cfgVars))
	for i, v := range cfgVars {
		ix[v.def.Name] = i
	}
	return ix
}()

// rangeStats are the statistics default_expires_range and expires_range:
// Kamailio sets them only when cfg.set changes the variable.
type rangeStats struct {
	defaultRange, rng atomic.Int64
}

// declareCfg declares the registrar group with the parameters' values;
// changes of the two ranges reach their statistics.
func (m *Module) declareCfg(h any) error {
	defs := make([]cfgvars.Def, len(cfgVars))
	vals := make([]value.Value, len(cfgVars))
	for i, v := range cfgVars {
		defs[i] = v.def
		p := v.param
		if p == "" {
			p = v.def.Name
		}
		if v.def.Type == cfgvars.Str {
			vals[i] = value.MakeStr(m.strs[p])
		} else {
			vals[i] = value.MakeInt(m.ints[p])
		}
	}
	defs[cfgIndex["default_expires_range"]].OnChange = func(v value.Value) { m.ranges.defaultRange.Store(v.I) }
	defs[cfgIndex["expires_range"]].OnChange = func(v value.Value) { m.ranges.rng.Store(v.I) }
	g, err := cfgvars.DeclareModule(h, Name, defs, vals)
	m.cfg = g
	return err
}

// live returns the integer variable name of the registrar group as it is
// now (the parameter's value before the group is declared).
func (m *Module) live(name string) int64 {
	if m.cfg == nil {
		return m.ints[name]
	}
	return m.cfg.Int(nil, cfgIndex[name])
}

// realmPrefix is realm_pref as it is now.
func (m *Module) realmPrefix() string {
	if m.cfg == nil {
		return m.strs["realm_prefix"]
	}
	return m.cfg.Str(nil, cfgIndex["realm_pref"])
}
