package netstring

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzNetstring: any split of any byte stream gives the same frames, bad
// frames and fatal errors as the stream read whole, and Read agrees with
// the decoder up to the first invalid frame.
func FuzzNetstring(f *testing.F) {
	for _, s := range []string{"8:relay:p1,8:relay:p2,", " \r\n\t3:abc,\n", "abc,3:abcd,3:abcX8:relay:q3,", "0:,-1:x,0007:relay:z,", "99999999:x,", "4294967308:relay:ovfl12,", "12", ",,,:"} {
		f.Add([]byte(s), []byte{1, 3, 0, 7})
	}
	f.Fuzz(func(t *testing.T, data, splits []byte) {
		const max = 64
		whole := decodeChunks(&Decoder{Max: max}, [][]byte{data})
		var chunks [][]byte
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(splits) > 0 {
				n = min(int(splits[i%len(splits)])%8, len(rest))
			}
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
			if i > 10*len(data)+10 {
				break
			}
		}
		chunks = append(chunks, rest)
		split := decodeChunks(&Decoder{Max: max}, chunks)
		if strings.Join(whole, "\n") != strings.Join(split, "\n") {
			t.Fatalf("whole %q\nsplit %q", whole, split)
		}
		if got, want := readAll(data, max), untilInvalid(whole); got != want {
			t.Fatalf("Read %q\nDecoder %q", got, want)
		}
	})
}

// readAll reads frames with Read until an error and describes them as
// decodeChunks does, up to the first invalid frame.
func readAll(data []byte, max int) string {
	r := bufio.NewReader(bytes.NewReader(data))
	var out []string
	for range len(data) + 1 {
		p, err := Read(r, max)
		var fe *Error
		switch {
		case err == nil:
			out = append(out, "frame "+string(p))
			continue
		case errors.As(err, &fe) && fe.Fatal:
			out = append(out, "too long "+fe.Reason)
		case errors.As(err, &fe):
			out = append(out, "bad "+fe.Reason)
		case err == io.EOF || err == io.ErrUnexpectedEOF:
		default:
			out = append(out, "error "+err.Error())
		}
		break
	}
	return strings.Join(out, "\n")
}

// untilInvalid keeps the decoder's events up to and including the first
// that is not a frame.
func untilInvalid(events []string) string {
	for i, e := range events {
		if !strings.HasPrefix(e, "frame ") {
			return strings.Join(events[:i+1], "\n")
		}
	}
	return strings.Join(events, "\n")
}
