package json

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// TestJSON replays testdata/json.txt, recorded from Kamailio 5.6.3.
func TestJSON(t *testing.T) {
	pvtest.CheckFile(t, "testdata/json.txt")
}
