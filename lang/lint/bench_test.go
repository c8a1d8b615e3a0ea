package lint

import (
	"os"
	"testing"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
)

const benchConfig = "/etc/kamailio/kamailio.cfg"

// BenchmarkRules measures the rules alone (every rule on) on the config
// Debian ships; BenchmarkFile the whole of File (check included).
func BenchmarkRules(b *testing.B) {
	if _, err := os.Stat(benchConfig); err != nil {
		b.Skip("no Debian config")
	}
	cfg, diags, src := check.Analyze(benchConfig, preproc.Options{}, nil)
	conf := &Config{Checks: []string{"all"}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Run(cfg, diags, src, Options{Config: conf})
	}
}

func BenchmarkFile(b *testing.B) {
	if _, err := os.Stat(benchConfig); err != nil {
		b.Skip("no Debian config")
	}
	conf := &Config{Checks: []string{"all"}}
	for i := 0; i < b.N; i++ {
		File(benchConfig, Options{Config: conf})
	}
}
