package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// pv_xavp_print, pv_xavu_print and pv_xavi_print.

// printFunc prints a root list to the log at INFO, in the shape of
// Kamailio's xavp_print_list (ids where Kamailio prints addresses).
func printFunc(label string, fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) {
		return func(c *event.Context) int {
			if c.Log != nil && c.Log.Enabled(klog.Info) {
				f := fam(eventXavps(c))
				printList(c.Log, label, f, f.root, 0)
			}
			return 1
		}, nil
	}
}

func listID(l []*xitem) string {
	if len(l) == 0 {
		return "(nil)"
	}
	return fmt.Sprintf("0x%x", l[0].id)
}

func printList(lg *klog.Logger, label string, f *xfamily, l []*xitem, level int) {
	p := func(format string, args ...any) { lg.Logf(klog.Info, "core", format, args...) }
	if level == 0 {
		p("+++++ start %s list: %s ((nil)) (level=%d)", label, listID(l), level)
	} else {
		p("+++++ start %s list: %s (%s) (level=%d)", label, listID(l), listID(l), level)
	}
	for _, it := range l {
		p("     *** (l:%d - 0x%x) %s name: %s", level, it.id, label, it.name)
		p("     %s id: %d", label, xavpHash(it.name, f.fold))
		p("     %s value type: %d", label, map[xkind]int{xNull: 0, xInt: 1, xStr: 2, xList: 6}[it.kind])
		switch it.kind {
		case xNull:
			p("     %s value: <null>", label)
		case xInt:
			p("     %s value (int): %d", label, it.i)
		case xStr:
			p("     %s value (str): %s", label, it.s)
		case xList:
			p("     %s value: <xavp:%s>", label, listID(it.sub))
			printList(lg, label, f, it.sub, level+1)
		}
		p("     *** (l:%d - 0x%x) end", level, it.id)
	}
	p("----- end %s list: %s (level=%d)", label, listID(l), level)
}

// xavpHash is the id Kamailio gives an item name: get_hash1_raw, or its
// case-insensitive variant for xavi.
func xavpHash(s string, fold bool) uint32 {
	if !fold {
		return corehash.Sum(s, "", 0)
	}
	var h uint32
	p := 0
	for ; p+4 <= len(s); p += 4 {
		v := (uint32(int32(int8(s[p])))<<24 + uint32(int32(int8(s[p+1])))<<16 +
			uint32(int32(int8(s[p+2])))<<8 + uint32(int32(int8(s[p+3])))) | 0x20202020
		h += v ^ (v >> 3)
	}
	var v uint32
	for ; p < len(s); p++ {
		v = v<<8 + uint32(int32(int8(s[p]|0x20)))
	}
	h += v ^ (v >> 3)
	return (h + (h >> 11)) + ((h >> 13) + (h >> 23))
}
