package usrloc

import "github.com/kamgo/kamgo/runtime/module"

// KEMI implements module.KEMIExporter. Kamailio's usrloc exports nothing
// to KEMI (5.6 to 6.1): scripts reach the location table through
// registrar's KSR.registrar functions. Declaring the empty set keeps
// "every module states its KEMI functions" checkable.
func (*Module) KEMI() []module.KEMIFunc { return nil }

var _ module.KEMIExporter = (*Module)(nil)
