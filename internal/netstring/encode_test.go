package netstring

import "testing"

func TestAppend(t *testing.T) {
	for _, tc := range []struct{ payload, want string }{
		{"", "0:,"},
		{"a", "1:a,"},
		{"hello, world", "12:hello, world,"},
		{"x:y,z", "5:x:y,z,"},
	} {
		if got := string(Append([]byte(">"), tc.payload)); got != ">"+tc.want {
			t.Errorf("Append(%q) = %q, want %q", tc.payload, got, ">"+tc.want)
		}
		if got := string(Append(nil, []byte(tc.payload))); got != tc.want {
			t.Errorf("Append([]byte %q) = %q, want %q", tc.payload, got, tc.want)
		}
	}
}

// TestPutHeader frames payloads formatted after HeaderRoom reserved bytes
// in place, as evapi does, and compares with Append.
func TestPutHeader(t *testing.T) {
	for _, n := range []int{1, 9, 10, 99, 100, 32760, 1 << 20} {
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte('a' + i%26)
		}
		b := append(make([]byte, HeaderRoom), payload...)
		start := PutHeader(b, HeaderRoom, n)
		b = append(b, ',')
		if got, want := string(b[start:]), string(Append(nil, payload)); got != want {
			t.Errorf("%d-byte payload: framed in place %.20q..., want %.20q...", n, got, want)
		}
	}
}

// TestPutHeaderNoAllocs: framing in place allocates nothing.
func TestPutHeaderNoAllocs(t *testing.T) {
	b := make([]byte, HeaderRoom+100, HeaderRoom+101)
	allocs := testing.AllocsPerRun(100, func() {
		start := PutHeader(b, HeaderRoom, 100)
		_ = append(b[start:], ',')
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run", allocs)
	}
}
