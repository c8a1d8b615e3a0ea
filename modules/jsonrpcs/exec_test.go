package jsonrpcs

import (
	"context"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// testModule returns a module whose registry holds the commands the
// tests call, in the shapes Kamailio's handlers build.
func testModule(t testing.TB, pretty bool) *Module {
	t.Helper()
	m := newModule()
	m.pretty = pretty
	m.reg = rpc.NewRegistry()
	cmds := append(m.RPC(),
		rpc.Command{Name: "t.one", Handler: func(_ context.Context, c *rpc.Call) { c.Add(rpc.NewStr("x")) }},
		rpc.Command{Name: "t.many", Handler: func(_ context.Context, c *rpc.Call) {
			c.Add(rpc.NewStr("a"), rpc.NewInt(2), rpc.NewBool(true))
		}},
		rpc.Command{Name: "t.arr", Array: true, Handler: func(_ context.Context, c *rpc.Call) {
			c.Add(rpc.NewStr("a"), rpc.NewInt(-7))
		}},
		rpc.Command{Name: "t.none", Handler: func(context.Context, *rpc.Call) {}},
		rpc.Command{Name: "t.arrnone", Array: true, Handler: func(context.Context, *rpc.Call) {}},
		rpc.Command{Name: "t.struct", Handler: func(_ context.Context, c *rpc.Call) {
			s := c.AddStruct()
			s.Set("n", rpc.NewInt(1)).Set("d", rpc.NewDouble(0.5)).Set("e", rpc.NewStruct())
			s.Set("l", rpc.NewArray().Append(rpc.NewStruct().Set("k", rpc.NewStr("v")), rpc.NewArray()))
		}},
		rpc.Command{Name: "t.fault", Handler: func(_ context.Context, c *rpc.Call) {
			c.Add(rpc.NewStr("lost"))
			c.Fault(400, "bad %s", "thing")
		}},
		rpc.Command{Name: "t.fault0", Handler: func(_ context.Context, c *rpc.Call) { c.Fault(0, "zero") }},
		rpc.Command{Name: "t.faultnamed", Handler: func(_ context.Context, c *rpc.Call) { c.Fault(-32602, "mine") }},
		rpc.Command{Name: "t.faultempty", Handler: func(_ context.Context, c *rpc.Call) { c.Fault(42, "") }},
		rpc.Command{Name: "t.faultlong", Handler: func(_ context.Context, c *rpc.Call) { c.Fault(503, "%s", strings.Repeat("z", 200)) }},
		rpc.Command{Name: "t.params", Array: true, Handler: func(_ context.Context, c *rpc.Call) {
			for _, p := range c.Params {
				c.Add(rpc.NewStr(p.String()))
			}
		}},
		rpc.Command{Name: "t.str", Array: true, Handler: func(_ context.Context, c *rpc.Call) {
			c.Convert = true
			for c.Remaining() > 0 {
				s, ok := c.NextStr()
				if !ok {
					return
				}
				c.Add(rpc.NewStr(s))
			}
		}},
		rpc.Command{Name: "t.strnc", Array: true, Handler: func(_ context.Context, c *rpc.Call) {
			for c.Remaining() > 0 {
				s, ok := c.NextStr()
				if !ok {
					return
				}
				c.Add(rpc.NewStr(s))
			}
		}},
		rpc.Command{Name: "t.int", Array: true, Handler: func(_ context.Context, c *rpc.Call) {
			for c.Remaining() > 0 {
				n, ok := c.NextInt()
				if !ok {
					return
				}
				c.Add(rpc.NewInt(n))
			}
		}},
		rpc.Command{Name: "t.named", Handler: func(_ context.Context, c *rpc.Call) {
			c.Add(rpc.NewArray().AppendNamed("a", rpc.NewInt(1)).Append(rpc.NewInt(2)))
		}},
		rpc.Command{Name: "t.panic", Handler: func(context.Context, *rpc.Call) { panic("boom") }},
	)
	if err := m.reg.Register(cmds...); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestExecReplies(t *testing.T) {
	for _, tc := range []struct {
		name, req string
		want      string // the body; "" when the document gets no reply
		code      int
		text      string
	}{
		{"one value", `{"jsonrpc":"2.0","method":"t.one","id":1}`, `{"jsonrpc":"2.0","result":"x","id":1}`, 200, "OK"},
		{"several values keep the last", `{"jsonrpc":"2.0","method":"t.many","id":1}`, `{"jsonrpc":"2.0","result":true,"id":1}`, 200, "OK"},
		{"array command", `{"jsonrpc":"2.0","method":"t.arr","id":1}`, `{"jsonrpc":"2.0","result":["a",-7],"id":1}`, 200, "OK"},
		{"no value", `{"jsonrpc":"2.0","method":"t.none","id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"array command without values", `{"jsonrpc":"2.0","method":"t.arrnone","id":1}`, `{"jsonrpc":"2.0","result":[],"id":1}`, 200, "OK"},
		{"struct", `{"jsonrpc":"2.0","method":"t.struct","id":1}`, `{"jsonrpc":"2.0","result":{"n":1,"d":0.500000,"e":{},"l":[{"k":"v"},[]]},"id":1}`, 200, "OK"},
		{"fault", `{"jsonrpc":"2.0","method":"t.fault","id":1}`, `{"jsonrpc":"2.0","error":{"code":400,"message":"bad thing"},"id":1}`, 400, "bad thing"},
		{"fault code 0", `{"jsonrpc":"2.0","method":"t.fault0","id":1}`, `{"jsonrpc":"2.0","error":{"code":-32000,"message":"Execution Error"},"id":1}`, 500, "zero"},
		{"named fault code", `{"jsonrpc":"2.0","method":"t.faultnamed","id":1}`, `{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid Parameters"},"id":1}`, 500, "mine"},
		{"fault without text", `{"jsonrpc":"2.0","method":"t.faultempty","id":1}`, `{"jsonrpc":"2.0","error":{"code":42,"message":"Unexpected Error"},"id":1}`, 500, ""},
		{"long fault text", `{"jsonrpc":"2.0","method":"t.faultlong","id":1}`, `{"jsonrpc":"2.0","error":{"code":503,"message":"` + strings.Repeat("z", 127) + `"},"id":1}`, 503, strings.Repeat("z", 127)},
		{"handler panic", `{"jsonrpc":"2.0","method":"t.panic","id":1}`, `{"jsonrpc":"2.0","error":{"code":500,"message":"internal error in t.panic: boom"},"id":1}`, 500, "internal error in t.panic: boom"},
		{"unknown method", `{"jsonrpc":"2.0","method":"no.such","id":"a"}`, `{"jsonrpc":"2.0","error":{"code":500,"message":"Method Not Found"},"id":"a"}`, 500, "Method Not Found"},
		{"notification", `{"jsonrpc":"2.0","method":"t.one"}`, `{"jsonrpc":"2.0","result":"x"}`, 200, "OK"},
		{"string id", `{"jsonrpc":"2.0","method":"t.one","id":"q\"1"}`, `{"jsonrpc":"2.0","result":"x","id":"q\"1"}`, 200, "OK"},
		{"fractional id", `{"jsonrpc":"2.0","method":"t.one","id":1.5}`, `{"jsonrpc":"2.0","result":"x","id":1.500000}`, 200, "OK"},
		{"large id", `{"jsonrpc":"2.0","method":"t.one","id":1e10}`, `{"jsonrpc":"2.0","result":"x","id":10000000000}`, 200, "OK"},
		{"null id", `{"jsonrpc":"2.0","method":"t.one","id":null}`, `{"jsonrpc":"2.0","result":"x","id":0}`, 200, "OK"},
		{"true id", `{"jsonrpc":"2.0","method":"t.one","id":true}`, `{"jsonrpc":"2.0","result":"x","id":1}`, 200, "OK"},
		{"object id", `{"jsonrpc":"2.0","method":"t.one","id":{"a":1}}`, `{"jsonrpc":"2.0","result":"x","id":0}`, 200, "OK"},
		{"names without case", `{"JSONRPC":"2.0","Method":"t.one","ID":-3}`, `{"jsonrpc":"2.0","result":"x","id":-3}`, 200, "OK"},
		{"first of repeated names", `{"jsonrpc":"2.0","method":"t.one","method":"t.arr","id":1,"id":2}`, `{"jsonrpc":"2.0","result":"x","id":1}`, 200, "OK"},
		{"other version", `{"jsonrpc":"1.0","method":"t.one","id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"no version", `{"method":"t.one","id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"version not a string", `{"jsonrpc":2,"method":"t.one","id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"no method", `{"jsonrpc":"2.0","id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"method not a string", `{"jsonrpc":"2.0","method":7,"id":1}`, `{"jsonrpc":"2.0","result":{},"id":1}`, 200, "OK"},
		{"params not a list", `{"jsonrpc":"2.0","method":"t.arr","params":"a","id":1}`, `{"jsonrpc":"2.0","result":[],"id":1}`, 200, "OK"},
		{"array root", `[1,2]`, `{"jsonrpc":"2.0","result":{}}`, 200, "OK"},
		{"scalar root", `42`, `{"jsonrpc":"2.0","result":{}}`, 200, "OK"},
		{"params array", `{"jsonrpc":"2.0","method":"t.params","params":["s",1,2.5,true,null,[1],{"k":"v"}],"id":1}`,
			`{"jsonrpc":"2.0","result":["s","1","2.5","1","null","[1]","{k: v}"],"id":1}`, 200, "OK"},
		{"params object in order", `{"jsonrpc":"2.0","method":"t.params","params":{"z":"first","a":"second"},"id":1}`,
			`{"jsonrpc":"2.0","result":["first","second"],"id":1}`, 200, "OK"},
		{"conversion to strings", `{"jsonrpc":"2.0","method":"t.str","params":["a",1,-1,2.7,3e9],"id":1}`, `{"jsonrpc":"2.0","result":["a","1","18446744073709551615","2","3000000000"],"id":1}`, 200, "OK"},
		{"true ends the reading", `{"jsonrpc":"2.0","method":"t.str","params":["a",true,"b"],"id":1}`, `{"jsonrpc":"2.0","result":["a"],"id":1}`, 200, "OK"},
		{"a failed first read", `{"jsonrpc":"2.0","method":"t.str","params":[null],"id":1}`, `{"jsonrpc":"2.0","error":{"code":400,"message":"Invalid Parameter Type"},"id":1}`, 400, "Invalid Parameter Type"},
		{"no conversion unless asked", `{"jsonrpc":"2.0","method":"t.strnc","params":["a",1],"id":1}`, `{"jsonrpc":"2.0","result":["a"],"id":1}`, 200, "OK"},
		{"conversion to integers", `{"jsonrpc":"2.0","method":"t.int","params":[5,"7",2.9,true,null,[1]],"id":1}`, `{"jsonrpc":"2.0","result":[5,0,2,1,0,0],"id":1}`, 200, "OK"},
		{"named array items", `{"jsonrpc":"2.0","method":"t.named","id":1}`, `{"jsonrpc":"2.0","result":[{"a":1},2],"id":1}`, 200, "OK"},
		{"jsonrpc.echo", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":["x",7],"id":1}`, `{"jsonrpc":"2.0","result":["x",7],"id":1}`, 200, "OK"},
		{"jsonrpc.echo converts", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":{"a":-1,"b":"7"},"id":1}`, `{"jsonrpc":"2.0","result":["18446744073709551615",0],"id":1}`, 200, "OK"},
		{"jsonrpc.echo bool first", `{"jsonrpc":"2.0","method":"jsonrpc.echo","params":[true,1],"id":1}`, `{"jsonrpc":"2.0","result":[],"id":1}`, 200, "OK"},
		{"escapes", `{"jsonrpc":"2.0","method":"t.params","params":["a\u0001\"\\/é\t\b\f\n\r\u007f"],"id":1}`, "{\"jsonrpc\":\"2.0\",\"result\":[\"a\\u0001\\\"\\\\/é\\t\\b\\f\\n\\r\x7f\"],\"id\":1}", 200, "OK"},
		{"string cut at NUL", `{"jsonrpc":"2.0","method":"t.params","params":["ab\u0000cd"],"id":1}`, `{"jsonrpc":"2.0","result":["ab"],"id":1}`, 200, "OK"},
		{"trailing text ignored", `{"jsonrpc":"2.0","method":"t.one","id":1} trailing`, `{"jsonrpc":"2.0","result":"x","id":1}`, 200, "OK"},
		{"truncated", `{"jsonrpc":"2.0","method":"t.one"`, "", 0, ""},
		{"not json", `hello`, "", 0, ""},
		{"empty", ``, "", 0, ""},
		{"bad value", `{"jsonrpc":"2.0","method":tru}`, "", 0, ""},
		{"too deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), "", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testModule(t, false)
			res := m.exec(context.Background(), []byte(tc.req), false)
			if tc.want == "" {
				if res.parsed {
					t.Fatalf("got a reply %q, want none", res.Body)
				}
				return
			}
			if !res.parsed {
				t.Fatal("not parsed")
			}
			if res.Body != tc.want || res.Code != tc.code || res.Text != tc.text {
				t.Errorf("got %d %q %s\nwant %d %q %s", res.Code, res.Text, res.Body, tc.code, tc.text, tc.want)
			}
		})
	}
}

// TestPrettyFormat checks pretty_format 1 against the bytes Kamailio
// 5.6.3 sent for the same shapes (core.uptime's structure, a fault, an
// empty result, an array).
func TestPrettyFormat(t *testing.T) {
	m := testModule(t, true)
	for _, tc := range []struct{ req, want string }{
		{`{"jsonrpc":"2.0","method":"t.arr","id":1}`, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t[\"a\", -7],\n\t\"id\":\t1\n}"},
		{`{"jsonrpc":"2.0","method":"no.such","id":1.5}`, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"error\":\t{\n\t\t\"code\":\t500,\n\t\t\"message\":\t\"Method Not Found\"\n\t},\n\t\"id\":\t1.500000\n}"},
		{`[1]`, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t}\n}"},
		{`{"jsonrpc":"2.0","method":"t.struct","id":null}`, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"result\":\t{\n\t\t\"n\":\t1,\n\t\t\"d\":\t0.500000,\n\t\t\"e\":\t{\n\t\t},\n\t\t\"l\":\t[{\n\t\t\t\t\"k\":\t\"v\"\n\t\t\t}, []]\n\t},\n\t\"id\":\t0\n}"},
	} {
		if got := m.exec(context.Background(), []byte(tc.req), false).Body; got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.req, got, tc.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {-3, "-3"}, {2147483647, "2147483647"}, {-2147483648, "-2147483648"},
		{3000000000, "3000000000"}, {1e20, "100000000000000000000"}, {0.5, "0.500000"},
		{1e-7, "1.000000e-07"}, {1234567890.5, "1.234568e+09"}, {-2.25, "-2.250000"},
	} {
		if got := number(tc.in); got != tc.want {
			t.Errorf("number(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestUnsigned: an unsigned integer ('u') is its unsigned value in JSON,
// as Kamailio's srjson number of a C unsigned int.
func TestUnsigned(t *testing.T) {
	v := rpc.NewStruct().Set("Methods", rpc.NewUint(4294967295)).Set("Flags", rpc.NewUint(0))
	if got := encode(v, false); got != `{"Methods":4294967295,"Flags":0}` {
		t.Errorf("encode = %s", got)
	}
}

func TestReadDocument(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // documents in order
		tooLarge int      // documents dropped for size
	}{
		{"one", `{"a":1}`, []string{`{"a":1}`}, 0},
		{"two in one write", `{"a":1}{"b":2}`, []string{`{"a":1}`, `{"b":2}`}, 0},
		{"nested", `{"a":{"b":{}}}x`, []string{`{"a":{"b":{}}}`}, 0},
		{"braces in strings", `{"a":"}{","b":'}'}`, []string{`{"a":"}{","b":'}'}`}, 0},
		{"escaped quote", `{"a":"\"}"}`, []string{`{"a":"\"}"}`}, 0},
		{"leading text kept", "\n\n {\"a\":1}", []string{"\n\n {\"a\":1}"}, 0},
		{"too large then next", "{\"a\":\"" + strings.Repeat("x", fifoBufSize) + "\"}{\"b\":1}", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := strings.NewReader(tc.in)
			var got []string
			large := 0
			for i := 0; i < 10; i++ {
				doc, err := readDocument(r, fifoBufSize)
				if err == errTooLarge {
					large++
					continue
				}
				if err != nil {
					break
				}
				got = append(got, string(doc))
			}
			if large != tc.tooLarge {
				t.Errorf("dropped %d documents, want %d", large, tc.tooLarge)
			}
			if tc.want != nil && strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHugeInput runs documents far larger than any transport reads.
func TestHugeInput(t *testing.T) {
	m := testModule(t, false)
	big := strings.Repeat("y", 1<<20)
	res := m.exec(context.Background(), []byte(`{"jsonrpc":"2.0","method":"t.params","params":["`+big+`"],"id":1}`), false)
	if want := `{"jsonrpc":"2.0","result":["` + big + `"],"id":1}`; res.Body != want {
		t.Errorf("1 MiB parameter: body of %d bytes, want %d", len(res.Body), len(want))
	}
	many := `{"jsonrpc":"2.0","method":"t.arrnone","params":[` + strings.Repeat("1,", 100000) + `1],"id":1}`
	if res := m.exec(context.Background(), []byte(many), false); res.Body != `{"jsonrpc":"2.0","result":[],"id":1}` {
		t.Errorf("100001 parameters: %q", res.Body)
	}
	for n := 1; n < 60; n += 7 {
		doc := `{"jsonrpc":"2.0","method":"t.one","params":["abc",1],"id":1}`[:n]
		if res := m.exec(context.Background(), []byte(doc), false); res.parsed {
			t.Errorf("truncated %q answered %q", doc, res.Body)
		}
	}
}

func FuzzExec(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","method":"t.params","params":["s",1,2.5,true,null,[1],{"k":"v"}],"id":1}`,
		`{"jsonrpc":"2.0","method":"jsonrpc.echo","params":{"a":-1,"b":"7"},"id":"x"}`,
		`{"jsonrpc":"2.0","method":"t.struct"}`, `[`, `{"a":`, `"\u0000"`, `1e999`,
	} {
		f.Add([]byte(s))
	}
	m := testModule(f, true)
	f.Fuzz(func(t *testing.T, doc []byte) {
		res := m.exec(context.Background(), doc, false)
		if res.parsed && !strings.HasPrefix(res.Body, "{\n\t\"jsonrpc\":\t\"2.0\",\n\t\"") {
			t.Errorf("%q: body %q", doc, res.Body)
		}
		for i := 0; i < 3; i++ {
			if _, err := readDocument(strings.NewReader(string(doc)), 64); err != nil {
				break
			}
		}
	})
}
