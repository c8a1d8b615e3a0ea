package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamc"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/module"
)

// knownDeviations lists configs where kamgo's verdict deliberately differs
// from Kamailio's, with the reason (also in spec/deviations.md).
var knownDeviations = map[string]string{
	"semantic/003-loadmodule-unknown-path.cfg":  "kamgo resolves modules by name, not by file path: a config is checked the same on a machine without Kamailio's module files",
	"semantic/017-modparam-evapi-bad-bind.cfg":  "the bind address is resolved when the module starts, not by check",
	"semantic/018-modparam-htable-bad.cfg":      "htable's table definition syntax is not checked",
	"semantic/238-listen-not-local.cfg":         "whether a listen address exists on this machine is decided when kamgo run binds it, not by check",
	"syntax/112-pv-shv-assign.cfg":              "kamailio -c cannot create $shv before shared memory exists; the config is valid and Kamailio runs it",
	"syntax/133-stray-token-after-listen.cfg":   "a bare word after listen= is another host to resolve; names are resolved when kamgo run binds, not by check",
	"syntax/137-binary-garbage.cfg":             "as 133: the garbage after listen= is taken as a host name that Kamailio fails to resolve at startup",
	"semantic/185-fmt-sl-reason-unknown-pv.cfg": "Kamailio's fixup_var_pve_str_12 takes a reason whose pseudo-variables do not parse as plain text; kamgo's sl compiles it as a format and refuses $nope at load",
	"syntax/047-subst-malformed.cfg":            "kamgo reports a malformed #!subst on its own line; Kamailio at the token after it",
	"syntax/123-cfg-var-after-listen.cfg":       "kamgo ends a listen= value at the end of its line; Kamailio reads the next line's words as more listen hosts",
}

// TestDifferentialCheck runs `kamgo check` on every config of
// testdata/kamailio-c (syntax and semantic probes) and compares the verdict
// and the first error's line with what `kamailio -c` and Kamailio's startup
// reported (recorded in expect.tsv).
func TestDifferentialCheck(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kamailio-c")
	rows, err := kamc.LoadExpect(filepath.Join(root, "expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KAMGO_TEST_ENV", "from-env")
	type tally struct{ n, verdict, line, dev int }
	stats := map[string]*tally{}
	var failures []string
	for _, row := range rows {
		area := strings.SplitN(row.Path, "/", 2)[0]
		st := stats[area]
		if st == nil {
			st = &tally{}
			stats[area] = st
		}
		st.n++
		file := filepath.Join(root, row.Path)
		if _, err := os.Stat(file); err != nil {
			failures = append(failures, fmt.Sprintf("%s: %v", row.Path, err))
			continue
		}
		wd, _ := os.Getwd()
		// Kamailio resolves include_file relative to the working directory
		// first; the recordings ran in the config's directory.
		if err := os.Chdir(filepath.Dir(file)); err != nil {
			t.Fatal(err)
		}
		diags, _ := checkFile(filepath.Base(file), nil, module.Catalog())
		_ = os.Chdir(wd)
		gotReject := diags.HasErrors()
		wantReject := row.Verdict == "reject"
		if _, dev := knownDeviations[row.Path]; dev {
			st.dev++
			continue
		}
		if gotReject != wantReject {
			first := "no errors"
			for _, d := range diags {
				if d.Severity == 0 {
					first = d.Error()
					break
				}
			}
			failures = append(failures, fmt.Sprintf("%s: kamgo reject=%v (%s), kamailio %s line %d: %s", row.Path, gotReject, first, row.Verdict, row.Line, row.Message))
			continue
		}
		st.verdict++
		if !wantReject || row.Line == 0 {
			st.line++
			continue
		}
		// The first error's subject must cover Kamailio's line. Kamailio
		// reports errors found while fixing up a statement at the parser's
		// lookahead token, one past the statement, so startup-phase rows
		// also accept the line after the subject.
		var first *diag.Diagnostic
		for _, d := range diags {
			if d.Severity == diag.Error {
				first = d
				break
			}
		}
		lo, hi := first.Subject.Start.Line, max(first.Subject.End.Line, first.Subject.Start.Line)
		if row.Phase == kamc.PhaseStartup {
			hi++
		}
		line := lo
		if row.Line >= lo && row.Line <= hi {
			st.line++
		} else {
			failures = append(failures, fmt.Sprintf("%s: kamgo first error at line %d, kamailio at line %d (%s)", row.Path, line, row.Line, row.Message))
		}
	}
	var areas []string
	for a := range stats {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	for _, a := range areas {
		st := stats[a]
		t.Logf("%s: %d configs, verdict agrees on %d, line agrees on %d, %d documented deviations", a, st.n, st.verdict, st.line, st.dev)
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
}
