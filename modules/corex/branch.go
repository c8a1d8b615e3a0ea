package corex

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// compileAppendBranch compiles append_branch([uri[, q]]): a branch with
// the URI (the Request-URI when none or empty), the q value, $du, the
// Path vector, the forced socket and the Request-URI's branch flags.
// Without a URI the Request-URI moved into the branch, so $du, the Path
// vector, the forced socket and the branch flags are cleared.
func compileAppendBranch(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		var uri, q *string
		if len(fs) > 0 {
			s := fs[0](c)
			uri = &s
		}
		if len(fs) > 1 {
			s := fs[1](c)
			q = &s
		}
		return appendBranch(c, uri, q)
	}, nil
}

// appendBranch is corex_append_branch; uri and q are nil when not given.
func appendBranch(c *event.Context, uri, q *string) int {
	m := sipmsg.FromContext(c)
	qv := sipmsg.QUnspecified
	if q != nil && *q != "" {
		n, ok := parseQ(*q)
		if !ok {
			logf(c, klog.Err, "corex_append_branch(): cannot parse the Q parameter")
			return -1
		}
		qv = n
	}
	b := sipmsg.Branch{DstURI: m.DstURI, Path: m.PathVec, Q: qv, Flags: m.RuriFlags, Socket: m.ForceSocket}
	if uri != nil {
		b.URI = *uri
	}
	if err := m.AppendBranch(b); err != nil {
		logf(c, klog.Err, "append_branch(): max nr of branches exceeded")
		return -1
	}
	if uri == nil || *uri == "" {
		m.ForceSocket = nil
		m.RuriFlags = 0
		m.DstURI = ""
		m.PathVec = ""
	}
	return 1
}

// parseQ reads a q value as Kamailio's str2q does: 0 to 1 with up to
// three decimals, in thousandths.
func parseQ(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	whole := s[0]
	rest := s[1:]
	if whole != '0' && whole != '1' {
		return 0, false
	}
	q := int(whole-'0') * 1000
	if rest == "" {
		return q, true
	}
	if rest[0] != '.' || len(rest) > 4 {
		return 0, false
	}
	scale := 100
	for i := 1; i < len(rest); i++ {
		d := rest[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		q += int(d-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}
