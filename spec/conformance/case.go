// Package conformance holds the recorded behaviour of Kamailio 5.6.3 that
// kamgo reproduces: one txtar case per behaviour, under an area folder
// (ops/, types/, modules/pv/vars/, semantics/, ...), and the case loader.
//
// A case is a cfg section appended to the shared prelude (prelude.cfg), what
// is sent to it (evapi messages, or a SIP message over UDP) and what the
// real Kamailio logged and relayed, or how it refused the config.
// README.md describes the format. The tests of this package replay every
// case in-process and over real sockets; record_test.go (build tag
// kamailio) verifies the recordings against the installed Kamailio and
// re-records them with -update.
package conformance

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed prelude.cfg
var prelude string

// Prelude returns the shared config text every case's cfg is appended to.
// It contains the %%SIP_PORT%% and %%EVAPI_PORT%% placeholders.
func Prelude() string { return prelude }

// PreludeLines is the number of lines the prelude occupies, i.e. the offset
// between a line number in the full config and one in the cfg section.
func PreludeLines() int { return strings.Count(prelude, "\n") }

// Env is the environment every case runs with (added to the inherited one),
// so that $env cases are deterministic.
var Env = []string{"KAMGO_CONF_A=alpha", "KAMGO_CONF_NUM=42", "KAMGO_CONF_EMPTY=", "KAMGO_TEST_ENV=hello env"}

// Unset names the environment variables that must not be set while a case
// runs: the cases read them as unset.
var Unset = []string{"KAMGO_CONF_UNSET", "KAMGO_NOPE"}

// Case is one conformance case.
type Case struct {
	Name    string // path below the cases directory without ".txtar", e.g. "ops/001-add"
	Comment string // the archive comment: what the case probes
	Cfg     string
	// Send holds the evapi messages to send, one netstring frame each; nil
	// when the case has no send section.
	Send []string
	// SIP holds the lines of one SIP message sent over UDP (SIPMessage
	// joins them); nil when the case has no sip section.
	SIP []string
	// Log holds the expected script log lines ("INFO: text"); a message
	// with newlines spans several entries.
	Log   []string
	Relay []string // expected relayed payloads, "#sync" removed
	// Check is "reject LINE msg" or "startup LINE msg" when Kamailio refuses
	// the config, "" otherwise. LINE counts within Cfg (0: not known).
	Check string
	// CoreLog holds the errors and warnings Kamailio itself (not the
	// script) printed while the case ran, as "LEVEL: origin text".
	CoreLog []string
	// Varies maps the sections (log, relay or corelog) whose Kamailio
	// output is not the same from run to run to the reason. Such a section
	// is recorded but never compared, by any runner.
	Varies map[string]string
}

// Config builds the full Kamailio config for the given ports.
func (c Case) Config(sipPort, evapiPort int) string {
	s := strings.ReplaceAll(prelude, "%%SIP_PORT%%", strconv.Itoa(sipPort))
	s = strings.ReplaceAll(s, "%%EVAPI_PORT%%", strconv.Itoa(evapiPort))
	return s + c.Cfg
}

// ConfigTemplate is the full config with the port placeholders kept.
func (c Case) ConfigTemplate() string { return prelude + c.Cfg }

// SIPMessage is the SIP message of the sip section as sent: its lines
// joined with CRLF, and a final CRLF.
func (c Case) SIPMessage() string { return strings.Join(c.SIP, "\r\n") + "\r\n" }

// Area is the first element of the case's name: "ops", "modules", ...
func (c Case) Area() string {
	a, _, _ := strings.Cut(c.Name, "/")
	return a
}
