//go:build kamailio

package cfgutils

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord checks the case files against the installed Kamailio; with
// -update it rewrites them:
// go test -tags kamailio -run TestRecord ./modules/cfgutils
func TestRecord(t *testing.T) {
	for _, path := range []string{"testdata/cfgutils.txt", "testdata/params.txt", "testdata/literals.txt"} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		if err := pvtest.RecordFile(ctx, path, nil); err != nil {
			t.Error(err)
		}
		cancel()
	}
}

// TestRecordStartup checks startupCases against Kamailio: each case's
// configuration must start, or be refused, as the table says.
func TestRecordStartup(t *testing.T) {
	for _, sc := range startupCases {
		t.Run(sc.name, func(t *testing.T) {
			f := &pvtest.File{Top: sc.modparams(), Cases: []*pvtest.Case{{Name: sc.name, Body: []string{sc.statement()}}}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.Start(ctx, f.Config(), kamref.Options{})
			if err == nil {
				in.Stop()
			} else if _, refused := err.(*kamref.StartError); !refused {
				t.Fatal(err)
			}
			if (err == nil) != sc.ok {
				t.Errorf("%v %s: Kamailio starts: %v, table says %v", sc.modparams(), sc.statement(), err == nil, sc.ok)
			}
		})
	}
}
