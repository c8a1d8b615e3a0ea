//go:build kamailio

package json

import (
	"context"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
)

// TestRecord rewrites testdata/json.txt from the installed Kamailio:
// go test -tags kamailio -run TestRecord ./modules/json
func TestRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := pvtest.RecordFile(ctx, "testdata/json.txt", nil); err != nil {
		t.Fatal(err)
	}
}
