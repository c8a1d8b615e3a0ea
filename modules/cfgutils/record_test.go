//go:build kamailio

package cfgutils

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord rewrites testdata/cfgutils.txt from the installed Kamailio:
// go test -tags kamailio -run TestRecord ./modules/cfgutils
func TestRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pvtest.RecordFile(ctx, "testdata/cfgutils.txt", nil); err != nil {
		t.Fatal(err)
	}
}
