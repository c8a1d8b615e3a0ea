package rr

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// eCfg is Kamailio's E_CFG, what KSR.rr.is_direction returns for a bad
// direction or without append_fromtag.
const eCfg = -6

// KEMI implements module.KEMIExporter: the KSR.rr functions of Kamailio
// 5.6's sr_kemi_rr_exports, with the native functions' results (strings
// are taken as they are, not as format strings).
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	f := func(name string, params []module.KEMIType, run func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(run(c, sipmsg.FromContext(c), a))
			}}
	}
	return []module.KEMIFunc{
		f("record_route", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.doRecordRoute(c, msg, "", "ki_record_route_params")
		}),
		f("record_route_params", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.doRecordRoute(c, msg, a[0].S, "ki_record_route_params")
		}),
		f("loose_route", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.looseRoute(c, msg, 0)
		}),
		f("loose_route_preloaded", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return preloadedRC(m.looseRoute(c, msg, 0))
		}),
		f("loose_route_mode", []module.KEMIType{i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.looseRoute(c, msg, a[0].I)
		}),
		f("remove_record_route", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.remove(c, msg)
		}),
		f("add_rr_param", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			if m.addParam(c, msg, a[0].S) < 0 {
				return -1
			}
			return 1
		}),
		f("check_route_param", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			re, err := compileRE(a[0].S)
			if err != nil {
				logf(c, klog.Err, "ki_check_route_param(): bad re %s", a[0].S)
				return -1
			}
			return checkRouteParam(c, msg, re)
		}),
		f("is_direction", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			if m.appendFromTag == 0 {
				logf(c, klog.Err, `ki_is_direction(): usage of "is_direction" function requires parameter"append_fromtag" enabled!!`)
				return eCfg
			}
			dir, ok := parseDirection(a[0].S)
			if !ok {
				logf(c, klog.Err, "ki_is_direction(): unknown direction '%s' - use 'downstream' or 'upstream'", a[0].S)
				return eCfg
			}
			return m.isDirection(c, msg, dir)
		}),
		f("record_route_preset_one", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.doPreset(c, msg, []string{a[0].S}, "ki_record_route_preset_one", false)
		}),
		f("record_route_preset", []module.KEMIType{s, s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			addrs := []string{a[0].S}
			if a[1].S != "" {
				addrs = append(addrs, a[1].S)
			}
			return m.doPreset(c, msg, addrs, "ki_record_route_preset", true)
		}),
		f("record_route_advertised_address", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.doAdvertised(c, msg, a[0].S, "ki_record_route_advertised_address")
		}),
		f("next_hop_route", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.nextHopRoute(c, msg)
		}),
	}
}

var _ module.KEMIExporter = (*Module)(nil)
