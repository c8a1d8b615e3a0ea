package all_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/routetype"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestExportsAgreeWithCatalog fails when a module's Exports names a
// function, argument count, parameter, pseudo-variable or transformation
// that the catalog (Kamailio 5.6's export tables) does not have, unless it
// is marked as an extension (Ext: a newer release's, or kamgo's own).
func TestExportsAgreeWithCatalog(t *testing.T) {
	for _, p := range module.CatalogProblems() {
		t.Error(p)
	}
}

// TestRunsEverything fails when a module kamgo ships leaves out anything
// the catalog lists for it: `kamgo modules` says "runs", so it must run
// all of it. Exports for other modules (bind_*) are not script functions.
// needsAbsentModule lists the function forms a shipped module cannot run
// because they work only inside another module kamgo does not have (the
// module's README says so too), with that module.
var needsAbsentModule = map[string]string{}

func TestRunsEverything(t *testing.T) {
	cat := module.Catalog()
	for _, name := range module.Registered() {
		m := cat.Module(name)
		for _, f := range m.Funcs {
			for _, fo := range f.Forms {
				key := fmt.Sprintf("%s.%s/%d", name, f.Name, fo.Args)
				if _, needs := needsAbsentModule[key]; !fo.Runs && !f.API && !needs {
					t.Errorf("%s is not implemented", key)
				}
			}
		}
		for _, p := range m.Params {
			if !p.Runs {
				t.Errorf("parameter %s.%s is not implemented", name, p.Name)
			}
		}
		for _, p := range m.PVs {
			if !p.Runs {
				t.Errorf("$%s of %s is not implemented", p.Name, name)
			}
		}
		for _, tr := range m.Trans {
			if !tr.Runs {
				t.Errorf("transformation class {%s.*} of %s is not implemented", tr.Name, name)
			}
		}
	}
}

// routeBlocks are the blocks a generated call may be put in, one per route
// type, with the route names the argument kinds may refer to.
var routeBlocks = []struct {
	rt   routetype.Mask
	head string
}{
	{routetype.Request, "request_route"},
	{routetype.Failure, "failure_route[F]"},
	{routetype.OnReply, "onreply_route[R]"},
	{routetype.Branch, "branch_route[B]"},
	{routetype.OnSend, "onsend_route"},
	{routetype.CoreOnReply, "reply_route"},
	{routetype.Event, "event_route[evapi:message-received]"},
}

// argFor returns a valid constant for an argument of kind k, or, for
// functions whose arguments need a particular shape, the one given by
// argOverrides.
func argFor(k catalog.ArgKind) string {
	switch k.Kind {
	case catalog.ArgOutPV, catalog.ArgPV:
		return `"$var(out)"`
	case catalog.ArgInt:
		return `"1"`
	case catalog.ArgRegex:
		return `"a.c"`
	case catalog.ArgMethods:
		return `"INVITE"`
	case catalog.ArgSubst:
		return `"/a/b/"`
	case catalog.ArgRoute:
		switch k.Route {
		case ast.Failure:
			return `"F"`
		case ast.Branch:
			return `"B"`
		case ast.OnReply:
			return `"R"`
		}
		return `"N"`
	}
	return `"x"`
}

// argOverrides hold argument lists, per function and argument count, for
// functions whose arguments have a shape the catalog's kinds do not
// describe.
var argOverrides = map[string]string{
	"set_gflag/1":         `"1"`,
	"reset_gflag/1":       `"1"`,
	"is_gflag/1":          `"1"`,
	"xlog/2":              `"L_INFO", "x"`,
	"xlog/3":              `"LOG_LOCAL0", "L_INFO", "x"`,
	"xlogl/2":             `"L_INFO", "x"`,
	"xlogl/3":             `"LOG_LOCAL0", "L_INFO", "x"`,
	"xlogm/2":             `"L_INFO", "x"`,
	"has_body/1":          `"application/sdp"`,
	"is_privacy/1":        `"id"`,
	"is_supported/1":      `"path"`,
	"is_direction/1":      `"downstream"`,
	"t_cancel_branches/1": `"all"`,
	"t_is_set/1":          `"failure_route"`,
	"save/2":              `"location", "0x02"`,
	"save/3":              `"location", "0x02", "sip:a@b"`,
	"registered/3":        `"location", "sip:a@b", "1"`,
	"registered/4":        `"location", "sip:a@b", "1", "1"`,
	"cnt_add/2":           `"x", "1"`,
	// htable: the key functions take a constant "table=>key" (fixup_ht_key);
	// the integer arguments are fixed up as integers.
	"sht_rm_name_re/1":     `"x=>a"`,
	"sht_rm_value_re/1":    `"x=>a"`,
	"sht_lock/1":           `"x=>a"`,
	"sht_unlock/1":         `"x=>a"`,
	"sht_iterator_seti/2":  `"x", "1"`,
	"sht_iterator_setex/2": `"x", "1"`,
	"sht_setxs/4":          `"x", "x", "x", "1"`,
	"sht_setxi/4":          `"x", "x", "1", "1"`,
	// nathelper and rtpproxy: flags and modes are integers (fixup_igp,
	// fixup_int); a set id must name a configured set.
	"set_contact_alias/1":   `"1"`,
	"handle_ruri_alias/1":   `"1"`,
	"fix_nated_sdp/1":       `"3"`,
	"fix_nated_sdp/2":       `"3", "192.0.2.1"`,
	"nat_uac_test/1":        `"19"`,
	"add_rcv_param/1":       `"1"`,
	"set_rtp_proxy_set/1":   `"0"`,
	"rtpproxy_stream2uac/2": `"x", "1"`,
	"rtpproxy_stream2uas/2": `"x", "1"`,
	// xhttp: the code is an integer (fixup_igp_null).
	"xhttp_reply/4": `"200", "OK", "text/plain", "x"`,
	// auth: flags and checks are integers (fixup_var_int_12).
	"www_challenge/2":             `"x", "1"`,
	"proxy_challenge/2":           `"x", "1"`,
	"auth_challenge/2":            `"x", "1"`,
	"pv_www_authorize/3":          `"x", "x", "1"`,
	"pv_www_authenticate/3":       `"x", "x", "1"`,
	"pv_www_authenticate/4":       `"x", "x", "1", "x"`,
	"pv_proxy_authorize/3":        `"x", "x", "1"`,
	"pv_proxy_authenticate/3":     `"x", "x", "1"`,
	"auth_get_www_authenticate/3": `"x", "1", "$var(out)"`,
	"pv_auth_check/4":             `"x", "x", "1", "1"`,
	// dialog: sides are keywords; timeouts and flags are integers
	// (fixup_igp); profiles must be defined (see paramOverrides).
	"dlg_bye/1":                    `"all"`,
	"dlg_refer/2":                  `"caller", "sip:a@b"`,
	"dlg_setflag/1":                `"1"`,
	"dlg_resetflag/1":              `"1"`,
	"dlg_isflagset/1":              `"1"`,
	"dlg_set_timeout/1":            `"60"`,
	"dlg_set_timeout/3":            `"60", "1", "1"`,
	"dlg_set_timeout_by_profile/2": `"x", "60"`,
	"dlg_set_timeout_by_profile/3": `"x", "x", "60"`,
	"dlg_remote_profile/5":         `"add", "x", "", "u1", "0"`,
	"get_profile_size/2":           `"x", "$var(out)"`,
	"get_profile_size/3":           `"x", "x", "$var(out)"`,
}

// extraDeps are modules a module needs loaded that the catalog does not
// list for it (Kamailio's mod_init binds them).
var extraDeps = map[string][]string{
	"auth": {"sl"}, // auth_mod.c mod_init: sl_load_api
}

// paramOverrides hold modparam values, by module.param, for parameters
// whose default is not a value a config can set (or has no default).
var paramOverrides = map[string]string{
	"pv.shvset":                `"sh=i:1"`,
	"pv.varset":                `"va=s:x"`,
	"pv.avp_aliases":           `"a=i:1"`,
	"xlog.log_facility":        `"LOG_LOCAL0"`,
	"xlog.log_colors":          `"L_ERR=cr"`,
	"counters.script_counter":  `"x"`,
	"htable.htable":            `"x=>size=2"`,          // a table definition: the parameter has no default
	"nathelper.received_avp":   `"$avp(rcv)"`,          // fix_nated_register needs it
	"rtpproxy.rtpproxy_sock":   `"udp:127.0.0.1:7722"`, // set_rtp_proxy_set needs set 0
	"dialog.profiles_no_value": `"x"`,                  // the profile functions name profile x
}

// TestEveryFormLoads writes, for every function form and every parameter
// of every module kamgo ships that `kamgo modules` marks as run for the
// newest release, a configuration that uses it, and checks that `kamgo
// check` and `kamgo run`'s loader both accept it: nothing marked as run is
// refused.
func TestEveryFormLoads(t *testing.T) {
	rels := catalog.Releases()
	cat, err := module.CatalogFor(rels[len(rels)-1])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range module.Registered() {
		m := cat.Module(name)
		var b strings.Builder
		b.WriteString("loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n")
		if name != "pv" && name != "xlog" {
			fmt.Fprintf(&b, "loadmodule %q\n", name+".so")
		}
		for _, dep := range append(m.Deps, extraDeps[name]...) {
			if dep != "pv" && dep != "xlog" {
				fmt.Fprintf(&b, "loadmodule %q\n", dep+".so")
			}
		}
		info, _ := module.Lookup(name)
		ex := info.New().(module.Exporter).Exports()
		for _, p := range ex.Params {
			if !releaseHasParam(m, p.Name) {
				continue // removed by the newest release (dialog's dlg_flag, gone in 6.0)
			}
			v := paramOverrides[name+"."+p.Name]
			switch {
			case v != "":
			case p.Default.K == value.Int:
				v = fmt.Sprint(p.Default.I)
			case p.Default.K == value.Str:
				v = fmt.Sprintf("%q", p.Default.S)
			case p.Type&module.ParamInt != 0:
				v = "0"
			default:
				v = `""`
			}
			fmt.Fprintf(&b, "modparam(%q, %q, %s)\n", name, p.Name, v)
		}
		bodies := map[string][]string{}
		for _, f := range m.Funcs {
			if f.API {
				continue
			}
			for _, fo := range f.Forms {
				if !fo.Runs {
					continue // a form of a newer release kamgo does not run: kamgo modules says so
				}
				n := fo.Args
				if n < 0 {
					n = 1
				}
				args := argOverrides[fmt.Sprintf("%s/%d", f.Name, n)]
				if args == "" {
					var as []string
					for i := 0; i < n; i++ {
						k := catalog.ArgKind{}
						if i < len(fo.Kinds) {
							k = fo.Kinds[i]
						}
						as = append(as, argFor(k))
					}
					args = strings.Join(as, ", ")
				}
				head := ""
				for _, rb := range routeBlocks {
					if fo.Routes.Allows(rb.rt) {
						head = rb.head
						break
					}
				}
				bodies[head] = append(bodies[head], fmt.Sprintf("\t%s(%s);", f.Name, args))
			}
		}
		for _, h := range []string{"route[N]", "failure_route[F]", "onreply_route[R]", "branch_route[B]", "request_route"} {
			if _, ok := bodies[h]; !ok {
				bodies[h] = []string{"\tdrop;"}
			}
		}
		for _, rb := range routeBlocks {
			if lines, ok := bodies[rb.head]; ok {
				fmt.Fprintf(&b, "%s {\n%s\n}\n", rb.head, strings.Join(lines, "\n"))
			}
		}
		fmt.Fprintf(&b, "route[N] {\n%s\n}\n", strings.Join(bodies["route[N]"], "\n"))
		b.WriteString(extraBlocks[name])
		text := b.String()
		cfg, diags, _ := check.AnalyzeSource(name+".cfg", []byte(text), preproc.Options{}, cat)
		if diags.HasErrors() {
			t.Errorf("%s: check:\n%v\n%s", name, diags.Error(), text)
			continue
		}
		_, ld := server.Load(cfg, server.Options{AllowMissing: otherModules(name), Catalog: cat})
		if ld.HasErrors() {
			t.Errorf("%s: load:\n%v\n%s", name, ld.Error(), text)
		}
	}
}

// extraBlocks are blocks a module needs in the configuration to start.
var extraBlocks = map[string]string{
	"xhttp": "event_route[xhttp:request] {\n\tdrop;\n}\n",
}

// otherModules lists the dependencies a module's test config loads that
// kamgo does not implement.
func otherModules(string) []string { return []string{"tm", "sl"} }

// releaseHasParam reports whether the release's module m has parameter
// name.
func releaseHasParam(m *catalog.Module, name string) bool {
	for _, p := range m.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}
