package netstring

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		frames   []string
		err      string // "" for io.EOF after the frames
	}{
		{"frames", "5:hello,1:x,", []string{"hello", "x"}, ""},
		{"whitespace", " \r\n3:abc,\n", []string{"abc"}, ""},
		{"comma inside payload", "5:a,b,c,", []string{"a,b,c"}, ""},
		{"empty stream", "", nil, ""},
		{"ends inside the length", "5:hello,12", []string{"hello"}, io.ErrUnexpectedEOF.Error()},
		{"ends inside the payload", "5:hel", nil, io.ErrUnexpectedEOF.Error()},
		{"no length", "abc,", nil, `netstring: invalid character 'a' where a frame length was expected`},
		{"bad length", "3x:abc,", nil, `netstring: invalid character 'x' in the frame length`},
		{"zero length", "0:,", nil, "netstring: invalid frame length 0"},
		{"mismatch", "3:abcd,", nil, `netstring: frame size mismatch: 'd' where ',' should end a 3-byte payload`},
		{"too long", "65:", nil, "netstring: frame length exceeds the limit (64)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tc.in))
			var got []string
			var err error
			for range 10 {
				var p []byte
				if p, err = Read(r, 64); err != nil {
					break
				}
				got = append(got, string(p))
			}
			if strings.Join(got, "|") != strings.Join(tc.frames, "|") {
				t.Errorf("frames %q, want %q", got, tc.frames)
			}
			if tc.err == "" {
				if err != io.EOF {
					t.Errorf("error %v, want io.EOF", err)
				}
			} else if err == nil || err.Error() != tc.err {
				t.Errorf("error %v, want %s", err, tc.err)
			}
		})
	}
}

func TestReadFatal(t *testing.T) {
	_, err := Read(bufio.NewReader(strings.NewReader("99999:x,")), 64)
	var fe *Error
	if !errors.As(err, &fe) || !fe.Fatal {
		t.Errorf("got %v, want a fatal *Error", err)
	}
	_, err = Read(bufio.NewReader(strings.NewReader("3:abcd,")), 64)
	if !errors.As(err, &fe) || fe.Fatal {
		t.Errorf("got %v, want a non-fatal *Error", err)
	}
}
