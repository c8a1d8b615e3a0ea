package parser

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/token"
)

// TestPlainItems holds plainLoadModule, plainModParam and plainCoreParam
// to participle: for every loadmodule, modparam and core parameter item of
// the inputs, each either leaves the item to participle or builds exactly
// what participle builds.
func TestPlainItems(t *testing.T) {
	inputs := map[string][]byte{"inline.cfg": []byte(`
loadmodule "tm.so"
loadmodulex "$var(x).so"
loadmodule("tm.so")
loadmodule "a.so" "b"
loadmodule 'sl.so';
loadmodule tm
modparam("tm", "fr_timer", 3000)
modparam("tm", "fr_timer", -3000)
modparam("tm", "fr_timer", - "x")
modparam('tm', 'x', 'y');
modparamx("tm", "x", $var(x))
modparam("tm", "x", yes)
modparam("tm", "x", ABC)
modparam("tm", "x", 10.0.0.1)
modparam("tm", "x", 1a)
modparam("tm", "x", "a" "b")
modparam("tm", "x", )
modparam("tm" "x", 1)
modparam("tm", "x", 1
modparam("tm", "x", 1))
modparam(tm, "x", 1)
modparam("tm", "x", 0x10)
debug=2
log_stderror = no
listen=udp:127.0.0.1:5060 advertise 1.2.3.4:5060 name "x"
listen = tcp:[::1]:5060, udp:eth0
alias="a.example.com" "b"
socket = { bind = udp:127.0.0.1:5062; }
port = ;
x = { }
mhomed=1;
tos = -1
children = 4 }
`)}
	files, _ := filepath.Glob("testdata/golden/*.cfg")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = b
	}
	for _, f := range []string{"testdata/errors.cfg", "/etc/kamailio/kamailio.cfg"} {
		if b, err := os.ReadFile(f); err == nil {
			inputs[f] = b
		}
	}
	if err := prepare(); err != nil {
		t.Fatal(err)
	}
	plain, items := 0, 0
	for name, src := range inputs {
		res := preproc.Process(name, src, preproc.Options{ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }})
		var lt []lexer.Token
		for i, tk := range res.Tokens {
			if tk.Kind != token.Error {
				lt = append(lt, toLexer(tk, i))
			}
		}
		if len(lt) == 0 || lt[len(lt)-1].Type != lexer.EOF {
			lt = append(lt, lexer.Token{Type: lexer.EOF})
		}
		p := &state{toks: res.Tokens, lt: lt}
		for i := 0; i < len(lt)-1; i++ {
			kw := lt[i].Value
			core := !itemKeywords[kw] && isPunct(&lt[i+1], "=") && (i == 0 || !p.joinedToPrev(i))
			if !word(lt[i]) || !strings.HasPrefix(kw, "loadmodule") && !strings.HasPrefix(kw, "modparam") && !core {
				continue
			}
			e := p.itemEnd(i + 1)
			toks, next := lt[i:e], p.at(e).Pos
			items++
			if g := plainLoadModule(toks, next); g != nil {
				plain++
				pl := peeking(toks, next)
				want, err := parse(&grammar.loadModule, pl)
				if err != nil || !reflect.DeepEqual(g, want) || pl.Peek().Type != lexer.EOF {
					t.Errorf("%s:%d: plainLoadModule = %#v, participle = %#v, %v", name, lt[i].Pos.Line, g, want, err)
				}
			}
			if g := plainCoreParam(toks, next); core && g != nil {
				plain++
				pl := peeking(toks, next)
				want, err := parse(&grammar.coreParam, pl)
				if err != nil || !reflect.DeepEqual(g, want) || pl.Peek().Type != lexer.EOF {
					t.Errorf("%s:%d: plainCoreParam = %#v, participle = %#v, %v", name, lt[i].Pos.Line, g, want, err)
				}
			}
			if g := plainModParam(toks, next); g != nil {
				plain++
				pl := peeking(toks, next)
				want, err := parse(&grammar.modParam, pl)
				if err != nil || !reflect.DeepEqual(g, want) || pl.Peek().Type != lexer.EOF {
					t.Errorf("%s:%d: plainModParam = %#v, participle = %#v, %v", name, lt[i].Pos.Line, g, want, err)
				}
			}
		}
	}
	t.Logf("%d of %d items took the plain path", plain, items)
	if plain < 20 || plain == items {
		t.Errorf("%d of %d items took the plain path: the inputs do not cover both paths", plain, items)
	}
}
