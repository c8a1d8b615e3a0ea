//go:build kamailio

package xlog

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord rewrites testdata/xlog.txt from the installed Kamailio:
// go test -tags kamailio -run TestRecord ./modules/xlog
func TestRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pvtest.RecordFile(ctx, "testdata/xlog.txt", nil); err != nil {
		t.Fatal(err)
	}
}
