package diag

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSuggest(t *testing.T) {
	cases := []struct {
		name string
		cand []string
		want string
	}{
		{"evapi_rely", []string{"evapi_relay", "evapi_close"}, "evapi_relay"},
		{"max_client", []string{"max_clients", "workers"}, "max_clients"},
		{"xyz", []string{"evapi_relay"}, ""},
		{"ab", []string{"cd"}, ""}, // too short for two edits
		{"same", []string{"same"}, ""},
	}
	for _, c := range cases {
		if got := Suggest(c.name, c.cand); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestWriteText(t *testing.T) {
	src := Sources{"a.cfg": []byte("request_route {\n\tevapi_rely(\"x\");\n}\n")}
	var l List
	d := l.Errorf("KC2001", Range{File: "a.cfg", Start: Pos{Line: 2, Col: 2}, End: Pos{Line: 2, Col: 12}, Via: "R"}, "unknown function %s", "evapi_rely")
	d.Detail = "did you mean evapi_relay?"
	d.Context = "request_route"
	var b bytes.Buffer
	if err := WriteText(&b, l, src); err != nil {
		t.Fatal(err)
	}
	want := "a.cfg:2:2: error: unknown function evapi_rely [KC2001]\n" +
		" 2 |     evapi_rely(\"x\");\n" +
		"   |     ^^^^^^^^^^\n" +
		"  note: in the expansion of #!define R\n" +
		"  in: request_route\n" +
		"  hint: did you mean evapi_relay?\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteJSONAndList(t *testing.T) {
	var l List
	l.Warnf("KC2013", Range{File: "b.cfg", Start: Pos{Line: 3, Col: 1}}, "w")
	if l.HasErrors() || l.Err() != nil {
		t.Fatal("a warning is not an error")
	}
	l.Errorf("KC0501", Range{File: "a.cfg", Start: Pos{Line: 9, Col: 1}}, "e")
	l.Sort()
	if l[0].Subject.File != "a.cfg" || l.Err() == nil {
		t.Fatalf("sort or Err wrong: %v", l)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, l); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0]["code"] != "KC0501" || out[0]["severity"] != "error" || out[1]["line"] != float64(3) {
		t.Errorf("JSON = %s", b.String())
	}
}
