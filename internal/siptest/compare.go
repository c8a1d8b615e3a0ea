package siptest

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Port names a port in a text, for MaskPorts; a name is usually written
// "<phone>".
type Port struct {
	Port int
	Name string
}

// MaskPorts names the ports in s, in the order given: ":NAME", "=NAME"
// and "~NAME" for ":PORT", "=PORT" and "~PORT" (an address, a
// parameter, a Contact alias) and " NAME\r" for " PORT\r" (an SDP port
// at a line's end). A port followed by a digit or a letter is part of
// something else and stays.
func MaskPorts(s string, ports ...Port) string {
	for _, p := range ports {
		n := strconv.Itoa(p.Port)
		s = regexp.MustCompile(`([:=~])`+n+`\b`).ReplaceAllString(s, "${1}"+p.Name)
		s = strings.ReplaceAll(s, " "+n+"\r", " "+p.Name+"\r")
	}
	return s
}

// LF writes a message's line ends as "\n".
func LF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// Block is a part of a transcript that starts with a line "== NAME".
type Block struct {
	Name, Text string
}

// Blocks splits a transcript at its lines that start with "== "; what
// comes before the first is dropped.
func Blocks(s string) []Block {
	var out []Block
	for _, l := range strings.SplitAfter(s, "\n") {
		if name, ok := strings.CutPrefix(l, "== "); ok {
			out = append(out, Block{Name: strings.TrimSuffix(name, "\n")})
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].Text += l
		}
	}
	return out
}

// Diff shows the lines of want and got that differ, numbered from 1.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// ReadGolden returns the text of a recorded file, failing the test when
// it cannot be read.
func ReadGolden(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Golden compares got with the recorded file path; with update it
// records got instead. what names got in the failure ("kamgo",
// "Kamailio").
func Golden(t testing.TB, path, what, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := ReadGolden(t, path); got != want {
		t.Errorf("%s differs from %s:\n%s", what, path, Diff(want, got))
	}
}

// PortOf is the port of an address "IP:PORT"; 0 when it has none.
func PortOf(addr string) int {
	_, p, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(p)
	return n
}
