// Package token owns the lexical tokens of the Kamailio configuration
// language: their kinds and the positions they keep. The preprocessor
// produces tokens (after #!ifdef evaluation, define expansion and includes);
// the parser consumes them.
package token

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/diag"
)

// Kind classifies a token.
type Kind uint8

// Token kinds.
const (
	EOF       Kind = iota
	Ident          // [a-zA-Z_][a-zA-Z0-9_]*, not a reserved word
	Keyword        // a reserved word: if, else, route, modparam, mod, eq, ...
	Int            // 12, 0x1f, 010, 101b; Text is the source text
	String         // "..." or '...'; Text is the decoded value, adjacent literals joined
	PVar           // $fU, $var(x), $(ru{uri.user}), $?; Text is the source text
	EventName      // a:b-c inside event_route[...]
	Addr           // 127.0.0.1 or an IPv6 address (without brackets)
	NumID          // 5060abc: digits then letters
	Punct          // operators and punctuation; Text is the operator
	Subst          // #!subst, #!substdef, #!substdefs; Text is the directive
	Error          // a lexical error; Text is the message
)

var kindNames = [...]string{
	EOF: "end of file", Ident: "identifier", Keyword: "keyword", Int: "number",
	String: "string", PVar: "pseudo-variable", EventName: "event name",
	Addr: "address", NumID: "identifier", Punct: "punctuation", Subst: "directive",
	Error: "error",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Token is one lexical token. Pos and End (exclusive) are where it was
// written; for tokens produced by expanding a #!define they are the position
// of the define's use and Via names the define.
type Token struct {
	Kind  Kind
	Text  string
	File  string
	Pos   diag.Pos
	End   diag.Pos
	Via   string
	Quote byte // '"' or '\'' for String tokens
}

// Range returns the token's source range.
func (t Token) Range() diag.Range {
	return diag.Range{File: t.File, Start: t.Pos, End: t.End, Via: t.Via}
}

func (t Token) String() string {
	switch t.Kind {
	case EOF:
		return "end of file"
	case String:
		return fmt.Sprintf("%q", t.Text)
	}
	return fmt.Sprintf("%q", t.Text)
}
