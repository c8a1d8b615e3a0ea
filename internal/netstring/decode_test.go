package netstring

import (
	"slices"
	"strings"
	"testing"
)

// decodeChunks feeds chunks to a decoder the way a connection does and
// returns what it reported, one string per event.
func decodeChunks(d *Decoder, chunks [][]byte) []string {
	var out []string
	var buf []byte
	for _, ch := range chunks {
		buf = append(buf, ch...)
		for len(buf) > 0 {
			p, n, r, reason := d.Next(buf)
			if n < 0 || n > len(buf) {
				return append(out, "BUG: consumed out of range")
			}
			buf = buf[n:]
			if r == NeedMore {
				break
			}
			switch r {
			case Frame:
				out = append(out, "frame "+string(p))
			case Bad:
				out = append(out, "bad "+reason)
			case TooLong:
				return append(out, "too long "+reason)
			}
		}
	}
	return out
}

func split(s string) [][]byte {
	var out [][]byte
	for i := range len(s) {
		out = append(out, []byte(s[i:i+1]))
	}
	return out
}

// TestDecoder: each stream gives the same events fed whole and byte by
// byte; the reasons are the ones evapi logs.
func TestDecoder(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"two frames", "8:relay:p1,8:relay:p2,", []string{"frame relay:p1", "frame relay:p2"}},
		{"whitespace between frames", " \r\n\t3:abc,\r\n1:x,\n", []string{"frame abc", "frame x"}},
		{"comma inside payload", "5:a,b,c,", []string{"frame a,b,c"}},
		{"leading zeros", "0007:relay:z,", []string{"frame relay:z"}},
		{"partial frame", "8:relay:", nil},
		{"partial length", "12", nil},
		{"no length", "abc,1:x,", []string{`bad invalid character 'a' where a frame length was expected`, "frame x"}},
		{"bad length character", "3x:abc,1:y,", []string{`bad invalid character 'x' in the frame length`, "frame y"}},
		{"the bad byte ends the frame", ",1:x,", []string{`bad invalid character ',' where a frame length was expected`, "frame x"}},
		{"negative length", "-1:x,", []string{`bad invalid character '-' where a frame length was expected`}},
		{"zero length", "0:,8:relay:z0,", []string{"bad invalid frame length 0", "frame relay:z0"}},
		{"length mismatch", "3:abcd,1:x,", []string{`bad frame size mismatch: 'd' where ',' should end a 3-byte payload`, "frame x"}},
		{"mismatch swallows the next frame", "3:abcX8:relay:q3,", []string{`bad frame size mismatch: 'X' where ',' should end a 3-byte payload`}},
		{"too long", "99999999:x,", []string{"too long frame length exceeds max_frame_size (64)"}},
		{"32-bit wrap is too long", "4294967308:relay:ovfl12,", []string{"too long frame length exceeds max_frame_size (64)"}},
		{"too many digits", strings.Repeat("0", 21) + "1:x,", []string{"too long frame length has more than 20 digits"}},
		{"twenty digits are fine", strings.Repeat("0", 19) + "1:x,", []string{"frame x"}},
		{"frame before too long", "1:a,65:", []string{"frame a", "too long frame length exceeds max_frame_size (64)"}},
		{"largest frame", "64:" + strings.Repeat("L", 64) + ",", []string{"frame " + strings.Repeat("L", 64)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := decodeChunks(&Decoder{Max: 64, MaxName: "max_frame_size"}, [][]byte{[]byte(tc.in)})
			if !slices.Equal(whole, tc.want) {
				t.Errorf("whole: got %q, want %q", whole, tc.want)
			}
			bytewise := decodeChunks(&Decoder{Max: 64, MaxName: "max_frame_size"}, split(tc.in))
			if !slices.Equal(bytewise, tc.want) {
				t.Errorf("byte by byte: got %q, want %q", bytewise, tc.want)
			}
		})
	}
}

func TestDecoderDefaultMaxName(t *testing.T) {
	d := Decoder{Max: 5}
	_, _, r, reason := d.Next([]byte("6:abcdef,"))
	if r != TooLong || reason != "frame length exceeds the limit (5)" {
		t.Errorf("got %v %q", r, reason)
	}
}

// TestDecoderNoAllocs: decoding whole frames allocates nothing.
func TestDecoderNoAllocs(t *testing.T) {
	buf := []byte(" 8:relay:p1,8:relay:p2,")
	d := Decoder{Max: 64}
	allocs := testing.AllocsPerRun(100, func() {
		for b := buf; len(b) > 0; {
			_, n, r, _ := d.Next(b)
			if r != Frame {
				t.Fatalf("result %v", r)
			}
			b = b[n:]
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run", allocs)
	}
}

func TestNeed(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"12", 0},
		{"5:ab", 8},
		{" \n5:", 10},
		{"100:", 105},
	} {
		if got := Need([]byte(tc.in)); got != tc.want {
			t.Errorf("Need(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func BenchmarkDecoder(b *testing.B) {
	var buf []byte
	for range 64 {
		buf = Append(buf, "relay:0123456789abcdef")
	}
	d := Decoder{Max: 32 << 10}
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		for p := buf; len(p) > 0; {
			_, n, _, _ := d.Next(p)
			p = p[n:]
		}
	}
}
