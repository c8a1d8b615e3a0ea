package conformance_test

import (
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// capture is the "evapi" module of the in-process runner: it keeps the
// relayed payloads instead of writing them to sockets. It behaves as evapi
// does where the cases see it: an empty payload is refused (-1, an error
// logged, nothing sent), unicast and multicast reach the one client only
// when the tag is its tag, and an assignment to $evapi(msg) is accepted and
// ignored. Each case gets its own instance.
type capture struct {
	mu     sync.Mutex
	relays []string
	tag    string
}

// msgKey holds the received message, $evapi(msg), on the event context.
var msgKey = event.NewKey()

func (m *capture) ModuleInfo() module.Info {
	return module.Info{Name: "evapi", New: func() module.Module { return m }}
}

func (m *capture) SetParam(string, value.Value) error { return nil }

// payloads returns what was relayed so far.
func (m *capture) payloads() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.relays...)
}

func (m *capture) relay(tagged bool) func(h module.Host, args []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		data, err := args[0].Str(h)
		if err != nil {
			return nil, err
		}
		var tag module.StrFunc
		if tagged {
			if tag, err = args[1].Str(h); err != nil {
				return nil, err
			}
		}
		return func(c *event.Context) int {
			payload := data(c)
			if payload == "" {
				if c.Log != nil {
					c.Log.Log(klog.Err, "evapi", "w_evapi_relay(): invalid data parameter")
				}
				return -1
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			if tag != nil && tag(c) != m.tag {
				if c.Log != nil {
					c.Log.Log(klog.Warn, "evapi", "_evapi_relay(): message not delivered - no client connected")
				}
				return -1
			}
			m.relays = append(m.relays, payload)
			return 1
		}, nil
	}
}

func (m *capture) setTag(h module.Host, args []*module.Arg) (module.Call, error) {
	tag, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		t := tag(c)
		if len(t) >= 64 {
			return -1
		}
		m.mu.Lock()
		m.tag = t
		m.mu.Unlock()
		return 1
	}, nil
}

func (m *capture) Exports() module.Exports {
	closeFn := func(module.Host, []*module.Arg) (module.Call, error) {
		return func(*event.Context) int { return 1 }, nil
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "workers", Type: module.ParamInt}, {Name: "bind_addr", Type: module.ParamStr},
			{Name: "netstring_format", Type: module.ParamInt}, {Name: "event_callback", Type: module.ParamStr},
			{Name: "max_clients", Type: module.ParamInt},
		},
		Funcs: []module.Func{
			{Name: "evapi_relay", MinArgs: 1, MaxArgs: 1, Compile: m.relay(false)},
			{Name: "evapi_async_relay", MinArgs: 1, MaxArgs: 1, Compile: m.relay(false)},
			{Name: "evapi_multicast", MinArgs: 2, MaxArgs: 2, Compile: m.relay(true)},
			{Name: "evapi_async_multicast", MinArgs: 2, MaxArgs: 2, Compile: m.relay(true)},
			{Name: "evapi_unicast", MinArgs: 2, MaxArgs: 2, Compile: m.relay(true)},
			{Name: "evapi_async_unicast", MinArgs: 2, MaxArgs: 2, Compile: m.relay(true)},
			{Name: "evapi_close", MinArgs: 0, MaxArgs: 1, Compile: closeFn},
			{Name: "evapi_set_tag", MinArgs: 1, MaxArgs: 1, Compile: m.setTag},
		},
		Classes: []*pv.Class{{Name: "evapi", Module: "evapi",
			Names: []string{"msg", "conidx", "srcaddr", "srcport"},
			Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
				switch p.Name.Text {
				case "msg":
					return evapiMsg{}, nil
				case "conidx":
					return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(0) }), nil
				case "srcaddr":
					return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeStr("127.0.0.1") }), nil
				}
				return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(40000) }), nil
			}}},
		Events: []string{"evapi:connection-new", "evapi:connection-closed", "evapi:message-received"},
	}
}

// evapiMsg is $evapi(msg): the received message. Kamailio 5.6.3 accepts
// an assignment and ignores it (pv/032).
type evapiMsg struct{}

func (evapiMsg) Get(c *event.Context) value.Value {
	if s, ok := c.Get(msgKey).(string); ok {
		return value.MakeStr(s)
	}
	return value.NullValue
}

func (evapiMsg) Set(*event.Context, value.Value) error { return nil }

var (
	_ module.Exporter    = (*capture)(nil)
	_ module.ParamSetter = (*capture)(nil)
)
