package parser

import (
	"errors"
	"io"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kamgo/kamgo/lang/token"
)

// tokenDef presents lang/token kinds to participle. The parser never lexes
// text itself: the preprocessor has already produced the tokens, and each
// item is handed to participle as a slice of them.
type tokenDef struct{}

// symbols maps grammar symbol names to participle token types; a token's
// participle type is its token.Kind, except EOF.
var symbols = map[string]lexer.TokenType{
	"EOF":       lexer.EOF,
	"Ident":     lexer.TokenType(token.Ident),
	"Keyword":   lexer.TokenType(token.Keyword),
	"Int":       lexer.TokenType(token.Int),
	"String":    lexer.TokenType(token.String),
	"PVar":      lexer.TokenType(token.PVar),
	"EventName": lexer.TokenType(token.EventName),
	"Addr":      lexer.TokenType(token.Addr),
	"NumID":     lexer.TokenType(token.NumID),
	"Punct":     lexer.TokenType(token.Punct),
	"Subst":     lexer.TokenType(token.Subst),
	"Error":     lexer.TokenType(token.Error),
}

func (tokenDef) Symbols() map[string]lexer.TokenType { return symbols }

func (tokenDef) Lex(string, io.Reader) (lexer.Lexer, error) {
	return nil, errors.New("parser: text input is not supported; use the preprocessor's tokens")
}

// toLexer converts a preprocessed token to participle's form. Pos.Offset is
// the token's index in the preprocessed stream: every position participle
// hands back (errors, Pos/EndPos fields) is thereby a token index, which the
// parser maps back to the full token (with its end and define origin).
func toLexer(t token.Token, idx int) lexer.Token {
	typ := lexer.TokenType(t.Kind)
	if t.Kind == token.EOF {
		typ = lexer.EOF
	}
	return lexer.Token{Type: typ, Value: t.Text, Pos: lexer.Position{
		Filename: t.File, Offset: idx, Line: t.Pos.Line, Column: t.Pos.Col,
	}}
}

// sliceLexer feeds a prepared token slice to participle, then EOF forever.
type sliceLexer struct {
	toks []lexer.Token
	eof  lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	if l.i < len(l.toks) {
		l.i++
		return l.toks[l.i-1], nil
	}
	return l.eof, nil
}

// peeking returns a participle PeekingLexer over toks; eofIdx is the index
// of the token that follows them, where "unexpected end" is reported.
func peeking(toks []lexer.Token, eofAt lexer.Position) *lexer.PeekingLexer {
	pl, _ := lexer.Upgrade(&sliceLexer{toks: toks, eof: lexer.Token{Type: lexer.EOF, Pos: eofAt}})
	return pl
}
