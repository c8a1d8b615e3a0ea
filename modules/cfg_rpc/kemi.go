package cfgrpc

import "github.com/kamgo/kamgo/runtime/module"

// KEMI implements module.KEMIExporter: cfg_rpc offers KEMI scripts
// nothing, as in Kamailio (its commands are RPC, not script functions).
func (*Module) KEMI() []module.KEMIFunc { return nil }

var _ module.KEMIExporter = (*Module)(nil)
