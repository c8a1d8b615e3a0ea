package jansson

import (
	"testing"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"

	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// TestJansson replays testdata/jansson.txt, recorded from Kamailio 5.6.3.
func TestJansson(t *testing.T) {
	pvtest.CheckFile(t, "testdata/jansson.txt")
}

func TestPathAndReal(t *testing.T) {
	if _, err := jsondoc.ParsePath("a[x]"); err == nil {
		t.Error("bad index accepted")
	}
	for in, want := range map[string]string{"1.50": "1.5", "2": "2.0", "0.1": "0.1", "1e3": "1000.0"} {
		if got := jsondoc.RealText(in); got != want {
			t.Errorf("jsondoc.RealText(%s) = %s, want %s", in, got, want)
		}
	}
}
