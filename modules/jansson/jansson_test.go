package jansson

import (
	"testing"

	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/modules/pv/pvtest"
	"github.com/kamgo/kamgo/runtime/module"
)

// TestJansson replays testdata/jansson.txt, recorded from Kamailio 5.6.3.
func TestJansson(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), &Module{})
	if err != nil {
		t.Fatal(err)
	}
	pvtest.CheckFile(t, h, "testdata/jansson.txt")
}

func TestPathAndReal(t *testing.T) {
	if _, err := parsePath("a[x]"); err == nil {
		t.Error("bad index accepted")
	}
	for in, want := range map[string]string{"1.50": "1.5", "2": "2.0", "0.1": "0.1", "1e3": "1000.0"} {
		if got := realText(in); got != want {
			t.Errorf("realText(%s) = %s, want %s", in, got, want)
		}
	}
}
