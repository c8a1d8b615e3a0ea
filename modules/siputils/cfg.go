package siputils

import (
	"errors"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// cfgDefs is the siputils group of Kamailio's configuration framework.
// Kamailio 5.6 declares ring_timeout although no function of the module
// reads it any more (the ring Call-ID list went with ring_insert_callid);
// it is kept so that cfg.get and cfg.set answer as Kamailio's do, and it
// only takes values above 0, as Kamailio's check of it.
var cfgDefs = []cfgvars.Def{
	{Name: "ring_timeout", Type: cfgvars.Int, Descr: "Seconds a Call-ID stayed in the ring list (unused)",
		Fixup: func(v value.Value) (value.Value, error) {
			if v.I <= 0 {
				return v, errors.New("ring_timeout must be above 0")
			}
			return v, nil
		}},
}

// declareCfg declares the siputils group.
func declareCfg(h module.Host) error {
	_, err := cfgvars.DeclareModule(h, Name, cfgDefs, []value.Value{value.MakeInt(0)})
	return err
}
