package corex

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.corex.*, as Kamailio's corex
// exports them.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	rc := module.KEMIRC
	type call = func(module.Host, *event.Context, []value.Value) module.KEMIValue
	fn := func(name string, params []module.KEMIType, f call) module.KEMIFunc {
		return module.KEMIFunc{Module: "corex", Name: name, Params: params, Ret: i, Call: f}
	}
	ii := []module.KEMIType{i}
	ss := []module.KEMIType{s}
	return []module.KEMIFunc{
		fn("append_branch", nil, func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			return rc(appendBranch(c, nil, nil))
		}),
		fn("append_branch_uri", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(appendBranch(c, &a[0].S, nil))
		}),
		fn("append_branch_uri_q", []module.KEMIType{s, s}, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(appendBranch(c, &a[0].S, &a[1].S))
		}),
		fn("setxflag", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(xflag(c, opSet, a[0].I))
		}),
		fn("resetxflag", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(xflag(c, opReset, a[0].I))
		}),
		fn("isxflagset", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(xflag(c, opTest, a[0].I))
		}),
		fn("set_send_socket", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setSocket(c, a[0].S, sendSocket, byAddr))
		}),
		fn("set_send_socket_name", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setSocket(c, a[0].S, sendSocket, byName))
		}),
		fn("set_recv_socket", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setSocket(c, a[0].S, recvSocket, byAddr))
		}),
		fn("set_recv_socket_name", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setSocket(c, a[0].S, recvSocket, byName))
		}),
		fn("set_source_address", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.setSource(c, a[0].S))
		}),
		fn("via_add_srvid", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(setViaFlag(c, flAddSrvID, a[0].I))
		}),
		fn("via_add_xavp_params", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(setViaFlag(c, flAddXAVPViaParams, a[0].I))
		}),
		fn("via_use_xavp_fields", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(setViaFlag(c, flUseXAVPViaFields, a[0].I))
		}),
		fn("has_ruri_user", nil, func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			return rc(hasRURIUser(c))
		}),
		fn("has_user_agent", nil, func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			if ua, ok := sipmsg.FromContext(c).Header("user-agent"); ok && ua != "" {
				return rc(1)
			}
			return rc(-1)
		}),
		fn("send_data", []module.KEMIType{s, s}, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.sendData(c, a[0].S, "", a[1].S))
		}),
		fn("sendx", []module.KEMIType{s, s, s}, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.sendData(c, a[0].S, a[1].S, a[2].S))
		}),
		fn("is_faked_msg", nil, func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue { return rc(isFakedMsg(c)) }),
		{Module: "corex", Name: "file_read", Params: ss, Ret: module.KEMIXVal,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				data, ok := readFile(c, a[0].S)
				if !ok {
					return module.KEMIOf(value.MakeStr(""))
				}
				return module.KEMIOf(value.MakeStr(data))
			}},
		fn("file_write", []module.KEMIType{s, s}, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(writeFile(c, a[0].S, a[1].S))
		}),
		fn("is_socket_name", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(isSocketName(c, a[0].S))
		}),
		later("Kamailio 5.8", fn("via_reply_add_xavp_params", ii, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.viaReplyAddXAVPParams(c, a[0].I))
		})),
		later("Kamailio 6.0", fn("forward_uac", nil, func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			return rc(forwardUAC(c, ""))
		})),
		later("Kamailio 6.0", fn("forward_uac_uri", ss, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(forwardUAC(c, a[0].S))
		})),
	}
}

// later marks a KEMI function Kamailio added after 5.6 with its release.
func later(release string, f module.KEMIFunc) module.KEMIFunc {
	f.Ext = release
	return f
}

// hasRURIUser is KSR.corex.has_ruri_user(): 1 when the request's
// Request-URI has a user part.
func hasRURIUser(c *event.Context) int {
	m := sipmsg.FromContext(c)
	if !m.IsRequest() {
		return -1
	}
	u, err := sipmsg.ParseURI(m.RequestURI())
	if err != nil {
		logf(c, klog.Err, "ki_has_ruri_user(): failed to parse the R-URI")
		return -1
	}
	if u.User == "" {
		return -1
	}
	return 1
}

// isFakedMsg is is_faked_msg(): 1 for the core's shared faked request. The
// events kamgo runs (evapi's) each get a request of their own, which
// Kamailio does not count as the faked one: -1.
func isFakedMsg(*event.Context) int { return -1 }

var _ module.KEMIExporter = (*Module)(nil)
