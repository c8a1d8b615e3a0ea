package kamc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"
)

// Each testdata/stderr/*.txtar holds a real Kamailio stderr ("stderr",
// config directory shown as /cfg/) and what ParseStderr and Classify read
// from it ("want"). go test -run TestParseStderrGolden -update rewrites want.
func TestParseStderrGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/stderr/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ar, err := txtar.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var stderr []byte
			wantIdx := -1
			for i, fl := range ar.Files {
				switch fl.Name {
				case "stderr":
					stderr = fl.Data
				case "want":
					wantIdx = i
				}
			}
			if stderr == nil || wantIdx < 0 {
				t.Fatal("need sections stderr and want")
			}
			r := ParseStderr(string(stderr))
			got := fmt.Sprintf("line: %d\ncol: %d\nmessage: %s\ndetail: %s\nerrors: %d\nreason: %s\n",
				r.Line, r.Col, r.Message, r.Detail, r.Errors, Classify(r))
			if *update {
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(f, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := string(ar.Files[wantIdx].Data); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestParseStderrCases(t *testing.T) {
	tests := []struct {
		name, stderr   string
		line, col      int
		message, detai string
	}{
		{"empty", "", 0, 0, "", ""},
		{"ok run", " 0(1) WARNING: <core> [core/socket_info.c:1702]: fix_hostname(): could not rev. resolve 192.0.2.2\nconfig file ok, exiting...\n", 0, 0, "", ""},
		{"summary only", "ERROR: bad config file (1 errors) (parsing code: 1)\n", 0, 0, "ERROR: bad config file (1 errors) (parsing code: 1)", ""},
		{"located wins, empty text skipped",
			" 0(1) CRITICAL: <core> [core/cfg.y:3790]: yyerror_at(): parse error in config file /x.cfg, line 6, column 1: \n" +
				" 0(1) CRITICAL: <core> [core/cfg.y:3790]: yyerror_at(): parse error in config file /x.cfg, line 7, column 2: bad thing\n",
			6, 1, "bad thing", ""},
		{"span form", " 0(1) CRITICAL: <core> [core/cfg.y:3783]: yyerror_at(): parse error in config file /x.cfg, from line 9, column 2 to line 10, column 0: syntax error\n", 9, 2, "syntax error", ""},
		{"lexer line", " 0(1) CRITICAL: <core> [core/cfg.lex:1331]: yylex(): error at cfg line 3: '-' not allowed\n", 3, 0, "error at cfg line 3: '-' not allowed", ""},
		{"fixup line", " 0(1) ERROR: xlog [xlog.c:551]: xdbg_fixup_helper(): wrong format[x]\n 0(1) ERROR: <core> [core/route.c:1169]: fix_actions(): fixing failed (code=-1) at cfg:/x.cfg:5\n", 5, 0, "wrong format[x]", ""},
		{"control bytes and pointers", " 0(1) ERROR: <core> [a.c:1]: f(): bind(4, 0x7f6cc1f71360, 16) \x00\xff\n", 0, 0, `bind(4, 0xADDR, 16) \x00\xff`, ""},
		{"shutdown alerts ignored", " 0(1) ALERT: <core> [main.c:770]: handle_sigs(): child process 2 exited normally, status=0\n", 0, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ParseStderr(tt.stderr)
			if r.Line != tt.line || r.Col != tt.col || r.Message != tt.message || r.Detail != tt.detai {
				t.Errorf("got %d:%d %q %q, want %d:%d %q %q", r.Line, r.Col, r.Message, r.Detail, tt.line, tt.col, tt.message, tt.detai)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		message, detail, want string
	}{
		{"failed to load module", "could not find module <db_mysql> in </usr/lib/x/modules>", ReasonModuleMissing},
		{"syntax error", "", ReasonSyntax},
		{"unknown command, missing loadmodule?", "cfg. parser: failed to find command foo (params 1)", ReasonSemantic},
		{"Can't set module parameter", "parameter <x> of type <2:int> not found in module <tm>", ReasonSemantic},
		{"error at cfg line 3", "cannot open included file: a.cfg (/a.cfg)", ReasonOther},
		{"different number of preprocessor directives: 1 more #!if[n]def as #!endif", "", ReasonSyntax},
		{"something else", "", ReasonOther},
	}
	for _, tt := range tests {
		if got := Classify(Report{Message: tt.message, Detail: tt.detail}); got != tt.want {
			t.Errorf("Classify(%q, %q) = %s, want %s", tt.message, tt.detail, got, tt.want)
		}
	}
}

func TestPointModulesAtDebian(t *testing.T) {
	in := "mpath=\"/usr/local/lib64/kamailio/modules/\"\nloadpath \"/opt/k/modules\"\n" +
		"loadmodule \"/usr/local/lib/kamailio/modules/tm.so\"\nloadmodule \"sl.so\"\n" +
		"#!define MODPATH \"/usr/local/lib64/kamailio/modules/\"\n"
	want := "mpath=\"" + ModuleDir + "\"\nloadpath \"" + ModuleDir + "\"\n" +
		"loadmodule \"tm.so\"\nloadmodule \"sl.so\"\n" +
		"#!define MODPATH \"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n"
	if got := PointModulesAtDebian(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if bytes.Count([]byte(PointModulesAtDebian(in)), []byte("\n")) != bytes.Count([]byte(in), []byte("\n")) {
		t.Error("line count changed")
	}
}
