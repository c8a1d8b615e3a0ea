package jansson

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.jansson.get(path, json, pv),
// the one function Kamailio's jansson exports to KEMI. The path and
// document are plain strings; pv names the variable to set ("$var(x)"),
// compiled the first time it is seen.
func (m *Module) KEMI() []module.KEMIFunc {
	kc := &module.KEMICache{}
	s := module.KEMIStr
	return []module.KEMIFunc{
		{Module: "jansson", Name: "get", Params: []module.KEMIType{s, s, s}, Ret: module.KEMIInt,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				const fn = "ki_jansson_get"
				dst, err := kc.PV(h, a[2].S)
				if err != nil {
					logErr(c, fn, "cannot get pv spec for [%s]", a[2].S)
					return module.KEMIRC(-1)
				}
				if !dst.Writable() {
					logErr(c, fn, "read only output var [%s]", a[2].S)
					return module.KEMIRC(-1)
				}
				root := parseDoc(c, "janssonmod_get_helper", a[1].S)
				if root == nil {
					return module.KEMIRC(-1)
				}
				n := pathGet(root, cString(a[0].S))
				if n == nil {
					return module.KEMIRC(-1)
				}
				if err := dst.Set(c, toValue(n)); err != nil {
					return module.KEMIRC(-1)
				}
				return module.KEMIRC(1)
			}},
	}
}
