package pv

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The pseudo-variables Kamailio added to the pv module after 5.6, read
// from pv.c, pv_core.c, pv_shv.c and pv_branch.c at the tag of the release
// that added each (no Kamailio of those releases runs here: the tests
// state what the source does). Checking for 5.6 refuses them; kamgo runs
// them whatever release a config is checked for.
//
//	5.7: $shvinc(name)
//	6.0: $cts, $ctu, $En $Er $Es $Et $Ec $Eq $Ek $Ei $Ej $Eb $Ev
//	6.1: $tts, $recv(name) (6.1.1, with $rcv's names safe, evtype,
//	     bufat and hexat)
func (m *Module) newerClasses() []*pv.Class {
	since := func(c *pv.Class, release string) *pv.Class {
		c.Ext = "Kamailio " + release
		return c
	}
	out := []*pv.Class{
		since(&pv.Class{Name: "shvinc", Module: "pv", Compile: m.compileShvinc}, "5.7"),
		since(specClass("cts", msgGetter(contactStar)), "6.0"),
		since(specClass("ctu", msgGetter(contactURI)), "6.0"),
		since(specClass("tts", msg(toTagState)), "6.1"),
	}
	for _, e := range escapeChars {
		out = append(out, since(fixedClass(e.class, constStr(e.char)), "6.0"))
	}
	recv := namedClass("recv", rcvSpecs())
	recv.Writable = true
	return append(out, since(recv, "6.1"))
}

// escapeChars are the $E* classes: one character each that is awkward
// to write in a string literal of the configuration.
var escapeChars = []struct{ class, char string }{
	{"En", "\n"}, {"Er", "\r"}, {"Es", " "}, {"Et", "\t"}, {"Ec", ","},
	{"Eq", `"`}, {"Ek", "'"}, {"Ei", ":"}, {"Ej", ";"}, {"Eb", `\`}, {"Ev", "`"},
}

func constStr(s string) func(*event.Context) value.Value {
	return func(*event.Context) value.Value { return value.MakeStr(s) }
}

// contactBodies parses every Contact header as Kamailio's
// parse_contact_headers does before $cts and $ctu read the first one:
// ok is false when one of them is empty or does not parse. A body whose
// first non-blank byte is '*' is a star and is not parsed further.
func contactBodies(c *event.Context, m *sipmsg.Msg) (first string, star, present, ok bool) {
	for i, v := range m.HeaderValues("contact") {
		v = strings.TrimLeft(v, " \t\r\n")
		if v == "" {
			logf(c, klog.Err, "contact_parser(): empty body")
			return "", false, true, false
		}
		isStar := v[0] == '*'
		uri := ""
		if !isStar {
			els := sipmsg.SplitList(v)
			for _, e := range els {
				na, err := sipmsg.ParseNameAddr(e)
				if err != nil || len(na.URI) < 3 && na.URI != "*" {
					logf(c, klog.Err, "parse_contact_headers(): failed to parse Contact body")
					return "", false, true, false
				}
				if uri == "" {
					uri = na.URI
				}
			}
		}
		if i == 0 {
			first, star, present = uri, isStar, true
		}
	}
	return first, star, present, true
}

// contactStar is $cts: 1 when the first Contact header is "*", 0 when it
// holds addresses; null when there is no Contact header or one does not
// parse. Kamailio 6.x dereferences the missing header (it crashes); see
// spec/deviations.md.
func contactStar(c *event.Context, m *sipmsg.Msg) value.Value {
	_, star, present, ok := contactBodies(c, m)
	switch {
	case !ok || !present:
		return value.NullValue
	case star:
		return uintValue(1)
	}
	return uintValue(0)
}

// contactURI is $ctu: the URI of the first address of the first Contact
// header; null for a star, no Contact header, or one that does not parse.
func contactURI(c *event.Context, m *sipmsg.Msg) value.Value {
	uri, star, present, ok := contactBodies(c, m)
	if !ok || !present || star {
		return value.NullValue
	}
	return value.MakeStr(uri)
}

// toTagState is $tts: 1 when the To header has a non-empty tag, else 0
// (also without a To header or when it does not parse).
func toTagState(m *sipmsg.Msg) value.Value {
	x, ok, err := parseXto(m, "to")
	if !ok || err != nil {
		return uintValue(0)
	}
	if tag, _ := x.na.Param("tag"); tag != "" {
		return uintValue(1)
	}
	return uintValue(0)
}

// shvincSpec is $shvinc(name): adds one to the integer in $shv(name)
// under the lock that guards every $shv and reads the new value. A $shv
// holding a string is left alone and reads 0; an unset one counts from 0.
type shvincSpec struct {
	m    *Module
	name func(c *event.Context) string
}

func (m *Module) compileShvinc(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return &shvincSpec{m: m, name: name}, nil
}

func (s *shvincSpec) Get(c *event.Context) value.Value {
	return value.MakeInt(s.m.shvInc(s.name(c)))
}

// shvInc increments $shv(name) when it holds an integer (or is unset,
// which reads as 0) and returns the new value; 0 for a string.
func (m *Module) shvInc(name string) int64 {
	m.shvMu.Lock()
	defer m.shvMu.Unlock()
	v, ok := m.shv[name]
	if ok && v.K != value.Int {
		return 0
	}
	n := v.I + 1
	m.shv[name] = value.MakeInt(n)
	return n
}
