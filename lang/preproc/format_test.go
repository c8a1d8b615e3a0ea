package preproc

import (
	"fmt"
	"strconv"

	"github.com/kamgo/kamgo/lang/token"
)

var kindTag = map[token.Kind]string{
	token.EOF: "EOF", token.Ident: "Ident", token.Keyword: "Keyword", token.Int: "Int",
	token.String: "String", token.PVar: "PVar", token.EventName: "EventName",
	token.Addr: "Addr", token.NumID: "NumID", token.Punct: "Punct",
	token.Subst: "Subst", token.Error: "Error",
}

// formatToken prints a token as `file:line:col kind text [via DEFINE]`.
func formatToken(t token.Token) string {
	s := fmt.Sprintf("%s:%d:%d %s %s", t.File, t.Pos.Line, t.Pos.Col, kindTag[t.Kind], strconv.Quote(t.Text))
	if t.Kind == token.String && t.Quote == '\'' {
		s += " '"
	}
	if t.Via != "" {
		s += " [via " + t.Via + "]"
	}
	return s
}
