package csrc

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"
)

// ReadTag reads the files the reader needs (C sources and headers, the
// config grammar, module READMEs and build files) under src/modules and
// src/core at a tag of a Kamailio git repository, bare or
// not, with `git archive`.
func ReadTag(repo, tag string) (Tree, error) {
	cmd := exec.Command("git", "-C", repo, "archive", "--format=tar", tag, "src/modules", "src/core")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git archive %s: %v: %s", tag, err, strings.TrimSpace(stderr.String()))
	}
	t := Tree{}
	tr := tar.NewReader(bytes.NewReader(out))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg || !wanted(h.Name) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		t[h.Name] = string(b)
	}
}

func wanted(p string) bool {
	switch path.Ext(p) {
	case ".c", ".h", ".lex", ".y":
		return true
	}
	switch path.Base(p) {
	case "README", "Makefile", "CMakeLists.txt":
		return true
	}
	return false
}

// Strings returns the string literals of the C files of a module
// directory, for looking up names the module builds at run time (event
// routes).
func (t Tree) Strings(dir string) map[string]bool {
	out := map[string]bool{}
	base := "src/modules/" + dir + "/"
	for p, src := range t {
		if !strings.HasPrefix(p, base) || path.Ext(p) != ".c" && path.Ext(p) != ".h" {
			continue
		}
		toks, err := lex(src)
		if err != nil {
			continue
		}
		for _, tk := range toks {
			switch tk.kind {
			case tString:
				out[tk.text] = true
			case tDirective:
				// #define NAME "value"
				if w, rest := splitDirective(tk.text); w == "define" {
					if body, err := lexLine(rest); err == nil {
						for _, b := range body {
							if b.kind == tString {
								out[b.text] = true
							}
						}
					}
				}
			}
		}
	}
	return out
}
