// Package siputils is kamgo's siputils module: tests and small edits of
// SIP messages and URIs. It runs the message tests (is_request, is_reply,
// has_totag, is_first_hop, is_supported, is_gruu, is_user), the
// Request-URI parameter functions (uri_param, uri_param_any,
// uri_param_rm, add_uri_param, get_uri_param), the value tests (is_uri,
// is_e164, is_uri_user_e164, is_tel_number, is_numeric, is_alphanum,
// is_alphanumex), the URI and header-name comparisons (cmp_uri, cmp_aor,
// cmp_hdr_name), URI rewrites in pseudo-variables (tel2sip, tel2sip2,
// set_uri_user, set_uri_host), the Contact encodings (encode_contact,
// decode_contact, decode_contact_header, contact_param_*), the first
// line's protocol (is_sip, is_http), sip_parse_headers, Remote-Party-ID
// from an AVP (append_rpid_hf, is_rpid_user_e164), the P-Charging-Vector header
// (sip_p_charging_vector, $pcv), hdr_date_check and options_reply, which
// answers through sl.
//
// Return codes and log lines follow Kamailio 5.6.3's siputils module, and
// Kamailio 6.1.4's for the parameter and functions later releases added;
// the package README lists where kamgo differs.
package siputils

import (
	"errors"
	"fmt"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "siputils.so"` names it.
const Name = "siputils"

// Parameter defaults, as Kamailio 5.6.3 sets them.
const (
	defAccept     = "*/*"
	defAcceptLang = "en"
	defSeparator  = "*"
	defRPIDSuffix = ";party=calling;id-type=subscriber;screen=yes"
	defRPIDAVP    = "$avp(s:rpid)"
	defE164MaxLen = 16 // '+' and 15 digits
)

// Origins of what Kamailio 5.6 does not have (module.Param.Ext,
// module.Func.Ext, module.KEMIFunc.Ext).
const (
	extKamailio57 = "Kamailio 5.7"
	extKamailio58 = "Kamailio 5.8"
	extKamailio60 = "Kamailio 6.0"
	extKamailio61 = "Kamailio 6.1"
)

func init() { module.Register(new(Module)) }

// Module is one loaded siputils module.
type Module struct {
	// Parameters (modparam).
	accept, acceptEnc, acceptLang, supported string
	separator                                string // contact_flds_separator
	rpidPrefix, rpidSuffix, rpidAVP          string
	e164MaxLen                               int64 // e164_max_len: the longest E.164 number, '+' included

	host  module.Host
	reply replyFunc
	rpid  *pv.Ref // the rpid_avp AVP; nil when the parameter is empty
	rmid  *pv.Ref // $rmid, for options_reply's error line
	now   func() time.Time
}

// replyFunc answers the request of c through sl (Kamailio's sl API
// freply, send_reply): 1 when sent, -1 when not.
type replyFunc func(c *event.Context, code int, reason string) int

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{
		accept: defAccept, acceptLang: defAcceptLang, separator: defSeparator,
		rpidSuffix: defRPIDSuffix, rpidAVP: defRPIDAVP, e164MaxLen: defE164MaxLen, now: time.Now,
	}
}

// Exports implements module.Exporter. bind_siputils is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	str := func(name, def string) module.Param {
		return module.Param{Name: name, Type: module.ParamStr, Default: value.MakeStr(def)}
	}
	return module.Exports{
		Params: []module.Param{
			str("options_accept", defAccept),
			str("options_accept_encoding", ""),
			str("options_accept_language", defAcceptLang),
			str("options_support", ""),
			str("contact_flds_separator", defSeparator),
			str("rpid_prefix", ""),
			str("rpid_suffix", defRPIDSuffix),
			str("rpid_avp", defRPIDAVP),
			{Name: "e164_max_len", Type: module.ParamInt, Default: value.MakeInt(defE164MaxLen), Ext: extKamailio57},
		},
		Funcs: []module.Func{
			{Name: "options_reply", Compile: compile0(m.optionsReply)},
			{Name: "is_user", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(isUser)},
			{Name: "has_totag", Compile: compile0(hasToTag)},
			{Name: "uri_param", MinArgs: 1, MaxArgs: 2, Compile: compileStrs(uriParam)},
			{Name: "uri_param_any", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(uriParamAny)},
			{Name: "add_uri_param", MinArgs: 1, MaxArgs: 1, Compile: compileLiteral(addURIParam)},
			{Name: "get_uri_param", MinArgs: 2, MaxArgs: 2, Compile: compileGetURIParam},
			{Name: "uri_param_rm", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(uriParamRm)},
			{Name: "tel2sip", MinArgs: 3, MaxArgs: 3, Compile: compileTel2SIP},
			{Name: "tel2sip2", MinArgs: 3, MaxArgs: 3, Compile: compileTel2SIP2, Ext: extKamailio58,
				Routes: routetype.Request | routetype.Failure | routetype.Branch | routetype.OnReply | routetype.CoreOnReply},
			{Name: "is_uri", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(isURI)},
			{Name: "is_e164", MinArgs: 1, MaxArgs: 1, Compile: compilePV("is_e164", m.isE164)},
			{Name: "is_uri_user_e164", MinArgs: 1, MaxArgs: 1, Compile: compilePV("w_is_uri_user_e164", m.isURIUserE164)},
			{Name: "encode_contact", MinArgs: 2, MaxArgs: 2, Compile: compileLiterals(m.encodeContact)},
			{Name: "decode_contact", Compile: compile0(m.decodeContact)},
			{Name: "decode_contact_header", Compile: compile0(m.decodeContactHeader)},
			{Name: "cmp_uri", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(cmpURI)},
			{Name: "cmp_aor", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(cmpAOR)},
			{Name: "cmp_hdr_name", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(cmpHdrName)},
			{Name: "is_rpid_user_e164", Compile: compile0(m.isRPIDUserE164)},
			// Kamailio has append_rpid_hf with no argument and with two. A
			// declaration states one range of counts, so this one takes any
			// and compileAppendRPID refuses the others; the checker refuses
			// them first, from the catalog.
			{Name: "append_rpid_hf", MinArgs: 0, MaxArgs: -1, Compile: m.compileAppendRPID},
			{Name: "set_uri_user", MinArgs: 2, MaxArgs: 2, Compile: compileSetURI("set_uri_user", "uriuser", setURIUser)},
			{Name: "set_uri_host", MinArgs: 2, MaxArgs: 2, Compile: compileSetURI("set_uri_host", "uri", setURIHost)},
			{Name: "is_request", Compile: compile0(isRequest)},
			{Name: "is_reply", Compile: compile0(isReply)},
			{Name: "is_sip", Compile: compile0(isSIP), Ext: extKamailio60, Routes: routetype.Any},
			{Name: "is_http", Compile: compile0(isHTTP), Ext: extKamailio60, Routes: routetype.Any},
			{Name: "is_gruu", MinArgs: 0, MaxArgs: 1, Compile: compileIsGRUU},
			{Name: "is_supported", MinArgs: 1, MaxArgs: 1, Compile: compileIsSupported},
			{Name: "is_first_hop", MinArgs: 0, MaxArgs: 1, Compile: compileIsFirstHop},
			{Name: "is_tel_number", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(isTelNumber)},
			{Name: "is_numeric", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(isNumeric)},
			{Name: "is_alphanum", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(isAlphanum)},
			{Name: "is_alphanumex", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(isAlphanumex)},
			{Name: "sip_p_charging_vector", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(m.chargingVector)},
			{Name: "contact_param_encode", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(contactParamEncode)},
			{Name: "contact_param_encode_alias", MinArgs: 2, MaxArgs: 2, Compile: compileStrs(contactParamEncodeAlias), Ext: extKamailio61,
				Routes: routetype.Request | routetype.OnReply | routetype.CoreOnReply},
			{Name: "contact_param_decode", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(contactParamDecode)},
			{Name: "contact_param_decode_ruri", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(contactParamDecodeRURI)},
			{Name: "contact_param_rm", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(contactParamRm)},
			{Name: "contact_param_check", MinArgs: 1, MaxArgs: 1, Compile: compileStrs(contactParamCheck), Ext: extKamailio58, Routes: routetype.Any},
			{Name: "hdr_date_check", MinArgs: 1, MaxArgs: 1, Compile: m.compileDateCheck},
			{Name: "sip_parse_headers", Compile: compile0(sipParseHeaders), Ext: extKamailio60, Routes: routetype.Any},
		},
		Classes: []*pv.Class{pcvClass()},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "options_accept":
		m.accept = v.S
	case "options_accept_encoding":
		m.acceptEnc = v.S
	case "options_accept_language":
		m.acceptLang = v.S
	case "options_support":
		m.supported = v.S
	case "contact_flds_separator":
		m.separator = v.S
	case "rpid_prefix":
		m.rpidPrefix = v.S
	case "rpid_suffix":
		m.rpidSuffix = v.S
	case "rpid_avp":
		m.rpidAVP = v.S
	case "e164_max_len":
		m.e164MaxLen = v.I
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: it binds sl, whose replies
// options_reply sends, and compiles the rpid_avp AVP.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	if err := declareCfg(h); err != nil {
		return err
	}
	sl, ok := h.Module("sl")
	if !ok {
		return errors.New("mod_init(): cannot bind to SL API")
	}
	if m.reply = slReply(h, sl); m.reply == nil {
		return errors.New("mod_init(): cannot bind to SL API")
	}
	if m.rpidAVP != "" {
		r, err := h.CompilePV(m.rpidAVP, diag.Range{})
		if err != nil || r.Node.Class != "avp" {
			return fmt.Errorf("init_rpid_avp(): malformed or non AVP %s AVP definition", m.rpidAVP)
		}
		m.rpid = r
	}
	// Without pv loaded there is no $rmid; options_reply's error line then
	// prints 0 for the method.
	m.rmid, _ = h.CompilePV("$rmid", diag.Range{})
	return nil
}

// slReply returns sl's send_reply: through the transaction when there is
// one, else stateless.
func slReply(_ module.Host, sl module.Module) replyFunc {
	r, ok := sl.(interface {
		SendReplyTM(c *event.Context, code int, reason string) int
	})
	if !ok {
		return nil
	}
	return r.SendReplyTM
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
