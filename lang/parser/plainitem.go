package parser

import (
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kamgo/kamgo/lang/token"
)

// Most items of a config are loadmodule "x.so", modparam("m", "p", v) and
// name = values in their plainest form, and participle spends about as
// long on one of them as on a statement. plainLoadModule, plainModParam
// and plainCoreParam recognise those forms from the item's tokens and
// build what participle builds from them (a test holds them to it); any
// other shape, a wrong one included, is left to participle, which also
// words the errors.

// plainLoadModule returns the gLoadModule participle builds for toks, the
// tokens of an item followed by the token at next, when they are
// `loadmodule "path"` or `loadmodulex "path"`; else nil.
func plainLoadModule(toks []lexer.Token, next lexer.Position) *gLoadModule {
	if len(toks) != 2 || !is(toks[1], token.String) {
		return nil
	}
	kw := toks[0].Value
	if kw != "loadmodule" && kw != "loadmodulex" {
		return nil
	}
	return &gLoadModule{Pos: toks[0].Pos, EndPos: next, Keyword: kw,
		Args: []*gStr{{Pos: toks[1].Pos, Value: toks[1].Value}}}
}

// plainModParam returns the gModParam participle builds for toks, the
// tokens of an item followed by the token at next, when they are
// `modparam("module", "param", value)` (or modparamx) with a value of one
// token, or a negative number; else nil.
func plainModParam(toks []lexer.Token, next lexer.Position) *gModParam {
	if len(toks) < 8 || len(toks) > 9 {
		return nil
	}
	kw := toks[0].Value
	if kw != "modparam" && kw != "modparamx" || !isPunct(&toks[1], "(") || !is(toks[2], token.String) ||
		!isPunct(&toks[3], ",") || !is(toks[4], token.String) || !isPunct(&toks[5], ",") ||
		!isPunct(&toks[len(toks)-1], ")") {
		return nil
	}
	val := toks[6 : len(toks)-1]
	v := &gModValue{Pos: val[0].Pos, EndPos: toks[len(toks)-1].Pos}
	switch t := val[len(val)-1]; {
	case len(val) == 2:
		if !isPunct(&val[0], "-") || !is(t, token.Int) {
			return nil
		}
		v.Neg, v.Int = true, t.Value
	case is(t, token.Int):
		v.Int = t.Value
	case is(t, token.String):
		v.Str = t.Value
	case is(t, token.PVar):
		v.PVar = t.Value
	case is(t, token.Ident) || is(t, token.Keyword) || is(t, token.NumID) || is(t, token.Addr):
		v.Word = t.Value
	default:
		return nil
	}
	return &gModParam{Pos: toks[0].Pos, EndPos: next, Keyword: kw,
		Module: &gStr{Pos: toks[2].Pos, Value: toks[2].Value},
		Param:  &gStr{Pos: toks[4].Pos, Value: toks[4].Value},
		Value:  v}
}

// plainCoreParam returns the gCoreParam participle builds for toks, the
// tokens of a core parameter item followed by the token at next, when
// they are `name = values` without braces; else nil.
func plainCoreParam(toks []lexer.Token, next lexer.Position) *gCoreParam {
	if len(toks) < 3 || !word(toks[0]) || !isPunct(&toks[1], "=") {
		return nil
	}
	for i := 2; i < len(toks); i++ {
		if isPunct(&toks[i], ";") || isPunct(&toks[i], "}") || isPunct(&toks[i], "{") {
			return nil
		}
	}
	return &gCoreParam{Pos: toks[0].Pos, EndPos: next, Name: toks[0].Value,
		Values: &valuesNode{Start: toks[2].Pos.Offset, End: end(&toks[len(toks)-1])}}
}

func is(t lexer.Token, k token.Kind) bool { return t.Type == lexer.TokenType(k) }
