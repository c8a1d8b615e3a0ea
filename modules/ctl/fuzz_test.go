package ctl

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kamgo/kamgo/modules/ctl/binrpc"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// FuzzProcess feeds arbitrary bytes to the binrpc and FIFO request
// handling of a running ctl, as a stream and as a datagram: nothing may
// panic, a request never consumes more than it was given, and a reply is
// a whole packet.
func FuzzProcess(f *testing.F) {
	srv, _ := start(f, fmt.Sprintf("modparam(\"ctl\", \"binrpc\", \"%s\")", filepath.Join(f.TempDir(), "ctl")))
	inst, ok := srv.Module(Name)
	if !ok {
		f.Fatal("ctl not loaded")
	}
	m := inst.(*Module)
	f.Add(binrpc.NewRequest(1, "core.echo", rpc.NewStr("a"), rpc.NewInt(-1), rpc.NewDouble(1.5), rpc.NewStruct().Set("k", rpc.NewInt(2))))
	f.Add(binrpc.NewRequest(2, "system.methodHelp", rpc.NewInt(5)))
	f.Add(binrpc.NewRequest(3, "ctl.who"))
	f.Add([]byte(":core.echo:x\na\\c\n\n"))
	f.Add([]byte{0xA1, 0x0F, 0, 0, 0, 9, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, stream := range []bool{true, false} {
			res := m.process(b, stream)
			if res.n > len(b) {
				t.Fatalf("consumed %d of %d bytes", res.n, len(b))
			}
			if len(res.reply) > 0 {
				h, err := binrpc.ParseHeader(res.reply)
				if err != nil || h.Size+int(h.BodyLen) != len(res.reply) {
					t.Fatalf("reply % x is not one packet: %v", res.reply, err)
				}
			}
			fres, _ := m.processFIFO(b, stream)
			if fres.n > len(b) {
				t.Fatalf("fifo consumed %d of %d bytes", fres.n, len(b))
			}
		}
	})
}
