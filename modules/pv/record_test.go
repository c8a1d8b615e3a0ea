//go:build kamailio

package pv

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamgo/kamgo/modules/pv/pvtest"
)

// TestRecord rewrites the testdata case files from the installed Kamailio:
// go test -tags kamailio -run TestRecord ./modules/pv
func TestRecord(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		err := pvtest.RecordFile(ctx, f, "KAMGO_TEST_ENV=hello env")
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}
