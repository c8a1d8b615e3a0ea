package cfgutils

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// compileCheckRoute builds check_route_exists(name): 1 when route[name]
// exists, else -1. Only request routes (route[...]) count.
func compileCheckRoute(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if h.Has(event.Route(name(c), 0)) {
			return 1
		}
		return -1
	}, nil
}

// compileRouteIfExists builds route_if_exists(name): it runs route[name]
// with the caller's route type when it exists and returns what the route
// returned (0 after exit, which ends the calling route too), else -1.
func compileRouteIfExists(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		rc, ok := h.Run(c, event.Route(name(c), c.Route))
		if !ok {
			return -1
		}
		return rc
	}, nil
}
