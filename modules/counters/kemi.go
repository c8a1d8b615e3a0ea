package counters

import (
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.counters.inc(name),
// KSR.counters.add(name, n) and KSR.counters.reset(name), which look the
// counter up at each call (-1 when there is none).
func (m *Module) KEMI() []module.KEMIFunc {
	s, i := module.KEMIStr, module.KEMIInt
	run := func(c *event.Context, name string, op func(*counters.Counter)) module.KEMIValue {
		k, err := m.lookup(name)
		if err != nil {
			if c.Log != nil {
				c.Log.Log(klog.Err, Name, err.Error())
			}
			return module.KEMIRC(-1)
		}
		op(k)
		return module.KEMIRC(1)
	}
	return []module.KEMIFunc{
		{Module: Name, Name: "inc", Params: []module.KEMIType{s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return run(c, value.ToStr(a[0]), func(k *counters.Counter) { k.Inc() })
			}},
		{Module: Name, Name: "add", Params: []module.KEMIType{s, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return run(c, value.ToStr(a[0]), func(k *counters.Counter) { k.Add(int64(int32(a[1].I))) })
			}},
		{Module: Name, Name: "reset", Params: []module.KEMIType{s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return run(c, value.ToStr(a[0]), func(k *counters.Counter) { k.Reset() })
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
