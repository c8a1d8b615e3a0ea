package binrpc

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// FuzzDecode feeds arbitrary bytes to the header parser and to the record
// reader in both modes: nothing may panic, and a reader never reads past
// its body.
func FuzzDecode(f *testing.F) {
	f.Add(NewRequest(7, "core.echo", rpc.NewStr("a"), rpc.NewInt(1), rpc.NewDouble(2.5)))
	f.Add(AppendParam(nil, rpc.NewStruct().Set("a", rpc.NewStruct().Set("b", rpc.NewInt(1)))))
	f.Add([]byte{0xA1, 0x0F, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Add([]byte{0x03, 0x25, 'a', 0, 0x03, 0x83, 0x83})
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := ParseHeader(b); err == nil && h.Size > len(b) {
			t.Fatalf("header size %d beyond %d bytes", h.Size, len(b))
		}
		for _, loose := range []bool{false, true} {
			r := NewReader(b)
			r.Loose = loose
			_, _ = r.Values()
			if r.Offset() > len(b) {
				t.Fatalf("read %d of %d bytes", r.Offset(), len(b))
			}
		}
		_, _, _ = ParseFault(b)
	})
}
