package jansson

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// TestJansson replays testdata/jansson.txt, recorded from Kamailio 5.6.3.
func TestJansson(t *testing.T) {
	pvtest.CheckFile(t, "testdata/jansson.txt")
}
