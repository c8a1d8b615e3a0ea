//go:build kamailio

package jansson

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord checks testdata/jansson.txt against the installed Kamailio; with
// -update it rewrites it:
// go test -tags kamailio -run TestRecord ./modules/jansson
func TestRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pvtest.RecordFile(ctx, "testdata/jansson.txt", nil); err != nil {
		t.Fatal(err)
	}
}

// TestRecordStartup checks startupCases against Kamailio: each case's
// configuration must start, or be refused, as the table says.
func TestRecordStartup(t *testing.T) {
	for _, sc := range startupCases {
		t.Run(sc.name, func(t *testing.T) {
			f := &pvtest.File{Cases: []*pvtest.Case{{Name: sc.name, Body: []string{sc.statement()}}}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.Start(ctx, f.Config(), kamref.Options{})
			if err == nil {
				in.Stop()
			} else if _, refused := err.(*kamref.StartError); !refused {
				t.Fatal(err)
			}
			if (err == nil) != sc.ok {
				t.Errorf("%s: Kamailio starts: %v, table says %v", sc.statement(), err == nil, sc.ok)
			}
		})
	}
}
