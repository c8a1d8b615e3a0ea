package textops

import (
	"regexp"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.textops.*, as Kamailio's
// textops exports them. Regular expressions and subst expressions are
// compiled at each call; empty ones give the results Kamailio's ki_
// functions give.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	str := func(n int) []module.KEMIType {
		out := make([]module.KEMIType, n)
		for k := range out {
			out[k] = s
		}
		return out
	}
	type call = func(c *event.Context, a []value.Value) int
	f := func(name string, params []module.KEMIType, run call) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(run(c, a))
			}}
	}
	// added marks a function Kamailio 5.6 does not export to KEMI.
	added := func(release string, fn module.KEMIFunc) module.KEMIFunc {
		fn.Ext = "Kamailio " + release
		return fn
	}
	strs := func(run func(c *event.Context, s []string) int) call {
		return func(c *event.Context, a []value.Value) int {
			ss := make([]string, len(a))
			for k, v := range a {
				ss[k] = v.S
			}
			return run(c, ss)
		}
	}
	msgOf := sipmsg.FromContext
	// re compiles a KEMI regular expression (REG_EXTENDED|REG_ICASE|
	// REG_NEWLINE), logging as Kamailio's ki_ functions do.
	re := func(fn, expr string) *regexp.Regexp {
		r, err := compileRE(expr, true, true)
		if err != nil {
			m.logf(klog.Err, "%s(): failed to compile regex: %s", fn, expr)
			return nil
		}
		return r
	}
	se := func(fn string, run func(c *event.Context, se *subst) int) call {
		return func(c *event.Context, a []value.Value) int {
			if a[0].S == "" {
				return -1
			}
			x, err := parseSubst(m.host, a[0].S)
			if err != nil {
				m.logf(klog.Err, "%s(): cannot compile subst expression", fn)
				return -1
			}
			return run(c, x)
		}
	}
	searchIn := func(a area) call {
		return func(c *event.Context, v []value.Value) int {
			if v[0].S == "" {
				return 1
			}
			r := re("ki_search", v[0].S)
			if r == nil {
				return -1
			}
			return m.search(msgOf(c), r, a)
		}
	}
	appendIn := func(a area) call {
		return func(c *event.Context, v []value.Value) int {
			r := re("ki_search_append", v[0].S)
			if r == nil {
				return -1
			}
			return searchAppend(msgOf(c), r, v[1].S, a)
		}
	}
	replaceIn := func(a area, all, nl bool) call {
		return func(c *event.Context, v []value.Value) int {
			r, err := compileRE(v[0].S, true, nl)
			if err != nil {
				m.logf(klog.Err, "ki_replace(): failed to compile regex: %s", v[0].S)
				return -1
			}
			return m.replace(msgOf(c), r, v[1].S, a, all)
		}
	}
	replaceStrIn := func(a area) call {
		return strs(func(c *event.Context, s []string) int { return replaceStr(msgOf(c), a, s[0], s[1], s[2]) })
	}
	two := func(run func(a, b string) int) call {
		return func(_ *event.Context, v []value.Value) int { return run(v[0].S, v[1].S) }
	}
	list := func(run func(subject, list string, sep byte) int) call {
		return func(_ *event.Context, v []value.Value) int {
			if v[2].S == "" {
				return -1
			}
			return run(v[0].S, v[1].S, v[2].S[0])
		}
	}
	bodyPart := func(content bool) call {
		return func(c *event.Context, v []value.Value) int {
			dst, err := m.kc.PV(m.host, v[1].S)
			if err != nil || !dst.Writable() {
				m.logf(klog.Err, "ki_get_body_part(): failed to get pv spec")
				return -1
			}
			out, r := m.bodyPart(msgOf(c), v[0].S, content)
			if r > 0 {
				_ = dst.Set(c, value.MakeStr(out))
			}
			return r
		}
	}
	multipart := func(run func(v []value.Value) (nb, nc, bnd string)) call {
		return func(c *event.Context, v []value.Value) int {
			nb, nc, bnd := run(v)
			return m.setMultipart(msgOf(c), nb, nc, bnd)
		}
	}
	appendPart := func(hex, cd bool) call {
		return func(c *event.Context, v []value.Value) int {
			d := ""
			if cd {
				d = v[2].S
			}
			return m.appendPart(msgOf(c), v[0].S, v[1].S, d, hex)
		}
	}
	return []module.KEMIFunc{
		f("search", str(1), searchIn(areaAll)),
		f("search_body", str(1), searchIn(areaBody)),
		f("search_hf", str(3), func(c *event.Context, v []value.Value) int {
			if v[0].S == "" || v[1].S == "" {
				return -1
			}
			r := re("ki_search_hf", v[1].S)
			if r == nil {
				return -1
			}
			return searchHF(msgOf(c), sipmsg.CanonName(v[0].S), r, v[2].S)
		}),
		f("search_append", str(2), appendIn(areaMsg)),
		f("search_append_body", str(2), appendIn(areaBody)),
		f("is_present_hf", str(1), strs(m.isPresentHFName)),
		f("is_present_hf_re", str(1), strs(m.isPresentHFReText)),
		f("subst", str(1), se("ki_subst", m.substMsg)),
		f("subst_uri", str(1), se("ki_subst_uri", m.substURI)),
		f("subst_user", str(1), se("ki_subst_user", m.substUser)),
		f("subst_body", str(1), se("ki_subst_body", m.substBody)),
		f("subst_hf", str(3), func(c *event.Context, v []value.Value) int {
			if v[0].S == "" || v[1].S == "" {
				return -1
			}
			x, err := parseSubst(m.host, v[1].S)
			if err != nil {
				m.logf(klog.Err, "ki_subst_hf(): cannot compile subst expression")
				return -1
			}
			return m.substHF(c, sipmsg.CanonName(v[0].S), x, v[2].S)
		}),
		added("6.0", f("subst_v", str(3), func(c *event.Context, v []value.Value) int {
			dst, err := m.kc.PV(m.host, v[2].S)
			if err != nil {
				m.logf(klog.Err, "ki_subst_v(): failed to get pv spec")
				return -1
			}
			se, perr := parseSubst(m.host, v[1].S)
			return m.substV(c, v[0].S, v[1].S, se, perr, dst)
		})),
		f("remove_hf", str(1), strs(m.removeHFName)),
		f("remove_hf_re", str(1), strs(m.removeHFReText)),
		f("remove_hf_idx", []module.KEMIType{s, i}, func(c *event.Context, v []value.Value) int {
			return removeHFIdx(msgOf(c), v[0].S, int(v[1].I))
		}),
		f("remove_hf_exp", str(2), strs(m.removeHFExpText)),
		f("remove_hf_match", str(3), strs(m.removeHFMatch)),
		f("replace", str(2), replaceIn(areaMsg, false, true)),
		f("replace_str", str(3), replaceStrIn(areaMsg)),
		f("replace_all", str(2), replaceIn(areaMsg, true, true)),
		f("replace_body", str(2), replaceIn(areaBody, false, true)),
		f("replace_body_str", str(3), replaceStrIn(areaBody)),
		f("replace_hdrs", str(2), replaceIn(areaHdrs, false, true)),
		f("replace_hdrs_str", str(3), replaceStrIn(areaHdrs)),
		f("replace_body_all", str(2), replaceIn(areaBody, true, true)),
		f("replace_body_atonce", str(2), replaceIn(areaBody, true, true)),
		f("set_body", str(2), strs(m.setBody)),
		added("6.1", f("set_body_hex", str(2), strs(m.setBodyHex))),
		f("set_reply_body", str(2), strs(m.setReplyBody)),
		added("6.1", f("set_reply_body_hex", str(2), strs(m.setReplyBodyHex))),
		f("has_body", nil, func(c *event.Context, _ []value.Value) int { return hasBody(msgOf(c), "") }),
		f("has_body_type", str(1), func(c *event.Context, v []value.Value) int {
			want := ""
			if v[0].S != "" {
				k, ok := mimeKey(v[0].S)
				if !ok {
					m.logf(klog.Err, "ki_has_body_type(): unsupported mime <%s>", v[0].S)
					return -1
				}
				want = k
			}
			return hasBody(msgOf(c), want)
		}),
		f("filter_body", str(1), func(c *event.Context, v []value.Value) int { return m.filterBody(msgOf(c), v[0].S) }),
		f("is_privacy", str(1), func(c *event.Context, v []value.Value) int {
			want, ok := privacyOf(v[0].S)
			if v[0].S == "" || !ok {
				return -1
			}
			return isPrivacy(msgOf(c), want)
		}),
		f("in_list", str(3), list(inList)),
		f("in_list_prefix", str(3), list(inListPrefix)),
		f("cmp_str", str(2), two(cmpStr)),
		f("cmp_istr", str(2), two(cmpIStr)),
		f("search_str", str(2), two(m.searchStr)),
		f("starts_with", str(2), two(startsWith)),
		f("ends_with", str(2), two(endsWith)),
		f("str_find", str(2), two(strFind)),
		f("str_ifind", str(2), two(strIFind)),
		added("5.7", f("str_any_in", str(2), two(strAnyIn))),
		added("6.1", f("str_all_in", str(2), two(strAllIn))),
		f("is_audio_on_hold", nil, func(c *event.Context, _ []value.Value) int { return isAudioOnHold(msgOf(c)) }),
		f("set_body_multipart_mode", nil, multipart(func([]value.Value) (string, string, string) { return "", "", "" })),
		f("set_body_multipart_boundary", str(1), multipart(func(v []value.Value) (string, string, string) { return "", "", v[0].S })),
		f("set_body_multipart_content", str(2), multipart(func(v []value.Value) (string, string, string) { return v[0].S, v[1].S, "" })),
		f("set_body_multipart", str(3), multipart(func(v []value.Value) (string, string, string) { return v[0].S, v[1].S, v[2].S })),
		f("append_body_part", str(2), appendPart(false, false)),
		f("append_body_part_cd", str(3), appendPart(false, true)),
		f("append_body_part_hex", str(2), appendPart(true, false)),
		f("append_body_part_hex_cd", str(3), appendPart(true, true)),
		f("remove_body_part", str(1), strs(m.removeBodyPart)),
		f("get_body_part", str(2), bodyPart(true)),
		f("get_body_part_raw", str(2), bodyPart(false)),
		f("regex_substring", []module.KEMIType{s, s, i, i, s}, func(c *event.Context, v []value.Value) int {
			dst, err := m.kc.PV(m.host, v[4].S)
			if err != nil || !dst.Writable() {
				m.logf(klog.Err, "ki_regex_substring(): destination pseudo-variable is not writable: %s", v[4].S)
				return -1
			}
			out, r := m.regexSubstring(v[0].S, v[1].S, int(v[2].I), int(v[3].I))
			if r > 0 {
				_ = dst.Set(c, value.MakeStr(out))
			}
			return r
		}),
	}
}
