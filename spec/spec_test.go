// Package spec holds the language specification of kamgo: grammar.ebnf (the
// grammar lang/parser implements) and language.md (the language described,
// quoting every production). This test keeps the two in agreement.
package spec

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// production is one `Name = body .` rule; body is its tokens.
type production struct {
	name string
	body []string
}

// tokenize splits EBNF text into names, quoted strings and punctuation,
// dropping // comment lines.
func tokenize(src string) ([]string, error) {
	var toks []string
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		for i := 0; i < len(line); {
			c := line[i]
			switch {
			case c == ' ' || c == '\t' || c == '\r':
				i++
			case c == '"':
				j := strings.IndexByte(line[i+1:], '"')
				if j < 0 {
					return nil, fmt.Errorf("unterminated string in %q", line)
				}
				toks = append(toks, line[i:i+j+2])
				i += j + 2
			case c == '_' || unicode.IsLetter(rune(c)):
				j := i
				for j < len(line) && (line[j] == '_' || unicode.IsLetter(rune(line[j])) || unicode.IsDigit(rune(line[j]))) {
					j++
				}
				toks = append(toks, line[i:j])
				i = j
			case strings.IndexByte("=|()[]{}.", c) >= 0:
				toks = append(toks, string(c))
				i++
			default:
				return nil, fmt.Errorf("unexpected %q in %q", c, line)
			}
		}
	}
	return toks, nil
}

func parseEBNF(src string) ([]production, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	var out []production
	for i := 0; i < len(toks); {
		if i+1 >= len(toks) || toks[i+1] != "=" || !isNonterminal(toks[i]) {
			return nil, fmt.Errorf("expected `Name =` at %q", strings.Join(toks[i:min(i+4, len(toks))], " "))
		}
		p := production{name: toks[i]}
		j := i + 2
		for j < len(toks) && toks[j] != "." {
			p.body = append(p.body, toks[j])
			j++
		}
		if j == len(toks) {
			return nil, fmt.Errorf("production %s does not end with '.'", p.name)
		}
		out = append(out, p)
		i = j + 1
	}
	return out, nil
}

func isNonterminal(s string) bool { return s != "" && unicode.IsUpper(rune(s[0])) }

// terminals are the token kinds the grammar may name.
var terminals = map[string]bool{
	"ident": true, "keyword": true, "int": true, "string": true, "pvar": true,
	"addr": true, "num_id": true, "event_name": true,
}

var ebnfBlock = regexp.MustCompile("(?s)```ebnf\n(.*?)```")

func load(t *testing.T) (grammar, doc []production) {
	g, err := os.ReadFile("grammar.ebnf")
	if err != nil {
		t.Fatal(err)
	}
	grammar, err = parseEBNF(string(g))
	if err != nil {
		t.Fatalf("grammar.ebnf: %v", err)
	}
	md, err := os.ReadFile("language.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ebnfBlock.FindAllStringSubmatch(string(md), -1) {
		ps, err := parseEBNF(m[1])
		if err != nil {
			t.Fatalf("language.md: %v", err)
		}
		doc = append(doc, ps...)
	}
	return grammar, doc
}

func index(t *testing.T, where string, ps []production) map[string]production {
	m := map[string]production{}
	for _, p := range ps {
		if _, dup := m[p.name]; dup {
			t.Errorf("%s: production %s is defined twice", where, p.name)
		}
		m[p.name] = p
	}
	return m
}

// TestDocQuotesGrammar checks that language.md quotes every production of
// grammar.ebnf, with the same body, and no other.
func TestDocQuotesGrammar(t *testing.T) {
	grammar, doc := load(t)
	g, d := index(t, "grammar.ebnf", grammar), index(t, "language.md", doc)
	for name, p := range g {
		q, ok := d[name]
		switch {
		case !ok:
			t.Errorf("language.md does not quote production %s", name)
		case strings.Join(p.body, " ") != strings.Join(q.body, " "):
			t.Errorf("production %s differs:\n grammar.ebnf: %s\n language.md:  %s", name,
				strings.Join(p.body, " "), strings.Join(q.body, " "))
		}
	}
	for name := range d {
		if _, ok := g[name]; !ok {
			t.Errorf("language.md has production %s, which grammar.ebnf does not define", name)
		}
	}
}

// TestGrammarConsistent checks that every name used is defined (or is a
// token kind) and every production but the start one is used.
func TestGrammarConsistent(t *testing.T) {
	grammar, _ := load(t)
	defined := index(t, "grammar.ebnf", grammar)
	used := map[string]bool{}
	for _, p := range grammar {
		for _, tok := range p.body {
			switch {
			case isNonterminal(tok):
				used[tok] = true
				if _, ok := defined[tok]; !ok {
					t.Errorf("%s uses %s, which is not defined", p.name, tok)
				}
			case tok[0] == '"' || strings.Contains("|()[]{}", tok):
			case !terminals[tok]:
				t.Errorf("%s uses %s, which is neither a production nor a token kind", p.name, tok)
			}
		}
	}
	if len(grammar) == 0 || grammar[0].name != "Config" {
		t.Fatal("grammar.ebnf must start with the Config production")
	}
	for _, p := range grammar[1:] {
		if !used[p.name] {
			t.Errorf("production %s is never used", p.name)
		}
	}
}
