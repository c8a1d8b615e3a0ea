// Package pvtest owns test support shared by kamgo's script-side modules
// (pv, xlog, cfgutils, jansson, json): the case files recorded from the
// real Kamailio, replayed through lang/check, runtime/server and
// runtime/interp (CheckFile), and a module.Host backed by a pv.Table for
// unit tests of single functions and references (pseudo-variables parsed
// with lang/pvsyntax).
package pvtest

import (
	"fmt"
	"os"
	"strings"
)

// Case is one script case recorded from the real Kamailio: statements run
// in a route and the script log lines they printed ("INFO: text"; a
// multi-line record continues on the following lines).
type Case struct {
	Name string
	Body []string
	Log  []string
}

// File is a case file:
//
//	# comments (kept)
//	### top
//	modparam("pv", "shvset", "a=i:1")   (top-level lines, optional)
//	### case-name
//	statements
//	---
//	expected log lines
type File struct {
	Header []string
	Top    []string
	Cases  []*Case
}

// Load reads a case file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &File{}
	var cur *Case
	inLog, inTop := false, false
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			name := strings.TrimPrefix(line, "### ")
			inLog, inTop, cur = false, false, nil
			if name == "top" {
				inTop = true
				continue
			}
			cur = &Case{Name: name}
			f.Cases = append(f.Cases, cur)
		case inTop:
			f.Top = append(f.Top, line)
		case cur == nil:
			f.Header = append(f.Header, line)
		case line == "---" && !inLog:
			inLog = true
		case inLog:
			cur.Log = append(cur.Log, line)
		default:
			cur.Body = append(cur.Body, line)
		}
	}
	return f, nil
}

// Case returns the named case.
func (f *File) Case(name string) (*Case, bool) {
	for _, c := range f.Cases {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// Save writes the file back.
func (f *File) Save(path string) error {
	var b strings.Builder
	for _, l := range f.Header {
		b.WriteString(l + "\n")
	}
	if len(f.Top) > 0 {
		b.WriteString("### top\n")
		for _, l := range f.Top {
			b.WriteString(l + "\n")
		}
	}
	for _, c := range f.Cases {
		fmt.Fprintf(&b, "### %s\n", c.Name)
		for _, l := range c.Body {
			b.WriteString(l + "\n")
		}
		b.WriteString("---\n")
		for _, l := range c.Log {
			b.WriteString(l + "\n")
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Config returns the Kamailio configuration running the cases: an evapi
// message holding a case's number runs that case's route after a marker
// line "@@N".
func (f *File) Config() string {
	var b strings.Builder
	b.WriteString(prelude)
	for _, l := range f.Top {
		b.WriteString(l + "\n")
	}
	b.WriteString("event_route[evapi:message-received] {\n")
	b.WriteString("\tif ($evapi(msg) == \"#sync\") { evapi_relay(\"#sync\"); exit; }\n")
	b.WriteString("\txlog(\"L_NOTICE\", \"@@$evapi(msg)\\n\");\n")
	for i := range f.Cases {
		fmt.Fprintf(&b, "\tif ($evapi(msg) == \"%d\") { route(C%d); exit; }\n", i, i)
	}
	b.WriteString("}\n")
	for i, c := range f.Cases {
		fmt.Fprintf(&b, "route[C%d] {\n", i)
		for _, l := range c.Body {
			b.WriteString("\t" + l + "\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

const prelude = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
loadmodule "jansson.so"
loadmodule "json.so"
loadmodule "cfgutils.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`
