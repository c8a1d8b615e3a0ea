package pv

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// The functions between parameter lists and extended AVPs:
// xavp_params_explode/implode, xavu_params_explode/implode and
// xavp_slist_explode.

func compileParamsExplode(unique bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := strArgs(h, "params_explode", args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			params, name := fs[0](c), fs[1](c)
			if params == "" || name == "" {
				logf(c, klog.Err, "%s_params_explode(): invalid parameters", map[bool]string{false: "xavp", true: "xavu"}[unique])
				return -1
			}
			items := splitParams(strings.TrimSuffix(params, ";"), ';')
			if len(items) == 0 || len(items) == 1 && items[0].name == "" {
				return -1
			}
			x := eventXavps(c)
			if unique {
				// xavu_set_xval adds a name it does not find to the root
				// list, even when building a child list: in 5.6.3 the
				// parameters land in the root list and the new item
				// holds an empty list.
				f := &x.xavu
				var sub []*xitem
				for i := len(items) - 1; i >= 0; i-- {
					f.setUnique(f.newItem(items[i].name, value.MakeStr(items[i].value)), &sub)
				}
				f.setUnique(f.newList(name, sub), nil)
				return 1
			}
			f := &x.xavp
			var sub []*xitem
			for _, p := range items {
				sub = append(sub, f.newItem(p.name, value.MakeStr(p.value)))
			}
			f.add(f.newList(name, sub), nil)
			return 1
		}, nil
	}
}

// serializeMode writes the children of the first root item named name as
// "n=v;" (ints unsigned, an empty string as "n;"), with quote non-empty
// strings in double quotes as n="v"; (xavp_params_implode_qval, Kamailio
// 5.8); "" when there is nothing to write (Kamailio then fails).
func serializeMode(f *xfamily, name string, quote bool) string {
	q := ""
	if quote {
		q = `"`
	}
	sub := f.get(name, nil, 0).childList()
	if sub == nil {
		return ""
	}
	var b strings.Builder
	for _, it := range *sub {
		switch it.kind {
		case xInt:
			b.WriteString(it.name + "=" + strconv.FormatUint(uint64(uint32(it.i)), 10) + ";")
		case xStr:
			if it.s == "" {
				b.WriteString(it.name + ";")
			} else {
				b.WriteString(it.name + "=" + q + it.s + q + ";")
			}
		}
	}
	return b.String()
}

func compileParamsImplode(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return compileParamsImplodeMode(fam, false)
}

func compileParamsImplodeMode(fam familyOf, quote bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		name, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		// The output variable is a plain name that Kamailio resolves when
		// the function runs: one that is not a writable variable fails
		// then, not at load time.
		out, outErr := args[1].OutPV(h)
		return func(c *event.Context) int {
			n := name(c)
			if n == "" {
				logf(c, klog.Err, "params_implode(): invalid xavp name")
				return -1
			}
			if outErr != nil {
				logf(c, klog.Err, "params_implode(): cannot get pv spec: %v", outErr)
				return -1
			}
			s := serializeMode(fam(eventXavps(c)), n, quote)
			if s == "" {
				return -1
			}
			if err := out.Set(c, value.MakeStr(s)); err != nil {
				logf(c, klog.Err, "params_implode(): setting PV failed [%s]", out.Node.Text)
				return -1
			}
			return 1
		}, nil
	}
}

func compileSlistExplode(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := strArgs(h, "xavp_slist_explode", args)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		list, sep, mode, name := fs[0](c), fs[1](c), fs[2](c), fs[3](c)
		if list == "" || sep == "" || name == "" {
			logf(c, klog.Err, "xavp_slist_explode(): invalid parameters")
			return -1
		}
		f := &eventXavps(c).xavp
		trim := strings.HasPrefix(mode, "t")
		var sub []*xitem
		start := 0
		for i := 0; i <= len(list); i++ {
			if i < len(list) && strings.IndexByte(sep, list[i]) < 0 {
				continue
			}
			tok := list[start:i]
			start = i + 1
			if trim {
				tok = strings.Trim(tok, " \t\r\n")
			}
			if tok != "" {
				sub = append(sub, f.newItem("v", value.MakeStr(tok)))
			}
		}
		f.add(f.newList(name, sub), nil)
		return 1
	}, nil
}
