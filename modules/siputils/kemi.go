package siputils

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.siputils.*, as Kamailio 5.6
// exports them, and those later releases added (marked Ext).
// uri_param_value is uri_param with a value; is_first_hop_mode is
// is_first_hop with a mode; the arguments are taken as given (no
// pseudo-variables are expanded).
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	msg0 := func(name string, run func(c *event.Context, msg *sipmsg.Msg) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(run(c, sipmsg.FromContext(c)))
			}}
	}
	strs := func(name string, n int, run func(c *event.Context, msg *sipmsg.Msg, a []string) int) module.KEMIFunc {
		params := make([]module.KEMIType, n)
		for k := range params {
			params[k] = s
		}
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				args := make([]string, len(a))
				for k, v := range a {
					args[k] = v.S
				}
				return module.KEMIRC(run(c, sipmsg.FromContext(c), args))
			}}
	}
	ext := func(f module.KEMIFunc, origin string) module.KEMIFunc {
		f.Ext = origin
		return f
	}
	return []module.KEMIFunc{
		msg0("has_totag", hasToTag),
		msg0("is_request", isRequest),
		msg0("is_reply", isReply),
		msg0("is_first_hop", func(c *event.Context, msg *sipmsg.Msg) int { return isFirstHop(c, msg, 0) }),
		{Module: Name, Name: "is_first_hop_mode", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(isFirstHop(c, sipmsg.FromContext(c), a[0].I))
			}},
		strs("is_uri", 1, func(c *event.Context, msg *sipmsg.Msg, a []string) int {
			if a[0] == "" {
				return -1
			}
			return isURI(c, msg, a)
		}),
		strs("is_user", 1, isUser),
		strs("uri_param", 1, uriParam),
		strs("uri_param_value", 2, uriParam),
		strs("uri_param_any", 1, uriParamAny),
		strs("uri_param_rm", 1, uriParamRm),
		strs("is_tel_number", 1, isTelNumber),
		strs("is_numeric", 1, isNumeric),
		strs("is_alphanum", 1, isAlphanum),
		strs("is_alphanumex", 2, isAlphanumex),
		msg0("options_reply", m.optionsReply),
		strs("encode_contact", 2, m.encodeContact),
		msg0("decode_contact", m.decodeContact),
		msg0("decode_contact_header", m.decodeContactHeader),
		strs("contact_param_encode", 2, contactParamEncode),
		strs("contact_param_decode", 1, contactParamDecode),
		strs("contact_param_decode_ruri", 1, contactParamDecodeRURI),
		strs("contact_param_rm", 1, contactParamRm),
		{Module: Name, Name: "hdr_date_check", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.dateCheck(c, sipmsg.FromContext(c), a[0].I))
			}},
		strs("cmp_uri", 2, cmpURI),
		strs("cmp_aor", 2, cmpAOR),
		strs("cmp_hdr_name", 2, cmpHdrName),
		msg0("is_gruu", func(c *event.Context, msg *sipmsg.Msg) int { return isGRUU(c, msg.RequestURI()) }),
		strs("add_uri_param", 1, addURIParam),
		ext(strs("contact_param_check", 1, contactParamCheck), extKamailio58),
		ext(msg0("is_sip", isSIP), extKamailio60),
		ext(msg0("is_http", isHTTP), extKamailio60),
		ext(msg0("sip_parse_headers", sipParseHeaders), extKamailio60),
		ext(strs("contact_param_encode_alias", 2, contactParamEncodeAlias), extKamailio61),
	}
}

var _ module.KEMIExporter = (*Module)(nil)
