package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// waivers are module dependencies that a module parameter turns off:
// the module binds the other module's API in mod_init only when each of
// the parameters is 0 (its default). Read from the modules' mod_init at
// tag 5.6.3, unchanged up to 6.1.4.
var waivers = []struct {
	module, dep string
	params      []string // any one set to non-zero waives the dependency
}{
	// presence_xml.c mod_init: xcap_client is bound only when
	// force_active and integrated_xcap_server are both 0.
	{"presence_xml", "xcap_client", []string{"force_active", "integrated_xcap_server"}},
}

// depWaived reports whether a modparam of the config turns off module's
// need for dep.
func depWaived(cfg *ast.Config, module, dep string) bool {
	for _, w := range waivers {
		if w.module != module || w.dep != dep {
			continue
		}
		for _, it := range cfg.Items {
			mp, ok := it.(*ast.ModParam)
			if !ok || !strings.EqualFold(mp.Module, module) {
				continue
			}
			for _, p := range w.params {
				if strings.EqualFold(mp.Param, p) && nonZero(mp.Value) {
					return true
				}
			}
		}
	}
	return false
}

// nonZero reports whether a modparam value sets an integer parameter to
// something other than 0.
func nonZero(e ast.Expr) bool {
	switch v := e.(type) {
	case *ast.IntLit:
		return v.Value != 0
	case *ast.StrLit:
		return strings.TrimSpace(v.Value) != "0" && strings.TrimSpace(v.Value) != ""
	}
	return false
}
