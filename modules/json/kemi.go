package json

import "github.com/kamgo/kamgo/runtime/module"

// KEMI implements module.KEMIExporter. Kamailio's json module exports
// nothing to KEMI (5.6 to 6.1): a Lua script has no KSR.json and parses
// JSON with KSR.jansson.get or with Lua itself. Declaring the empty set
// keeps "every module states its KEMI functions" checkable.
func (*Module) KEMI() []module.KEMIFunc { return nil }

var _ module.KEMIExporter = (*Module)(nil)
