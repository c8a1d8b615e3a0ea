package sanity

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.sanity.sanity_check(checks,
// uri_checks), KSR.sanity.sanity_check_defaults() and
// KSR.sanity.sanity_reply(), as Kamailio exports them. A failed check is
// -1 whatever autodrop says, and the masks are not range-checked (the
// native function's checks are its wrapper's).
func (m *Module) KEMI() []module.KEMIFunc {
	i := module.KEMIInt
	check := func(c *event.Context, checks, uris int) module.KEMIValue {
		if rc := m.Check(c, sipmsg.FromContext(c), checks, uris); rc != failed {
			return module.KEMIRC(rc)
		}
		return module.KEMIRC(-1)
	}
	return []module.KEMIFunc{
		{Module: Name, Name: "sanity_check", Params: []module.KEMIType{i, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return check(c, int(a[0].I), int(a[1].I))
			}},
		{Module: Name, Name: "sanity_check_defaults", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return check(c, int(m.defaultChecks), int(m.uriChecks))
			}},
		{Module: Name, Name: "sanity_reply", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(m.Reply(c, sipmsg.FromContext(c)))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
