package corex

import (
	"os"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// compileFileRead compiles file_read(path, pv): the writable
// pseudo-variable gets the file's content. -1 when the path is empty or
// the file cannot be opened (the variable keeps its value).
func compileFileRead(h module.Host, args []*module.Arg) (module.Call, error) {
	path, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	dst, err := args[1].OutPV(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		p := path(c)
		if p == "" {
			logf(c, klog.Err, "w_file_read(): cannot get file path")
			return -1
		}
		data, ok := readFile(c, p)
		if !ok {
			return -1
		}
		_ = dst.Set(c, value.MakeStr(data))
		return 1
	}, nil
}

func readFile(c *event.Context, p string) (string, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		logf(c, klog.Err, "corex_file_read(): cannot open file: %s", p)
		return "", false
	}
	return string(b), true
}

// compileFileWrite compiles file_write(path, content): the file is
// created or truncated and gets the content. -1 when the path or the
// content is empty or the file cannot be opened.
func compileFileWrite(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		p, data := fs[0](c), fs[1](c)
		if p == "" {
			logf(c, klog.Err, "w_file_write(): cannot get file path")
			return -1
		}
		if data == "" {
			logf(c, klog.Err, "w_file_write(): cannot get the content")
			return -1
		}
		return writeFile(c, p, data)
	}, nil
}

func writeFile(c *event.Context, p, data string) int {
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		logf(c, klog.Err, "ki_file_write(): cannot open file: %s", p)
		return -1
	}
	return 1
}
