package preproc

import (
	"fmt"
	"os"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
)

// TestDump prints the tokens and diagnostics of the file named by
// $PREPROC_DUMP, for looking at real configs by hand.
func TestDump(t *testing.T) {
	path := os.Getenv("PREPROC_DUMP")
	if path == "" {
		t.Skip("set PREPROC_DUMP=file.cfg")
	}
	r := ProcessFile(path, Options{})
	if os.Getenv("PREPROC_QUIET") == "" {
		for _, tk := range r.Tokens {
			fmt.Println(formatToken(tk))
		}
	}
	diag.WriteText(os.Stdout, r.Diags, r.Sources)
}
