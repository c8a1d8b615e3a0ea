package supervise

import (
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
)

// reload applies the reload rule (see the package doc); reason names the
// trigger in the log. It returns the files the new configuration reads, so
// that the watch follows include changes even when it was refused.
func (s *Supervisor) reload(reason string) []string {
	log := s.o.Log
	cfg, diags, src := s.o.Analyze(s.o.File)
	if !diags.HasErrors() {
		diags = s.srv.Reload(cfg)
	}
	if diags.HasErrors() {
		var b strings.Builder
		_ = diag.WriteText(&b, diags, src)
		log.Logf(klog.Err, "core", "reload (%s) refused, the running configuration is kept:\n%s", reason, strings.TrimRight(b.String(), "\n"))
	} else {
		log.Logf(klog.Info, "core", "reloaded %s (%s)", s.o.File, reason)
	}
	if cfg == nil {
		return nil
	}
	return s.watched(cfg)
}
