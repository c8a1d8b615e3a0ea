package csrc

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/catalog/internal/facts"
)

// core stands in for the core headers the reader seeds macros from: the
// values Kamailio gives the macros, written in shapes of their own.
var core = Tree{
	"src/core/route.h": `
#ifndef ROUTE_TYPES
#define ROUTE_TYPES
#define REQUEST_ROUTE 1
#define FAILURE_ROUTE (REQUEST_ROUTE << 1)
#define ONEVENT_ROUTE 0x200
#define EVENT_ROUTE (ONEVENT_ROUTE + REQUEST_ROUTE)
#define ANY_ROUTE 0xffffffffU
#endif
`,
	"src/core/sr_module.h": `
#define PARAM_STRING 1U
#define PARAM_INT 2U
#define PARAM_STR (PARAM_INT * 2)
#define PARAM_VAR (1U << 8)
#define PARAM_USE_FUNC (1U << (sizeof(unsigned int) * 8 - 1))
#define STR_PARAM PARAM_STRING
#define INT_PARAM PARAM_INT
#define USE_FUNC_PARAM PARAM_USE_FUNC
#define NO_SCRIPT (-1)
#define VAR_PARAM_NO \
	(-128) /* any count */
`,
	"src/core/str.h": `
#define STR_STATIC_INIT(text) { text, sizeof(text) - 1 }
#define str_init(s) STR_STATIC_INIT(s)
`,
}

func tree(files map[string]string) Tree {
	t := Tree{}
	for k, v := range core {
		t[k] = v
	}
	for k, v := range files {
		t[k] = v
	}
	return t
}

var build = &Build{
	Defined:   map[string]string{"USE_TCP": "1"},
	Undefined: map[string]bool{"USE_SCTP": true},
	Module:    map[string]map[string]string{"demo": {"WITH_EXTRA": "1"}},
}

func read(t *testing.T, tr Tree, dir string) (*facts.Module, []Problem) {
	t.Helper()
	r, ps := NewReader(tr, build)
	if len(ps) > 0 {
		t.Fatalf("core headers: %v", ps)
	}
	return r.Module(dir)
}

const demo = `
#include "demo.h"
/* a comment with "quotes" and { braces } */
static int w_f(struct sip_msg *m, char *a, char *b);

static cmd_export_t cmds[] = {
	{"demo_f", (cmd_function)w_f, 1, fixup_spve_null, 0, REQUEST_ROUTE | FAILURE_ROUTE},
	{"demo_f", (cmd_function)w_f, 2, 0, 0, ANY_ROUTE},
	{"demo_var", (cmd_function)w_f, VAR_PARAM_NO, 0, 0, EVENT_ROUTE},
	{"demo_api", (cmd_function)w_f, NO_SCRIPT, 0, 0, 0},
	{"bind_demo", (cmd_function)w_f, 0, 0, 0},
#ifdef USE_TCP
	{"demo_tcp", (cmd_function)w_f, 0, 0, 0, REQUEST_ROUTE},
#endif
#ifdef USE_SCTP
	{"demo_sctp", (cmd_function)w_f, 0, 0, 0, REQUEST_ROUTE},
#else
	{DEMO_PREFIX "nosctp", (cmd_function)w_f, 0, 0, 0, DEMO_ROUTES},
#endif
#if defined(WITH_EXTRA) && DEMO_LEVEL > 1
	{"demo_extra", (cmd_function)w_f, 0, 0, 0, ANY_ROUTE},
#endif
	{0, 0, 0, 0, 0, 0},
	{"after_end", 0, 0, 0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{ {"demo", (sizeof("demo")-1)}, PVT_OTHER, pv_get_demo, pv_set_demo, 0, 0, 0, 0},
	{ STR_STATIC_INIT("demoro"), PVT_OTHER, pv_get_demo, 0, pv_parse_demo_name, 0, 0, 0},
	{ str_init("demonull"), PVT_OTHER, pv_get_demo, NULL, 0, 0, 0, 0},
	{ {0, 0}, 0, 0, 0, 0, 0, 0, 0 }
};

static tr_export_t mod_trans[] = {
	{ {"dm", sizeof("dm")-1}, tr_parse_dm },
	{ { 0, 0 }, 0 }
};

struct module_exports exports = {
	MOD_NAME,
	DEFAULT_DLFLAGS,
	cmds,
	params,
	0,
	mod_pvs,
	0, mod_init, 0, 0
};

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	return register_trans_mod(path, mod_trans);
}
`

const demoH = `
#ifndef _DEMO_H_
#define _DEMO_H_
#define MOD_NAME "demo"
#define DEMO_PREFIX "demo_"
#define DEMO_ROUTES REQUEST_ROUTE|FAILURE_ROUTE
#define DEMO_LEVEL 2
extern param_export_t params[];
#endif
`

const demoParams = `
#include "demo.h"
param_export_t params[] = {
	{"plain", PARAM_STRING, &p1},
	{"count", INT_PARAM, &p2},
	{"text", PARAM_STR, &p3},
	{"table", PARAM_STRING | USE_FUNC_PARAM, (void *)set_table},
	{"table", PARAM_INT | PARAM_USE_FUNC, (void *)set_table},
	{0, 0, 0}
};
`

func TestReadModule(t *testing.T) {
	tr := tree(map[string]string{
		"src/modules/demo/demo_mod.c": demo,
		"src/modules/demo/demo.h":     demoH,
		"src/modules/demo/params.c":   demoParams,
	})
	m, ps := read(t, tr, "demo")
	for _, p := range ps {
		t.Error(p)
	}
	if m == nil {
		t.Fatal("no module")
	}
	want := &facts.Module{
		Name: "demo", File: "demo",
		Funcs: []facts.Func{
			{Name: "demo_f", Args: 1, Routes: 3},
			{Name: "demo_f", Args: 2, Routes: facts.AnyRoute},
			{Name: "demo_var", Args: facts.VarArgs, Routes: 1 | 1<<9},
			{Name: "bind_demo", Args: 0, Routes: 0}, // five fields: flags are 0
			{Name: "demo_tcp", Args: 0, Routes: 1},
			{Name: "demo_nosctp", Args: 0, Routes: 3},
			{Name: "demo_extra", Args: 0, Routes: facts.AnyRoute},
		},
		Params: []facts.Param{
			{Name: "plain", Type: facts.String},
			{Name: "count", Type: facts.Int},
			{Name: "text", Type: facts.Str},
			{Name: "table", Type: facts.String | facts.UseFunc},
			{Name: "table", Type: facts.Int | facts.UseFunc},
		},
		PVs:   []facts.PV{{Name: "demo", Writable: true}, {Name: "demoro", Named: true}, {Name: "demonull"}},
		Trans: []string{"dm"},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got\n%+v\nwant\n%+v", m, want)
	}
}

func TestUndecidedAndUnknownShapes(t *testing.T) {
	tr := tree(map[string]string{
		"src/modules/odd/odd.c": `
static cmd_export_t cmds[] = {
	{"fine", (cmd_function)f, 0, 0, 0, REQUEST_ROUTE},
#ifdef WITH_SOMETHING
	{"maybe", (cmd_function)f, 0, 0, 0, REQUEST_ROUTE},
#endif
	{name_of("x"), (cmd_function)f, 0, 0, 0, REQUEST_ROUTE},
	{"flags", (cmd_function)f, 0, 0, 0, UNKNOWN_ROUTE},
	{0, 0, 0, 0, 0, 0}
};
static param_export_t params[] = {
	{"weird", PARAM_INT | (1U << 20), &x},
	{0, 0, 0}
};
struct module_exports exports = { "odd", 0, cmds, params, 0, 0, 0, 0, 0, 0 };
`,
	})
	m, ps := read(t, tr, "odd")
	if m == nil || len(m.Funcs) != 1 || m.Funcs[0].Name != "fine" {
		t.Fatalf("module = %+v: only the decided, understood entry must be read", m)
	}
	var msgs []string
	for _, p := range ps {
		msgs = append(msgs, p.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"odd.c:5: cmd_export_t cmds: entry under #ifdef WITH_SOMETHING, which the reader cannot decide",
		"odd.c:7: cmd_export_t cmds: name_of ( \"x\" ) where a string is expected",
		"odd.c:8: cmd_export_t cmds: flags: flags: UNKNOWN_ROUTE is not a macro the reader knows",
		"odd.c:12: param_export_t params: weird: unknown type bits 0x100000",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q; got:\n%s", want, all)
		}
	}
}

func TestExportsChoice(t *testing.T) {
	tr := tree(map[string]string{
		// Two files define static cmds tables; the one beside "exports" is
		// the module's. The other declares kam_exports, which the core
		// does not look for.
		"src/modules/two/a.c": `
static cmd_export_t cmds[] = { {"from_a", 0, 0, 0, 0, ANY_ROUTE}, {0, 0, 0, 0, 0, 0} };
struct module_exports exports = { "two", 0, cmds, 0, 0, 0, 0, 0, 0, 0 };
`,
		"src/modules/two/b.c": `
static cmd_export_t cmds[] = { {"from_b", 0, 0, 0, 0, ANY_ROUTE}, {0, 0, 0, 0, 0, 0} };
struct module_exports kam_exports = { "two_kam", 0, cmds, 0, 0, 0, 0, 0, 0, 0 };
`,
		// Built into the core when STATIC_X is set: the build says not.
		"src/modules/stat/stat.c": `
#ifdef STATIC_X
struct module_exports stat_exports = {
#else
struct module_exports exports = {
#endif
	"stat", 0, 0, 0, 0, 0, 0, 0, 0, 0 };
`,
		"src/modules/lib/lib.c": `int helper(void) { return 0; }`,
		"src/modules/alt/alt.c": `struct module_exports _alt_exports = { "alt", 0, 0, 0, 0, 0, 0, 0, 0, 0 };`,
	})
	b := &Build{Undefined: map[string]bool{"STATIC_X": true}}
	r, _ := NewReader(tr, b)
	if m, ps := r.Module("two"); m == nil || m.Name != "two" || len(m.Funcs) != 1 || m.Funcs[0].Name != "from_a" || len(ps) > 0 {
		t.Errorf("two: %+v %v", m, ps)
	}
	if m, ps := r.Module("stat"); m == nil || m.Name != "stat" || len(ps) > 0 {
		t.Errorf("stat: %+v %v", m, ps)
	}
	if m, _ := r.Module("lib"); m != nil {
		t.Errorf("lib declares no module_exports, read %+v", m)
	}
	if m, _ := r.Module("alt"); m == nil || m.Name != "alt" {
		t.Errorf("alt (_alt_exports): %+v", m)
	}
	// Without the build fact, the choice cannot be made: reported.
	r, _ = NewReader(tr, &Build{})
	if m, ps := r.Module("stat"); m != nil || len(ps) == 0 {
		t.Errorf("stat without build facts: %+v %v", m, ps)
	}
}

func TestIncludedSource(t *testing.T) {
	// tlsa compiles tls's module source under another name.
	tr := tree(map[string]string{
		"src/modules/tls/tls_mod.c": `
#ifndef MOD_NAME
#define MOD_NAME "tls"
#endif
static param_export_t params[] = { {"method", PARAM_STR, &m}, {0, 0, 0} };
struct module_exports exports = { MOD_NAME, 0, 0, params, 0, 0, 0, 0, 0, 0 };
`,
		"src/modules/tlsa/tlsa_mod.c": `
#define MOD_NAME "tlsa"
#include "../tls/tls_mod.c"
`,
	})
	r, _ := NewReader(tr, build)
	for dir, name := range map[string]string{"tls": "tls", "tlsa": "tlsa"} {
		m, ps := r.Module(dir)
		if m == nil || m.Name != name || len(m.Params) != 1 || len(ps) > 0 {
			t.Errorf("%s: %+v %v", dir, m, ps)
		}
	}
}

func TestReadRelease(t *testing.T) {
	tr := tree(map[string]string{
		"src/modules/demo/demo_mod.c": demo,
		"src/modules/demo/demo.h":     demoH,
		"src/modules/demo/params.c":   demoParams,
		"src/modules/demo/README":     "2.1. Kamailio Modules\n\n   * tmx - needed.\n\n",
		"src/modules/tmx/tmx.c":       `struct module_exports exports = { "tmx", 0, 0, 0, 0, 0, 0, 0, 0, 0 };`,
		"src/modules/lib/lib.c":       `int x;`,
	})
	mods, ps := ReadRelease(tr, build, map[string]string{"demo": "kamailio-demo"})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if len(mods) != 2 || mods[0].Name != "demo" || mods[1].Name != "tmx" {
		t.Fatalf("modules %+v", mods)
	}
	if mods[0].Package != "kamailio-demo" || mods[1].Package != "" || !reflect.DeepEqual(mods[0].Deps, []string{"tmx"}) {
		t.Errorf("demo: package %q deps %v; tmx: package %q", mods[0].Package, mods[0].Deps, mods[1].Package)
	}
}

func TestLex(t *testing.T) {
	toks, err := lex("a = \"x\\\"y\" 'c' /* c */ 0x1fU << 2; // end\n#define A \\\n  B\nz")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, tk.String())
	}
	want := []string{"a", "=", `"x\"y"`, "'c'", "0x1fU", "<<", "2", ";", "define A    B", "z"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokens %q, want %q", got, want)
	}
	if toks[len(toks)-1].line != 4 {
		t.Errorf("z on line %d, want 4", toks[len(toks)-1].line)
	}
}

func TestEval(t *testing.T) {
	u := &unit{macros: map[string][]macroDef{}, build: &Build{}}
	for src, want := range map[string]int64{
		"1 << 3 | 1":                    9,
		"(1U << (8 * sizeof(int) - 1))": 1 << 31,
		"-128":                          -128,
		"(unsigned int)2 + 3 * 4":       14,
		"0xFFFFFFFF":                    0xFFFFFFFF,
		"sizeof(\"abc\") - 1":           3,
		"1 ? 5 : 6":                     5,
		"'A'":                           65,
	} {
		toks, _ := lexLine(src)
		got, err := u.evalInt(toks, 0)
		if err != nil || got != want {
			t.Errorf("%s = %d %v, want %d", src, got, err, want)
		}
	}
}

func TestGrammar(t *testing.T) {
	tr := Tree{
		"src/core/cfg.lex": `
DEBUG	debug
FORK	fork
ALIAS	alias
LOADPATH	"loadpath"|"mpath"
DEFINE	"define"|"def"
IFEXP	ifexp
PREP_START	"#!"|"!!"
%%
<INITIAL>{DEBUG}	{ count(); yylval.strval=yytext; return DEBUG_V; }
<INITIAL>{FORK}	{ count(); return FORK; }
<INITIAL>{ALIAS}	{ count(); return ALIAS; }
<INITIAL>{LOADPATH}	{ count(); return LOADPATH; }
<INITIAL,CFGPRINTMODE>{PREP_START}{DEFINE}{EAT_ABLE}+	{ count(); }
<INITIAL,CFGPRINTMODE,IFDEF_SKIP>{PREP_START}{IFEXP}{EAT_ABLE}+ { count(); }
%%
`,
		"src/core/cfg.y": `
assign_stm:
	DEBUG_V EQUAL intno { x=$3; }
	| DEBUG_V EQUAL error  { yyerror("number expected"); }
	| FORK EQUAL NUMBER { y=$3; }
	| LOADPATH EQUAL STRING { z=$3; }
;
other:
	ALIAS EQUAL id_lst
;
`,
	}
	if got := tr.CoreParams(); !reflect.DeepEqual(got, []string{"debug", "fork", "loadpath", "mpath"}) {
		t.Errorf("CoreParams = %v", got)
	}
	if got := tr.Directives(); !reflect.DeepEqual(got, []string{"def", "define", "ifexp"}) {
		t.Errorf("Directives = %v", got)
	}
}
