package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The functions over extended AVPs that Kamailio added after 5.6, read
// from pv.c, pv_xavp.c and core/xavp.c at the tag of the release that
// added each (no Kamailio of those releases runs here: the tests state
// what the source does).
//
//	5.7: xavp_lshift, xavp_push_dst
//	5.8: xavp_params_implode_qval
//	6.0: xavp_xparams_explode
//	6.1: xavp_rm_all, xavi_rm_all
func newerXavpFuncs() []module.Func {
	since := func(fn module.Func, release string, routes routetype.Mask) module.Func {
		fn.Ext, fn.Routes = "Kamailio "+release, routes
		return fn
	}
	any := routetype.Any
	return []module.Func{
		since(module.Func{Name: "xavp_lshift", MinArgs: 2, MaxArgs: 2, Compile: compileLshift}, "5.7", any),
		since(module.Func{Name: "xavp_push_dst", MinArgs: 1, MaxArgs: 1, Compile: compilePushDst}, "5.7",
			routetype.Request|routetype.Branch|routetype.Failure),
		since(module.Func{Name: "xavp_params_implode_qval", MinArgs: 2, MaxArgs: 2, Compile: compileParamsImplodeMode(familyXavp, true)}, "5.8", any),
		since(module.Func{Name: "xavp_xparams_explode", MinArgs: 3, MaxArgs: 3, Compile: compileXparamsExplode}, "6.0", any),
		since(module.Func{Name: "xavp_rm_all", MinArgs: 1, MaxArgs: 1, Compile: compileRmAll(familyXavp)}, "6.1", any),
		since(module.Func{Name: "xavi_rm_all", MinArgs: 1, MaxArgs: 1, Compile: compileRmAll(familyXavi)}, "6.1", any),
	}
}

// compileRmAll is xavp_rm_all/xavi_rm_all: every root item of that name
// goes. The result is how many went, or 1 when there was none.
func compileRmAll(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := strArgs(h, "rm_all", args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return rmAll(fam(eventXavps(c)), fs[0](c)) }, nil
	}
}

func rmAll(f *xfamily, name string) int {
	if n := f.rmName(name, true, nil); n > 0 {
		return n
	}
	return 1
}

func compileLshift(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, fmt.Errorf("xavp_lshift: %v", err)
	}
	idx, err := args[1].Int(h)
	if err != nil {
		return nil, fmt.Errorf("xavp_lshift: %v", err)
	}
	return func(c *event.Context) int {
		i, ok := idx(c)
		if !ok {
			module.NotInt(c)
			logf(c, klog.Err, "w_xavp_lshift(): failed to get the xavp index")
			return -1
		}
		return lshift(&eventXavps(c).xavp, name(c), i)
	}, nil
}

// lshift rotates the root items named name so that the one at idx comes
// first and those before it go last (idx modulo their count, a negative
// idx counting from the end). As in Kamailio, the rotated items then
// stand before the other root items. The result is 1, or -2 when there
// is no item of that name; an empty name is 1 and changes nothing.
func lshift(f *xfamily, name string, idx int64) int {
	if name == "" || idx == 0 {
		return 1
	}
	var named, others []*xitem
	for _, it := range f.root {
		if f.same(it.name, name) {
			named = append(named, it)
		} else {
			others = append(others, it)
		}
	}
	n := int64(len(named))
	if n == 0 {
		return -2
	}
	idx %= n
	if idx < 0 {
		idx += n
	}
	if idx == 0 {
		return 1
	}
	root := make([]*xitem, 0, len(f.root))
	root = append(root, named[idx:]...)
	root = append(root, named[:idx]...)
	f.root = append(root, others...)
	return 1
}

func compilePushDst(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, fmt.Errorf("xavp_push_dst: %v", err)
	}
	return func(c *event.Context) int { return pushDst(c, name(c)) }, nil
}

// pushDst sets the destination from the children of the first
// $xavp(name): uri the Request-URI, dsturi the destination URI, socket
// (an address such as udp:1.2.3.4:5060) the sending socket when kamgo
// listens on it. Children that are missing or not strings are skipped.
// As everywhere in $xavp, an empty child list makes the lookups search
// the root list. -1 when $xavp(name) is not a list.
func pushDst(c *event.Context, name string) int {
	f := &eventXavps(c).xavp
	r := f.get(name, nil, 0)
	if r == nil || r.kind != xList {
		logf(c, klog.Dbg, "ki_xavp_push_dst(): no xavp with destination attributes")
		return -1
	}
	field := func(key string) (string, bool) {
		it := f.get(key, &r.sub, 0)
		if it == nil || it.kind != xStr {
			return "", false
		}
		return it.s, true
	}
	m := sipmsg.FromContext(c)
	if uri, ok := field("uri"); ok {
		m.SetRequestURI(uri)
	}
	if du, ok := field("dsturi"); ok {
		m.DstURI = du
	}
	if addr, ok := field("socket"); ok {
		if s, _ := sip.SocketAt(c, addr); s != nil {
			m.ForceSocket = s
		}
	}
	return 1
}

func compileXparamsExplode(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := strArgs(h, "xavp_xparams_explode", args)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return xparamsExplode(c, fs[0](c), fs[1](c), fs[2](c)) }, nil
}

// xparamsExplode adds $xavp(name) with one string child per parameter of
// params, separated by the first byte of sep (see parseParamList). A
// trailing ';' is dropped first, whatever the separator, as Kamailio
// does; an empty sep separates at NUL bytes, as Kamailio reads the
// string's terminator then. -1 when params or name is empty, or the list
// does not parse or holds nothing.
func xparamsExplode(c *event.Context, params, sep, name string) int {
	if params == "" || name == "" {
		logf(c, klog.Err, "xavp_xparams_explode(): invalid parameters")
		return -1
	}
	var sepByte byte
	if sep != "" {
		sepByte = sep[0]
	}
	if params[len(params)-1] == ';' {
		params = params[:len(params)-1]
	}
	items, ok := parseParamList(params, sepByte)
	if !ok {
		logf(c, klog.Dbg, "xavp_xparams_explode(): invalid formatted values [%s] sep [%s]", params, sep)
		return -1
	}
	if len(items) == 0 {
		return -1
	}
	f := &eventXavps(c).xavp
	sub := make([]*xitem, 0, len(items))
	for _, p := range items {
		sub = append(sub, f.newItem(p.name, value.MakeStr(p.value)))
	}
	f.add(f.newList(name, sub), nil)
	return 1
}

// parseParamList parses "n1=v1;n2;n3='v 3'" with sep in place of ';' as
// Kamailio's parse_params2 does: names end at white space, ',', '=' or
// sep; a value is a token (ending at white space, ',' or sep) or a
// single- or double-quoted string; white space around '=' and after sep
// is skipped. A ',' (or '>') where a separator is expected ends the list
// there. ok is false for a value that is missing its closing quote, an
// empty token after '=' followed by more text, a stray character where
// a separator belongs, or a separator with nothing after it.
func parseParamList(s string, sep byte) (items []paramItem, ok bool) {
	isWS := func(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }
	trim := func(s string) string {
		for s != "" && isWS(s[0]) {
			s = s[1:]
		}
		return s
	}
	for s != "" {
		i := 0
		for i < len(s) && !isWS(s[i]) && s[i] != ',' && s[i] != '=' && s[i] != sep {
			i++
		}
		p := paramItem{name: s[:i]}
		s = trim(s[i:])
		if s == "" {
			return append(items, p), true
		}
		if s[0] == '=' {
			s = trim(s[1:])
			if s == "" {
				return append(items, p), true
			}
			if q := s[0]; q == '"' || q == '\'' {
				end := -1
				for j := 1; j < len(s); j++ {
					if s[j] == q {
						end = j
						break
					}
				}
				if end < 0 {
					return nil, false
				}
				p.value, s = s[1:end], s[end+1:]
			} else {
				j := 0
				for j < len(s) && !isWS(s[j]) && s[j] != ',' && s[j] != sep {
					j++
				}
				if j == 0 {
					return nil, false
				}
				p.value, s = s[:j], s[j:]
			}
			s = trim(s)
			if s == "" {
				return append(items, p), true
			}
		}
		items = append(items, p)
		switch {
		case sep != ',' && s[0] == ',', sep != '>' && s[0] == '>':
			return items, true
		case s[0] != sep:
			return nil, false
		}
		s = trim(s[1:])
		if s == "" {
			return nil, false
		}
	}
	return items, true
}
