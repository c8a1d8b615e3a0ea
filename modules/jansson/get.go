package jansson

import (
	"errors"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// parseDoc parses a document for the get functions, logging a failure
// as janssonmod_get_helper does.
func parseDoc(c *event.Context, fn, text string) *jsondoc.Node {
	root, err := jsondoc.ParseJansson(text)
	if err != nil {
		logErr(c, fn, "failed to parse json: %s", text)
		var je *jsondoc.JanssonError
		if errors.As(err, &je) {
			logErr(c, fn, "json error at line %d, col %d: %s", je.Line, je.Col, je.Text)
		}
		return nil
	}
	return root
}

// lastDoc is the document a worker's get functions parsed last, with its
// tree: a route commonly reads several fields of one document in a row
// (jansson_get of "index", then of "label"), and each reuses the parse.
// The tree is only read.
type lastDoc struct {
	text string
	root *jsondoc.Node
}

var lastDocKey = event.NewKey()

// getDoc is parseDoc for the get functions, with the worker's last
// document reused when text is the same.
func getDoc(c *event.Context, fn, text string) *jsondoc.Node {
	var last *lastDoc
	if c.Worker != nil {
		last, _ = c.Worker.Get(lastDocKey).(*lastDoc)
		if last != nil && last.root != nil && last.text == text {
			return last.root
		}
	}
	root := parseDoc(c, fn, text)
	if root != nil && c.Worker != nil {
		if last == nil {
			last = &lastDoc{}
			c.Worker.Set(lastDocKey, last)
		}
		last.text, last.root = text, root
	}
	return root
}

// compileGet builds jansson_get(path, json, dst) and, with field set,
// jansson_get_field(json, path, dst), which is the same function with the
// first two arguments swapped (the "field" is a full path). A document
// that does not parse or a path that leads nowhere gives -1 and leaves
// dst unchanged.
func compileGet(field bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		pathArg, docArg := args[0], args[1]
		if field {
			pathArg, docArg = args[1], args[0]
		}
		strs, err := module.Strs(h, pathArg, docArg)
		if err != nil {
			return nil, err
		}
		path, doc := strs[0], strs[1]
		dst, err := args[2].OutPV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int { return getInto(c, doc(c), path(c), dst) }, nil
	}
}

// getInto is the common end of the get functions: dst gets the value at
// path in the document text; -1 when the text does not parse, the path
// leads nowhere or dst refuses the value, 1 otherwise.
func getInto(c *event.Context, text, path string, dst *pv.Ref) int {
	root := getDoc(c, "janssonmod_get_helper", text)
	if root == nil {
		return -1
	}
	n := pathGet(root, cString(path))
	if n == nil {
		return -1
	}
	if err := dst.Set(c, toValue(n)); err != nil {
		return -1
	}
	return 1
}

// compileArraySize builds jansson_array_size(path, json, dst): dst gets
// the number of elements of the array at path.
func compileArraySize(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args[0], args[1])
	if err != nil {
		return nil, err
	}
	path, doc := strs[0], strs[1]
	dst, err := args[2].OutPV(h)
	if err != nil {
		return nil, err
	}
	const fn = "janssonmod_array_size"
	return func(c *event.Context) int {
		root, err := jsondoc.ParseJansson(doc(c))
		if err != nil {
			var je *jsondoc.JanssonError
			if errors.As(err, &je) {
				logErr(c, fn, "json error at line %d: %s", je.Line, je.Text)
			}
			return -1
		}
		p := cString(path(c))
		n := pathGet(root, p)
		switch {
		case n == nil:
			logErr(c, fn, "failed to find %s in json", p)
			return -1
		case n.Kind != jsondoc.Array:
			logErr(c, fn, "value at %s is not an array", p)
			return -1
		}
		if err := dst.Set(c, value.MakeInt(int64(len(n.Vals)))); err != nil {
			return -1
		}
		return 1
	}, nil
}
