package supervise

import (
	"github.com/kamgo/kamgo/lang/ast"
)

// ConfigFiler is implemented by modules that read files a configuration
// names besides the configuration's own (app_lua's load scripts and
// lua_dofile files): with Watch, a change to one of them reloads too.
// ConfigFiles must only read cfg (it is asked about configurations that
// are refused, and runs beside the events).
type ConfigFiler interface {
	ConfigFiles(cfg *ast.Config) []string
}

// watched returns the files a change to which reloads cfg: the files it
// reads (cfg.Files) and those its loaded modules read.
func (s *Supervisor) watched(cfg *ast.Config) []string {
	files := append([]string(nil), cfg.Files...)
	seen := map[string]bool{}
	for _, it := range cfg.Items {
		lm, ok := it.(*ast.LoadModule)
		if !ok || seen[lm.Module()] {
			continue
		}
		seen[lm.Module()] = true
		m, ok := s.srv.Module(lm.Module())
		if !ok {
			continue
		}
		if f, ok := m.(ConfigFiler); ok {
			files = append(files, f.ConfigFiles(cfg)...)
		}
	}
	return files
}
