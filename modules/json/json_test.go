package json

import (
	"testing"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"

	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// TestJSON replays testdata/json.txt, recorded from Kamailio 5.6.3.
func TestJSON(t *testing.T) {
	pvtest.CheckFile(t, "testdata/json.txt")
}

func TestSpaced(t *testing.T) {
	n, err := jsondoc.Parse(`{"a":{},"b":[],"c":"x/y"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Spaced(), `{ "a": { }, "b": [ ], "c": "x\/y" }`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}
