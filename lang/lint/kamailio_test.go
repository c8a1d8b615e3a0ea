//go:build kamailio

package lint

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamc"
)

// TestKamailioAccepts runs the real `kamailio -c` on every test config and
// on every rule's wrong and right examples: a lint finding must be about
// a config Kamailio lets through.
func TestKamailioAccepts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.cfg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test configs: %v", err)
	}
	dir := t.TempDir()
	for _, r := range Rules() {
		for name, text := range map[string]string{r.ID + "_bad.cfg": r.Bad, r.ID + "_good.cfg": r.Good} {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(text+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	for _, f := range files {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		v, err := kamc.Check(ctx, f, nil)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !v.OK {
			t.Errorf("%s: Kamailio refuses it at line %d: %s %s", filepath.Base(f), v.Line, v.Message, v.Detail)
		}
	}
}
