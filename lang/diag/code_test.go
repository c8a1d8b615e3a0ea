package diag

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestRegistryRefuses(t *testing.T) {
	var r registry
	if err := r.add("lang/check", []Code{{ID: "KC2001", Title: "unknown function"}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		owner string
		code  Code
		want  string
	}{
		{"lang/parser", Code{ID: "KC2001", Title: "again"}, "outside the ranges"},
		{"lang/check", Code{ID: "KC2001", Title: "again"}, "declared by lang/check and by lang/check"},
		{"lang/check", Code{ID: "KC2100", Title: "server's"}, "outside the ranges"},
		{"lang/check", Code{ID: "KC1000", Title: "below"}, "outside the ranges"},
		{"lang/check", Code{ID: "KC201", Title: "short"}, "malformed"},
		{"lang/check", Code{ID: "KC2002"}, "no title"},
		{"lang/nothing", Code{ID: "KC2002", Title: "x"}, "no range"},
	}
	for _, c := range cases {
		err := r.add(c.owner, []Code{c.code})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("add(%s, %s) = %v, want %q", c.owner, c.code.ID, err, c.want)
		}
	}
	if c, ok := r.lookup("KC2001"); !ok || c.Owner != "lang/check" || c.Title != "unknown function" {
		t.Errorf("lookup = %+v, %v", c, ok)
	}
	if all := r.all(); len(all) != 1 {
		t.Errorf("all = %v", all)
	}
}

func TestRangesDisjoint(t *testing.T) {
	type owned struct {
		owner string
		b     block
	}
	var all []owned
	for o, bs := range blocks {
		for _, b := range bs {
			if b.lo > b.hi || !idShape(b.lo) || !idShape(b.hi) {
				t.Errorf("%s: bad block %v", o, b)
			}
			all = append(all, owned{o, b})
		}
	}
	for i, x := range all {
		for _, y := range all[i+1:] {
			if x.b.lo <= y.b.hi && y.b.lo <= x.b.hi {
				t.Errorf("%s %v overlaps %s %v", x.owner, x.b, y.owner, y.b)
			}
		}
	}
}

func TestWriteExplain(t *testing.T) {
	c := Code{ID: "KC2001", Owner: "lang/check", Title: "unknown function",
		Explain: "No such function.\n\nKamailio refuses it.",
		Example: "request_route {\n\tfoo();\n}", Fix: "request_route {\n\texit;\n}"}
	var b bytes.Buffer
	if err := WriteExplain(&b, c); err != nil {
		t.Fatal(err)
	}
	want := "KC2001: unknown function\n\nNo such function.\n\nKamailio refuses it.\n" +
		"\nExample:\n\n    request_route {\n        foo();\n    }\n" +
		"\nFix:\n\n    request_route {\n        exit;\n    }\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteCodeList(&b, []Code{c, {ID: "KC2023", Title: "unused", Reserved: true}}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "KC2001  unknown function\nKC2023  unused (reserved)\n" {
		t.Errorf("list: %q", b.String())
	}
}

// TestIDShape holds idShape to the pattern it stands for, ^KC\d{4}$.
func TestIDShape(t *testing.T) {
	re := regexp.MustCompile(`^KC\d{4}$`)
	for _, id := range []string{"KC0001", "KC9999", "KC000", "KC00001", "kc0001", "KL0001", "KC00a1", "KC０001", "", "KC", " KC0001", "KC0001\n"} {
		if got, want := idShape(id), re.MatchString(id); got != want {
			t.Errorf("idShape(%q) = %v, want %v", id, got, want)
		}
	}
}
