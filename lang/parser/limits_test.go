package parser

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/preproc"
)

// TestDeepNesting checks that absurd nesting gives a diagnostic, not a
// stack overflow.
func TestDeepNesting(t *testing.T) {
	const n = 10000
	cases := map[string]string{
		"blocks": "request_route {" + strings.Repeat("{", n) + strings.Repeat("}", n) + "}\n",
		"parens": "request_route { $x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "; }\n",
		"unary":  "request_route { $x = " + strings.Repeat("!", n) + "1; }\n",
		"ifs":    "request_route { " + strings.Repeat("if (1) ", n) + "exit; }\n",
		"calls":  "request_route { " + strings.Repeat("f(", n) + strings.Repeat(")", n) + "; }\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			res := preproc.Process("deep.cfg", []byte(src), preproc.Options{})
			_, l := Parse(res)
			found := false
			for _, d := range l {
				if d.Code == "KC0512" {
					found = true
				}
			}
			if !found {
				t.Errorf("no KC0512 diagnostic; got %v", l)
			}
		})
	}
}

// TestConcurrent parses in parallel: the grammar is shared by every parse.
func TestConcurrent(t *testing.T) {
	src := []byte("request_route { if ($x == 1) { xlog(\"a\"); } else route(B); }\nroute[B] { exit; }\n")
	done := make(chan bool)
	for range 8 {
		go func() {
			defer func() { done <- true }()
			for range 20 {
				res := preproc.Process("c.cfg", src, preproc.Options{})
				if cfg, l := Parse(res); len(l) != 0 || len(cfg.Items) != 2 {
					t.Errorf("got %d items, %v", len(cfg.Items), l)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}
