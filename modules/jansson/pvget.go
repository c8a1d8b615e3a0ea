package jansson

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// compilePVGet builds jansson_pv_get(path, srcvar, dst) (Kamailio 5.7):
// jansson_get with the document read from the variable srcvar names
// instead of a format string, so JSON holding "$" or "\" reaches the
// parser as stored. The variable must hold a string (an integer reads as
// its digits, as Kamailio's integer values carry their text); null, or
// no value, logs "cannot get json string value" and gives -1. The rest
// (the parse, the path, what dst gets) is jansson_get's.
func compilePVGet(h module.Host, args []*module.Arg) (module.Call, error) {
	path, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	src, err := args[1].PV(h)
	if err != nil {
		return nil, err
	}
	dst, err := args[2].OutPV(h)
	if err != nil {
		return nil, err
	}
	const fn = "janssonmod_pv_get"
	return func(c *event.Context) int {
		v, ok := src.Lookup(c)
		var doc string
		switch {
		case ok && v.K == value.Str:
			doc = v.S
		case ok && v.K == value.Int:
			doc = v.String()
		default:
			logErr(c, fn, "cannot get json string value")
			return -1
		}
		return getInto(c, doc, path(c), dst)
	}, nil
}
