// Command evserve runs kamgo's evapi module alone, with the benchmark's
// two echo routes written in Go instead of a configuration, so the module
// can be measured before `kamgo run` exists and without interpreter costs.
//
//	evserve -addr 127.0.0.1:9448 -mode uni|relay
//
// uni: message-received does evapi_unicast($evapi(msg), "c$evapi(conidx)")
// (connection-new tags each client c<conidx>); relay: evapi_relay($evapi(msg)).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

type host struct {
	log    *klog.Logger
	table  *pv.Table
	routes map[string]func(*pv.Context) int
}

func (h *host) Log() *klog.Logger { return h.log }
func (h *host) PV() *pv.Table     { return h.table }
func (h *host) CompilePV(text string, r diag.Range) (*pv.Ref, error) {
	p, d := pvsyntax.ParsePV(text, r)
	if d != nil {
		return nil, fmt.Errorf("%s", d.Summary)
	}
	return h.table.Compile(p)
}
func (h *host) CompileFormat(text string, r diag.Range) (*pv.Format, error) {
	f, ds := pvsyntax.ParseFormat(text, r)
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return h.table.CompileFormat(f)
}
func (h *host) HasEvent(name string) bool { _, ok := h.routes[name]; return ok }
func (h *host) RunEvent(c *pv.Context, name string) (int, bool) {
	r, ok := h.routes[name]
	if !ok {
		return 0, false
	}
	return r(c), true
}
func (h *host) RunRoute(*pv.Context, string, pv.RouteType) (int, bool) { return 0, false }
func (h *host) Module(string) (module.Module, bool)                    { return nil, false }
func (h *host) CoreParam(string) (value.Value, bool)                   { return value.NullValue, false }

func main() {
	addr := flag.String("addr", "127.0.0.1:9448", "bind_addr")
	mode := flag.String("mode", "uni", "uni|relay")
	flag.Parse()
	info, _ := module.Lookup("evapi")
	m := info.New().(*evapi.Module)
	h := &host{log: klog.New(os.Stderr, klog.Text), table: pv.NewTable(), routes: map[string]func(*pv.Context) int{}}
	for _, c := range m.Exports().Classes {
		h.table.AddClass(c)
	}
	check := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	check(m.SetParam("bind_addr", value.MakeStr(*addr)))
	check(m.Provision(h))
	funcs := map[string]module.Func{}
	for _, f := range m.Exports().Funcs {
		funcs[f.Name] = f
	}
	compile := func(name string, args ...string) module.Call {
		var a []*module.Arg
		for _, s := range args {
			a = append(a, &module.Arg{Expr: &ast.StrLit{Value: s}})
		}
		c, err := funcs[name].Compile(h, a)
		check(err)
		return c
	}
	switch *mode {
	case "uni":
		h.routes[evapi.EventConnectionNew] = compile("evapi_set_tag", "c$evapi(conidx)")
		h.routes[evapi.EventMessageReceived] = compile("evapi_unicast", "$evapi(msg)", "c$evapi(conidx)")
	case "relay":
		h.routes[evapi.EventMessageReceived] = compile("evapi_relay", "$evapi(msg)")
	default:
		check(fmt.Errorf("unknown mode %q", *mode))
	}
	check(m.Start(context.Background()))
	fmt.Println("listening on", m.Addr(), "pid", strconv.Itoa(os.Getpid()))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.Stop(ctx)
}
