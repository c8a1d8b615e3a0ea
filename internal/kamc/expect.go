package kamc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Expect is one row of expect.tsv or corpus.tsv. Columns are found by the
// header row, so corpus.tsv's extra columns (reason, verdict_mpath,
// line_mpath) load into the same type and missing ones stay empty.
type Expect struct {
	Path    string // relative to testdata/kamailio-c, or debian:/abs, corpus:dir/file
	Verdict string // "ok" or "reject"
	Line    int
	Col     int
	Phase   string // PhaseNone, PhaseParse or PhaseStartup
	Message string
	// Detail is the first error line when it differs from Message.
	Detail string
	// Corpus-only columns.
	Reason       string // syntax, module-missing, semantic, other ("-" when ok)
	VerdictMpath string // verdict with mpath/loadpath/loadmodule pointed at Debian's module dir
	LineMpath    int
	MessageMpath string // that run's first error message
}

// ExpectColumns and CorpusColumns are the header rows written by WriteExpect.
var (
	ExpectColumns = []string{"path", "verdict", "line", "col", "phase", "message", "detail"}
	CorpusColumns = []string{"path", "verdict", "line", "col", "phase", "message", "reason", "verdict_mpath", "line_mpath", "message_mpath", "detail"}
)

// LoadExpect reads a verdict table. Lines starting with '#' are comments.
func LoadExpect(path string) ([]Expect, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadExpect(f, path)
}

// ReadExpect is LoadExpect on a reader; name is used in errors.
func ReadExpect(rd io.Reader, name string) ([]Expect, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var cols map[string]int
	var out []Expect
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = map[string]int{}
			for i, c := range fields {
				cols[c] = i
			}
			for _, need := range []string{"path", "verdict", "line", "col", "phase", "message"} {
				if _, ok := cols[need]; !ok {
					return nil, fmt.Errorf("%s:%d: header lacks column %q", name, n, need)
				}
			}
			continue
		}
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(fields) {
				return fields[i]
			}
			return ""
		}
		num := func(c string) (int, error) {
			s := get(c)
			if s == "" {
				return 0, nil
			}
			v, err := strconv.Atoi(s)
			if err != nil {
				return 0, fmt.Errorf("%s:%d: column %s: %w", name, n, c, err)
			}
			return v, nil
		}
		e := Expect{
			Path: get("path"), Verdict: get("verdict"), Phase: get("phase"),
			Message: get("message"), Detail: get("detail"), Reason: get("reason"),
			VerdictMpath: get("verdict_mpath"), MessageMpath: get("message_mpath"),
		}
		if e.Verdict != "ok" && e.Verdict != "reject" {
			return nil, fmt.Errorf("%s:%d: verdict %q is neither ok nor reject", name, n, e.Verdict)
		}
		var err error
		if e.Line, err = num("line"); err != nil {
			return nil, err
		}
		if e.Col, err = num("col"); err != nil {
			return nil, err
		}
		if e.LineMpath, err = num("line_mpath"); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if cols == nil {
		return nil, fmt.Errorf("%s: no header row", name)
	}
	return out, nil
}

// WriteExpect writes rows with the given header (ExpectColumns or CorpusColumns).
func WriteExpect(w io.Writer, columns []string, rows []Expect) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, strings.Join(columns, "\t"))
	for _, e := range rows {
		vals := make([]string, len(columns))
		for i, c := range columns {
			vals[i] = cell(e, c)
		}
		fmt.Fprintln(bw, strings.Join(vals, "\t"))
	}
	return bw.Flush()
}

func cell(e Expect, c string) string {
	switch c {
	case "path":
		return e.Path
	case "verdict":
		return e.Verdict
	case "line":
		return strconv.Itoa(e.Line)
	case "col":
		return strconv.Itoa(e.Col)
	case "phase":
		return e.Phase
	case "message":
		return oneLine(e.Message)
	case "detail":
		return oneLine(e.Detail)
	case "message_mpath":
		return oneLine(e.MessageMpath)
	case "reason":
		return e.Reason
	case "verdict_mpath":
		return e.VerdictMpath
	case "line_mpath":
		return strconv.Itoa(e.LineMpath)
	}
	return ""
}
