//go:build kamailio

package pv

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
)

// kamailioGarbage names the cases where Kamailio 5.6.3 prints bytes past the
// value (uri.saor/suri/duri, s.rbefore, s.decode.base58): they vary between
// runs and are documented deviations.
var kamailioGarbage = map[string][]string{"trans.txt": garbageCases}

// TestRecord checks the testdata case files against the installed Kamailio
// (with -update it rewrites them), one subtest per file:
// go test -tags kamailio -run TestRecord ./modules/pv
// go test -tags kamailio -run TestRecord/xavp.txt ./modules/pv -update
func TestRecord(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			err := pvtest.RecordFile(ctx, f, kamailioGarbage[filepath.Base(f)], "KAMGO_TEST_ENV=hello env")
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		})
	}
}
