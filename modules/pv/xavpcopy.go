package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// xavp_copy.

func compileXavpCopy(h module.Host, args []*module.Arg) (module.Call, error) {
	src, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	sidx, err := args[1].Int(h)
	if err != nil {
		return nil, fmt.Errorf("xavp_copy: %v", err)
	}
	dst, err := args[2].Str(h)
	if err != nil {
		return nil, err
	}
	var didx module.IntFunc
	if len(args) == 4 {
		if didx, err = args[3].Int(h); err != nil {
			return nil, fmt.Errorf("xavp_copy: %v", err)
		}
	}
	return func(c *event.Context) int {
		si, ok := sidx(c)
		if !ok {
			logf(c, klog.Err, "w_xavp_copy_dst(): failed to get the src_idx value")
			return -1
		}
		di := int64(0)
		if didx != nil {
			if di, ok = didx(c); !ok {
				logf(c, klog.Err, "w_xavp_copy_dst(): failed to get the dst_idx value")
				return -1
			}
		}
		return xavpCopy(c, src(c), int(si), dst(c), int(di), didx != nil)
	}, nil
}

// xavpCopy copies the si-th root item named src under the name dst: after
// the last item named dst (or in front when there is none), or in place of
// the di-th one when replace is set.
func xavpCopy(c *event.Context, src string, si int, dst string, di int, replace bool) int {
	f := &eventXavps(c).xavp
	from := f.get(src, nil, si)
	if from == nil {
		logf(c, klog.Err, "ki_xavp_copy_dst_mode(): missing can not find source xavp [%s]", src)
		return -1
	}
	n, ok := f.clone(from, dst)
	if !ok {
		logf(c, klog.Err, "ki_xavp_copy_dst_mode(): error cloning xavp")
		return -1
	}
	if !replace {
		if f.get(dst, nil, 0) == nil {
			f.add(n, nil)
		} else {
			f.addLast(n, nil)
		}
		return 1
	}
	old := f.get(dst, nil, di)
	if old == nil {
		logf(c, klog.Err, "ki_xavp_copy_dst_mode(): xavp_copy: missing can not find destination xavp [%s]", dst)
		return -1
	}
	if di == 0 {
		f.add(n, nil)
	} else {
		prev := f.get(dst, nil, di-1)
		for i, it := range f.root {
			if it == prev {
				insertAt(&f.root, i+1, n)
				break
			}
		}
	}
	f.remove(old, nil)
	return 1
}
