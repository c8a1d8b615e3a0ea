//go:build kamailio

package jansson

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord rewrites testdata/jansson.txt from the installed Kamailio:
// go test -tags kamailio -run TestRecord ./modules/jansson
func TestRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pvtest.RecordFile(ctx, "testdata/jansson.txt", nil); err != nil {
		t.Fatal(err)
	}
}
