package pv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Branches: the message's destination set ($branch(name)[i], $br, $bR,
// $ds) and the static branch ($sbranch(name) and the sbranch_*
// functions). The destination set belongs to the message; the static
// branch belongs to the worker and outlives events, as Kamailio keeps it
// per process. A reset static branch has q 0, not "unspecified".

var sbranchKey = event.NewKey() // Worker slot: *sipmsg.Branch

func staticBranch(c *event.Context) *sipmsg.Branch {
	if c.Worker == nil {
		c.Worker = event.NewWorker(0)
	}
	if b, ok := c.Worker.Get(sbranchKey).(*sipmsg.Branch); ok {
		return b
	}
	b := &sipmsg.Branch{}
	c.Worker.Set(sbranchKey, b)
	return b
}

var branchNames = []string{"uri", "dst_uri", "path", "q", "Q", "send_socket", "count", "flags", "ruid",
	"location_ua", "otcpid", "instance"}

// branchAttr reads one attribute of br (count is the message's number of
// branches).
func branchAttr(c *event.Context, m *sipmsg.Msg, br *sipmsg.Branch, idx int, name string) value.Value {
	if name == "count" {
		return uintValue(int64(len(m.Branches)))
	}
	if br.URI == "" {
		logf(c, klog.Err, "error accessing branch [%d]", idx)
		return value.NullValue
	}
	switch name {
	case "dst_uri":
		return nonEmpty(br.DstURI)
	case "path":
		return nonEmpty(br.Path)
	case "q", "Q":
		if br.Q == sipmsg.QUnspecified {
			return value.NullValue
		}
		return intValue(br.Q)
	case "send_socket":
		if br.Socket == nil {
			return value.NullValue
		}
		return value.MakeStr(br.Socket.String())
	case "flags":
		return uintValue(int64(br.Flags))
	case "ruid":
		return nonEmpty(br.Ruid)
	case "location_ua":
		return nonEmpty(br.LocationUA)
	case "otcpid":
		return uintValue(int64(br.OTcpID))
	case "instance":
		return nonEmpty(br.Instance)
	}
	return value.MakeStr(br.URI)
}

// setBranchAttr assigns one attribute of br; clearURI removes the branch
// (assigning $null or "" to its uri).
func setBranchAttr(c *event.Context, br *sipmsg.Branch, name string, v value.Value, clearURI func()) error {
	str := func(dst *string, what string) error {
		switch {
		case v.IsNull():
			*dst = ""
		case v.K != value.Str:
			logf(c, klog.Err, "str value required to set branch %s", what)
			return errStrRequired
		default:
			*dst = v.S
		}
		return nil
	}
	num := func(set func(n int64), reset func(), what string) error {
		switch {
		case v.IsNull():
			reset()
		case v.K != value.Int && !v.Num:
			logf(c, klog.Err, "int value required to set branch %s", what)
			return errors.New("int value required")
		default:
			set(v.I)
		}
		return nil
	}
	switch name {
	case "dst_uri":
		return str(&br.DstURI, "dst uri")
	case "path":
		return str(&br.Path, "path")
	case "q", "Q":
		return num(func(n int64) { br.Q = int(n) }, func() { br.Q = sipmsg.QUnspecified }, "q")
	case "send_socket":
		var s string
		if err := str(&s, "send sock"); err != nil {
			return err
		}
		br.Socket = nil
		if s != "" {
			logf(c, klog.Warn, "no socket found to match [%s]", s)
		}
		return nil
	case "flags":
		return num(func(n int64) { br.Flags = uint32(n) }, func() { br.Flags = 0 }, "flags")
	case "otcpid":
		return num(func(n int64) { br.OTcpID = uint32(n) }, func() { br.OTcpID = 0 }, "flags")
	case "count", "ruid", "location_ua", "instance":
		return nil
	}
	switch {
	case v.IsNull() || v.K == value.Str && v.S == "":
		clearURI()
	case v.K != value.Str:
		logf(c, klog.Err, "str value required to set branch uri")
		return errStrRequired
	default:
		br.URI = v.S
	}
	return nil
}

// branchSpec is $branch(name)[i]: branch i of the message (0 without an
// index, negative from the end).
type branchSpec struct {
	name string
	idx  pvIndex
}

func compileBranch(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	idx, err := compileIndex(t, p.Index)
	if err != nil {
		return nil, err
	}
	return &branchSpec{name: p.Name.Text, idx: idx}, nil
}

func (s *branchSpec) Get(c *event.Context) value.Value {
	m := sipmsg.FromContext(c)
	i, ok := s.idx.eval(c)
	if !ok {
		return value.NullValue
	}
	br := m.Branch(i)
	if br == nil {
		return value.NullValue
	}
	return branchAttr(c, m, br, i, s.name)
}

func (s *branchSpec) Set(c *event.Context, v value.Value) error {
	m := sipmsg.FromContext(c)
	i, ok := s.idx.eval(c)
	if !ok {
		return errXIndex
	}
	if i < 0 {
		if len(m.Branches)+i < 0 {
			logf(c, klog.Err, "index too low: %d (%d)", i, len(m.Branches))
			return errXIndex
		}
		i += len(m.Branches)
	}
	br := m.Branch(i)
	if br == nil {
		return errors.New("no branch to operate on")
	}
	return setBranchAttr(c, br, s.name, v, func() { m.DropBranch(i) })
}

// sbranchSpec is $sbranch(name).
type sbranchSpec struct{ name string }

func (s sbranchSpec) Get(c *event.Context) value.Value {
	return branchAttr(c, sipmsg.FromContext(c), staticBranch(c), 0, s.name)
}

func (s sbranchSpec) Set(c *event.Context, v value.Value) error {
	br := staticBranch(c)
	return setBranchAttr(c, br, s.name, v, func() { *br = sipmsg.Branch{} })
}

// branchURIs is $bR: every branch URI, with its q as "<uri>;q=0.5".
func branchURIs(m *sipmsg.Msg) value.Value {
	if !m.IsRequest() || len(m.Branches) == 0 {
		return value.NullValue
	}
	parts := make([]string, len(m.Branches))
	for i, b := range m.Branches {
		parts[i] = b.URI
		if b.Q != sipmsg.QUnspecified {
			parts[i] = "<" + b.URI + ">;q=" + sipmsg.QString(b.Q)
		}
	}
	return value.MakeStr(strings.Join(parts, ", "))
}

// destinationSet is $ds: the rewritten Request-URI and the branches as a
// Contact header.
func destinationSet(c *event.Context, m *sipmsg.Msg) value.Value {
	var parts []string
	add := func(uri string, q int) {
		s := "<" + uri + ">"
		if q != sipmsg.QUnspecified {
			s += ";q=" + sipmsg.QString(q)
		}
		parts = append(parts, s)
	}
	if m.NewURI != "" {
		add(m.NewURI, m.RuriQ)
	}
	for _, b := range m.Branches {
		add(b.URI, b.Q)
	}
	if len(parts) == 0 {
		if c.Log != nil {
			c.Log.Logf(klog.Warn, "core", "print_dset(): no r-uri or branches")
		}
		return value.NullValue
	}
	return value.MakeStr("Contact: " + strings.Join(parts, ", "))
}

func branchClasses() []*pv.Class {
	sb := map[string]pv.Spec{}
	for _, n := range branchNames {
		sb[n] = sbranchSpec{name: n}
	}
	br := msgVar{
		get: msg(func(m *sipmsg.Msg) value.Value {
			if !m.IsRequest() || len(m.Branches) == 0 {
				return value.NullValue
			}
			return value.MakeStr(m.Branches[0].URI)
		}),
		set: func(c *event.Context, m *sipmsg.Msg, v value.Value) error {
			if v.IsNull() {
				logf(c, klog.Err, "bad parameters")
				return errors.New("bad parameters")
			}
			if v.K != value.Str || v.S == "" {
				logf(c, klog.Err, "str value required to set the branch")
				return errStrRequired
			}
			err := m.AppendBranch(sipmsg.Branch{URI: v.S, Q: sipmsg.QUnspecified, Socket: m.ForceSocket})
			if err != nil {
				logf(c, klog.Err, "append_branch action failed")
			}
			return err
		},
	}
	reqField := func(f func(m *sipmsg.Msg) string) msgGetter {
		return msg(func(m *sipmsg.Msg) value.Value {
			if !m.IsRequest() {
				return value.NullValue
			}
			return nonEmpty(f(m))
		})
	}
	return []*pv.Class{
		{Name: "branch", Module: "pv", Names: branchNames, Compile: compileBranch},
		namedClass("sbranch", sb),
		specClass("br", br),
		specClass("bR", msg(branchURIs)),
		specClass("ds", msgGetter(destinationSet)),
		specClass("ruid", reqField(func(m *sipmsg.Msg) string { return m.Ruid })),
		specClass("location_ua", reqField(func(m *sipmsg.Msg) string { return m.LocationUA })),
	}
}

func sbranchFuncs() []module.Func {
	call := func(f func(c *event.Context, m *sipmsg.Msg, sb *sipmsg.Branch) int) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int { return f(c, sipmsg.FromContext(c), staticBranch(c)) }, nil
		}
	}
	return []module.Func{
		// sbranch_set_ruri makes the static branch the Request-URI's
		// branch. As in Kamailio 5.6.3, the path vector ends up empty
		// whatever the static branch holds.
		{Name: "sbranch_set_ruri", Compile: call(func(_ *event.Context, m *sipmsg.Msg, sb *sipmsg.Branch) int {
			if sb.URI == "" {
				return -1
			}
			m.SetRequestURI(sb.URI)
			m.DstURI = sb.DstURI
			m.PathVec = ""
			m.Instance, m.Ruid, m.LocationUA = sb.Instance, sb.Ruid, sb.LocationUA
			if sb.Socket != nil {
				m.ForceSocket = sb.Socket
			}
			m.RegID, m.OTcpID = sb.RegID, sb.OTcpID
			m.RuriQ = sb.Q
			m.RuriFlags |= sb.Flags
			return 1
		})},
		{Name: "sbranch_append", Compile: call(func(c *event.Context, m *sipmsg.Msg, sb *sipmsg.Branch) int {
			if sb.URI == "" {
				return -1
			}
			if err := m.AppendBranch(*sb); err != nil {
				logf(c, klog.Err, "failed to append static branch")
				return -1
			}
			return 1
		})},
		{Name: "sbranch_reset", Compile: call(func(_ *event.Context, _ *sipmsg.Msg, sb *sipmsg.Branch) int {
			*sb = sipmsg.Branch{}
			return 1
		})},
	}
}
