// Package preproc owns the first stage of reading a Kamailio configuration:
// the scanner and the preprocessor as one pass, as Kamailio's own lexer does
// it. It turns a file (and everything it includes) into the token stream the
// parser reads, after evaluating #!ifdef and friends, expanding #!define at
// identifier tokens, applying #!subst rules to strings and pseudo-variables,
// and following include_file/import_file. Every token keeps the file, line
// and column where it was written; tokens that come from a define's value
// carry the position of the define's use and name the define in Via.
package preproc

import (
	"errors"
	"io/fs"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/token"
)

// Version is the Kamailio version whose predefined names (KAMAILIO_5,
// KAMAILIO_5_6, KAMAILIO_5_6_3) are set before the main file is read,
// unless Options.Version names another.
var Version = [3]int{5, 6, 3}

// DefaultMaxFileSize is the largest input read when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 16 << 20

// Limits taken from Kamailio's lexer (cfg.lex).
const (
	maxIncludeDepth = 10      // MAX_INCLUDE_DEPTH
	maxIfdefs       = 512     // MAX_IFDEFS
	maxDefines      = 512     // MAX_DEFINES
	maxIncludeName  = 128     // MAX_INCLUDE_FNAME, with the quotes and NUL
	maxExpandDepth  = 64      // nested define expansions; Kamailio has no guard
	maxErrors       = 200     // diagnostics kept per run before giving up on more
	maxExpanded     = 8 << 20 // bytes of define values pushed back in one run
)

// Options configures a run.
type Options struct {
	// Defines holds command-line defines (-A NAME or -A NAME=VALUE).
	Defines []string
	// Env looks up environment variables for #!defenv; nil means os.LookupEnv.
	Env func(string) (string, bool)
	// ReadFile reads included files (and the main file for ProcessFile);
	// nil means the package's ReadFile with MaxFileSize: regular files
	// only, never more than the limit.
	ReadFile func(path string) ([]byte, error)
	// MaxFileSize refuses bigger inputs with a diagnostic; 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64
	// Version is the Kamailio version to follow for directives that
	// appeared after 5.6 (#!ifexp, #!defexp, #!undef); zero means Version.
	Version [3]int
	// Directive, when set, says whether the Kamailio release followed has
	// the directive #!name (the catalog knows each release's); it decides
	// instead of Version.
	Directive func(name string) bool
}

// Result is what a run produces. It is always complete enough to use:
// errors are in Diags, never returned separately.
type Result struct {
	Tokens  []token.Token     // ends with exactly one EOF token
	Files   []string          // every file read, main first (for reload watching)
	Sources diag.Sources      // file -> contents, for diagnostic snippets
	Defines map[string]string // the define table at the end of the input
	Diags   diag.List
}

// ProcessFile reads path and runs Process on it.
func ProcessFile(path string, opts Options) *Result {
	read := opts.ReadFile
	if read == nil {
		read = func(path string) ([]byte, error) { return ReadFile(path, opts.MaxFileSize) }
	}
	src, err := read(path)
	if err != nil {
		r := &Result{Sources: diag.Sources{}, Defines: map[string]string{}}
		r.Diags.Errorf("KC0008", diag.Range{File: path}, "cannot read %s: %v", path, errText(err))
		r.Tokens = []token.Token{{Kind: token.EOF, File: path, Pos: diag.Pos{Line: 1, Col: 1}, End: diag.Pos{Line: 1, Col: 1}}}
		return r
	}
	return Process(path, src, opts)
}

// Process scans and preprocesses src, the contents of file. It never panics
// and always returns a Result whose Tokens end with one EOF token.
func Process(file string, src []byte, opts Options) *Result {
	p := newPP(opts)
	p.run(file, src)
	return p.res
}

// errText is the reason of a read error without the path, which the
// message names already.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
