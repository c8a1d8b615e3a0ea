package jansson

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestGetReusesLastDocument: the get functions of a worker reuse the
// tree of the document they parsed last only while the text is the same:
// reading fields of documents that alternate gives each one's values, and
// a document that stops parsing fails.
func TestGetReusesLastDocument(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	m := &Module{}
	h, err := pvtest.NewHost(pvm.New(), m)
	if err != nil {
		t.Fatal(err)
	}
	get, err := h.Call(m, "jansson_get", `"$var(k)"`, `"$var(doc)"`, `"$var(out)"`)
	if err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	set := func(name, v string) {
		t.Helper()
		r, _ := h.Ref(name)
		if err := r.Set(c, value.MakeStr(v)); err != nil {
			t.Fatal(err)
		}
	}
	out, _ := h.Ref("$var(out)")
	for i, tc := range []struct {
		doc, key string
		rc       int
		want     string
	}{
		{`{"index":1,"label":"a"}`, "index", 1, "1"},
		{`{"index":1,"label":"a"}`, "label", 1, "a"},
		{`{"index":2,"label":"b"}`, "label", 1, "b"},
		{`{"index":1,"label":"a"}`, "index", 1, "1"},
		{`{"index":1,"label":"a"`, "index", -1, "1"}, // does not parse: out keeps its value
		{`{"index":3}`, "index", 1, "3"},
	} {
		set("$var(doc)", tc.doc)
		set("$var(k)", tc.key)
		rc := get(c)
		v, _ := out.Lookup(c)
		if rc != tc.rc || v.String() != tc.want {
			t.Errorf("%d: %s of %s: rc %d, %q; want %d, %q", i, tc.key, tc.doc, rc, v.String(), tc.rc, tc.want)
		}
	}
}
