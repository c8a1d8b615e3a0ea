// Package textops is kamgo's textops module: functions that search and
// change the text of the SIP message (its headers, its body, the
// Request-URI), a few string tests (in_list, cmp_str, starts_with ...) and
// the {re.subst} transformation.
//
// Changes are lumps (runtime/sipmsg's Insert, Remove, Replace): they show
// in the message as it is sent and in $mbu, not in later reads of the
// same message, as in Kamailio 5.6.3. Headers added for local replies
// (append_to_reply, append_time) are the message's ReplyHeaders.
// Regular expressions are POSIX extended ones as Kamailio compiles them
// (lang/ere), matched leftmost-longest.
package textops

import (
	"fmt"
	"github.com/kamgo/kamgo/lang/routetype"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
)

// Name is the module name, as `loadmodule "textops.so"` names it.
const Name = "textops"

func init() { module.Register(new(Module)) }

// Module is one loaded textops module. It has no parameters.
type Module struct {
	host module.Host
	log  *klog.Logger
	now  func() time.Time // append_time's clock
	kc   module.KEMICache
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{now: time.Now} }}
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	return nil
}

func (m *Module) logf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

// corelogf logs a line Kamailio's core logs for the module's functions
// (the subst parser, the hex decoder).
func (m *Module) corelogf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, "core", format, args...)
	}
}

// Exports implements module.Exporter. bind_textops is an API for other C
// modules, not a script function.
func (m *Module) Exports() module.Exports {
	f := func(name string, n int, c func(module.Host, []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: c}
	}
	fr := func(name string, lo, hi int, c func(module.Host, []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: lo, MaxArgs: hi, Compile: c}
	}
	// since marks a function Kamailio 5.6 does not have: the release
	// that added it, and its route types there.
	since := func(fn module.Func, release string, routes routetype.Mask) module.Func {
		fn.Ext, fn.Routes = "Kamailio "+release, routes
		return fn
	}
	replyRoutes := routetype.Request | routetype.Failure | routetype.Branch
	return module.Exports{
		Funcs: []module.Func{
			f("search", 1, m.compileSearch(areaAll)),
			f("search_body", 1, m.compileSearch(areaBody)),
			f("search_hf", 3, m.compileSearchHF),
			f("search_append", 2, m.compileSearchAppend(areaMsg)),
			f("search_append_body", 2, m.compileSearchAppend(areaBody)),
			f("replace", 2, m.compileReplace(areaMsg, false)),
			f("replace_str", 3, m.compileReplaceStr(areaMsg)),
			f("replace_body", 2, m.compileReplace(areaBody, false)),
			f("replace_body_str", 3, m.compileReplaceStr(areaBody)),
			f("replace_hdrs", 2, m.compileReplace(areaHdrs, false)),
			f("replace_hdrs_str", 3, m.compileReplaceStr(areaHdrs)),
			f("replace_all", 2, m.compileReplace(areaMsg, true)),
			f("replace_body_all", 2, m.compileReplace(areaBody, true)),
			f("replace_body_atonce", 2, m.compileReplaceAtOnce),
			f("append_to_reply", 1, m.compileAppendToReply),
			fr("append_hf", 1, 2, m.compileAddHF(true)),
			fr("insert_hf", 1, 2, m.compileAddHF(false)),
			f("append_urihf", 2, m.compileAppendURIHF),
			f("remove_hf", 1, m.compileRemoveHF),
			f("remove_hf_idx", 2, m.compileRemoveHFIdx),
			f("remove_hf_re", 1, m.compileRemoveHFRe),
			f("remove_hf_exp", 2, m.compileRemoveHFExp),
			f("is_present_hf", 1, m.compileIsPresentHF),
			f("is_present_hf_re", 1, m.compileIsPresentHFRe),
			f("remove_hf_pv", 1, m.compileStrs(m.removeHFName)),
			f("remove_hf_re_pv", 1, m.compileStrs(m.removeHFReText)),
			f("remove_hf_exp_pv", 2, m.compileStrs(m.removeHFExpText)),
			f("remove_hf_match", 3, m.compileStrs(m.removeHFMatch)),
			f("is_present_hf_pv", 1, m.compileStrs(m.isPresentHFName)),
			f("is_present_hf_re_pv", 1, m.compileStrs(m.isPresentHFReText)),
			f("subst", 1, m.compileSubst(m.substMsg)),
			f("subst_uri", 1, m.compileSubst(m.substURI)),
			f("subst_user", 1, m.compileSubst(m.substUser)),
			f("subst_body", 1, m.compileSubst(m.substBody)),
			f("subst_hf", 3, m.compileSubstHF),
			since(f("subst_v", 3, m.compileSubstV), "6.0", routetype.Any),
			f("filter_body", 1, m.compileFilterBody),
			f("append_time", 0, m.compileAppendTime),
			f("set_body", 2, m.compileStrs(m.setBody)),
			since(f("set_body_hex", 2, m.compileStrs(m.setBodyHex)), "6.1", routetype.Any),
			f("set_reply_body", 2, m.compileStrs(m.setReplyBody)),
			since(f("set_reply_body_hex", 2, m.compileStrs(m.setReplyBodyHex)), "6.1", replyRoutes),
			f("is_method", 1, m.compileIsMethod),
			fr("has_body", 0, 1, m.compileHasBody),
			f("is_privacy", 1, m.compileIsPrivacy),
			f("in_list", 3, m.compileInList(inList)),
			f("in_list_prefix", 3, m.compileInList(inListPrefix)),
			f("cmp_str", 2, m.compileStrs2(cmpStr)),
			f("cmp_istr", 2, m.compileStrs2(cmpIStr)),
			f("search_str", 2, m.compileSearchStr),
			f("starts_with", 2, m.compileStrs2(startsWith)),
			f("ends_with", 2, m.compileStrs2(endsWith)),
			f("str_find", 2, m.compileStrs2(strFind)),
			f("str_ifind", 2, m.compileStrs2(strIFind)),
			since(f("str_any_in", 2, m.compileStrs2(strAnyIn)), "5.7", routetype.Any),
			since(f("str_all_in", 2, m.compileStrs2(strAllIn)), "6.1", routetype.Any),
			f("is_audio_on_hold", 0, m.compileAudioOnHold),
			f("append_time_to_request", 0, m.compileAppendTimeToRequest),
			since(f("via_param_rm", 2, m.compileViaParamRm), "5.8", routetype.Any),
			fr("set_body_multipart", 0, 3, m.compileSetMultipart),
			fr("append_body_part", 2, 3, m.compileAppendPart(false)),
			fr("append_body_part_hex", 2, 3, m.compileAppendPart(true)),
			f("remove_body_part", 1, m.compileStrs(m.removeBodyPart)),
			f("get_body_part_raw", 2, m.compileGetBodyPart(false)),
			f("get_body_part", 2, m.compileGetBodyPart(true)),
			f("regex_substring", 5, m.compileRegexSubstring),
		},
		Trans: []*pv.TransClass{m.reTrans()},
	}
}

// argErr is the load-time error of a bad argument.
func argErr(fn string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", fn, fmt.Sprintf(format, args...))
}

var (
	_ module.Module       = (*Module)(nil)
	_ module.Exporter     = (*Module)(nil)
	_ module.Provisioner  = (*Module)(nil)
	_ module.KEMIExporter = (*Module)(nil)
)
