package applua

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// scriptSet is one reading of the load files, compiled once and shared
// by every worker's interpreter (compiled Lua functions hold no state of
// their own). gen numbers the readings; a worker whose interpreter ran an
// older one starts a new interpreter.
type scriptSet struct {
	gen    int
	files  []string
	protos []*lua.FunctionProto
}

// compileScripts reads and compiles files, in order.
func compileScripts(files []string, gen int) (*scriptSet, error) {
	set := &scriptSet{gen: gen, files: files}
	for _, f := range files {
		p, err := compileFile(f)
		if err != nil {
			return nil, fmt.Errorf("app_lua: failed to load Lua script: %s (%v)", f, err)
		}
		set.protos = append(set.protos, p)
	}
	return set, nil
}

// compileFile compiles a Lua file. Its name in error messages is its path,
// as Lua prints it ("/etc/kamailio/kamailio.lua:12: ..."). A first line
// starting with '#' is skipped, as luaL_loadfile does.
func compileFile(path string) (*lua.FunctionProto, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if b, err := r.Peek(1); err == nil && b[0] == '#' {
		if _, err := r.ReadString('\n'); err != nil && err != io.EOF {
			return nil, err
		}
		// Keep the line count: the skipped line becomes an empty one.
		return compile(io.MultiReader(strings.NewReader("\n"), r), path)
	}
	return compile(r, path)
}

func compile(r io.Reader, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(r, name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(chunk, name)
}

// chunkName names a chunk given as a string the way Lua 5.1 does in error
// messages: [string "its first line"], cut to fit Lua's 60 bytes.
func chunkName(src string) string {
	const room = 60 - len(` [string "..."] `) - 1
	n := strings.IndexAny(src, "\r\n")
	if n < 0 {
		n = len(src)
	}
	cut := n > room
	if cut {
		n = room
	}
	if cut || n < len(src) {
		return `[string "` + src[:n] + `..."]`
	}
	return `[string "` + src + `"]`
}
