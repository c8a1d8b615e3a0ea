package preproc

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// include handles include_file / import_file (f.off is just after the
// keyword). The file name is the next run of non-blank characters and must
// be in double quotes. It is opened as written (relative to the working
// directory) and then relative to the including file's directory, as
// Kamailio does. A missing import_file is skipped silently.
func (p *pp) include(f *frame, isImport bool, start diag.Pos) {
	kw := "include_file"
	if isImport {
		kw = "import_file"
	}
	s := f.src
	i := f.off
	for i < len(s) && (isBlank(s[i]) || s[i] == '\n') {
		i++
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' && s[j] != '\n' {
		j++
	}
	f.advance(i)
	at := f.pos()
	f.off = j
	r := f.rangeFrom(at)
	kwRange := f.rangeFrom(start)
	if !f.macro {
		kwRange.End = diag.Pos{Line: start.Line, Col: start.Col + (at.Offset - start.Offset), Offset: at.Offset}
		if at.Line != start.Line {
			kwRange.End = diag.Pos{Line: start.Line, Col: start.Col + len(kw), Offset: start.Offset + len(kw)}
		}
	}
	raw := p.substRun(s[i:j])
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		if raw == "" {
			r = kwRange
		}
		d := p.errorAt("KC0162", r, "%s needs a file name in double quotes", kw)
		d.Detail = `write it as ` + kw + ` "path/file.cfg"`
		return
	}
	if len(raw) >= maxIncludeName {
		p.errorAt("KC0163", r, "included file name is too long (%d bytes; Kamailio allows %d)", len(raw), maxIncludeName-1)
		return
	}
	name, ok := unquoteInclude(raw)
	if !ok || name == "" {
		p.errorAt("KC0165", r, "invalid included file name %s", raw)
		return
	}
	if p.includes >= maxIncludeDepth {
		var chain []string
		cycle := false
		for _, fr := range p.frames {
			if !fr.macro {
				chain = append(chain, fr.file)
				if fr.file == name || strings.HasSuffix(fr.file, "/"+name) {
					cycle = true
				}
			}
		}
		if cycle {
			d := p.errorAt("KC0164", r, "include cycle: %s is included again while including itself", name)
			d.Detail = "include chain: " + strings.Join(chain, " -> ")
		} else {
			p.errorAt("KC0161", r, "includes nested more than %d deep", maxIncludeDepth)
		}
		return
	}
	src, path, err := p.openInclude(name)
	if err != nil {
		if isImport && errors.Is(err, fs.ErrNotExist) {
			return
		}
		if errors.Is(err, ErrTooLarge) {
			p.errorAt("KC0007", r, "included file %q is too large: %s", name, reason(err))
			return
		}
		d := p.errorAt("KC0160", r, "cannot open included file %q: %s", name, reason(err))
		d.Detail = "the path is tried relative to the working directory, then relative to the including file"
		return
	}
	text, ok := p.addFile(path, src, r)
	if !ok {
		return
	}
	p.includes++
	p.frames = append(p.frames, &frame{file: path, src: text, line: 1})
}

// unquoteInclude strips the quotes and decodes \t \n \r; any other escaped
// character stands for itself.
func unquoteInclude(raw string) (string, bool) {
	in := raw[1 : len(raw)-1]
	if !strings.Contains(in, "\\") {
		return in, true
	}
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(in) {
			return "", false
		}
		i++
		switch in[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(in[i])
		}
	}
	return b.String(), true
}

// openInclude reads name as written, then next to the including file.
func (p *pp) openInclude(name string) ([]byte, string, error) {
	src, err := p.opts.ReadFile(name)
	if err == nil {
		return src, name, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err // there, but not readable as a config
	}
	cur := ""
	for k := len(p.frames) - 1; k >= 0; k-- {
		if !p.frames[k].macro {
			cur = p.frames[k].file
			break
		}
	}
	slash := strings.LastIndexByte(cur, '/')
	if strings.HasPrefix(name, "/") || slash < 0 {
		return nil, "", err
	}
	alt := cur[:slash] + "/" + name
	src, err2 := p.opts.ReadFile(alt)
	if errors.Is(err2, fs.ErrNotExist) {
		return nil, "", err
	}
	if err2 != nil {
		return nil, "", err2
	}
	return src, alt, nil
}

// reason is the text of a read error for a message that names the file.
func reason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return errText(err)
}
