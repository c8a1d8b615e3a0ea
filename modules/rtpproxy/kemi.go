package rtpproxy

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.rtpproxy.*, as Kamailio 5.6.3
// exports them.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	fn := func(name string, params []module.KEMIType, run func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(run(c, sipmsg.FromContext(c), a))
			}}
	}
	return []module.KEMIFunc{
		fn("rtpproxy_manage0", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.manage(c, msg, "", "", false)
		}),
		fn("rtpproxy_manage", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.manage(c, msg, a[0].S, "", false)
		}),
		fn("rtpproxy_manage_ip", []module.KEMIType{s, s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.manage(c, msg, a[0].S, a[1].S, a[1].S != "")
		}),
		fn("set_rtpproxy_set", []module.KEMIType{i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.setSet(c, msg, a[0].I, "ki_set_rtp_proxy_set")
		}),
		fn("rtpproxy_destroy0", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.unforce(c, msg, "")
		}),
		fn("rtpproxy_destroy", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.unforce(c, msg, a[0].S)
		}),
		fn("start_recording", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.startRecording(c, msg)
		}),
		fn("rtpproxy_offer0", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.offerAnswer(c, msg, "", "", true, false)
		}),
		fn("rtpproxy_offer", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.offerAnswer(c, msg, a[0].S, "", true, false)
		}),
		fn("rtpproxy_offer_ip", []module.KEMIType{s, s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.force(c, msg, a[0].S, a[1].S, true, true)
		}),
		fn("rtpproxy_answer0", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.offerAnswer(c, msg, "", "", false, false)
		}),
		fn("rtpproxy_answer", []module.KEMIType{s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.offerAnswer(c, msg, a[0].S, "", false, false)
		}),
		fn("rtpproxy_answer_ip", []module.KEMIType{s, s}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.force(c, msg, a[0].S, a[1].S, false, true)
		}),
		fn("rtpproxy_stream2uac", []module.KEMIType{s, i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.stream(c, msg, a[0].S, int(a[1].I), true)
		}),
		fn("rtpproxy_stream2uas", []module.KEMIType{s, i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.stream(c, msg, a[0].S, int(a[1].I), false)
		}),
		fn("rtpproxy_stop_stream2uac", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.stopStream(c, msg, true)
		}),
		fn("rtpproxy_stop_stream2uas", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.stopStream(c, msg, false)
		}),
	}
}

var _ module.KEMIExporter = (*Module)(nil)
