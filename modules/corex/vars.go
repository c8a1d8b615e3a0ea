package corex

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// cfgClass is $cfg(line), $cfg(file), $cfg(name) (the file too, as in
// Kamailio) and $cfg(route): where in the configuration the pseudo-variable
// is read. The route is the innermost block running (DEFAULT for an
// unnamed one), null outside the interpreter (KEMI).
func cfgClass() *pv.Class {
	return &pv.Class{Name: "cfg", Module: Name, Names: []string{"file", "line", "name", "route"},
		Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name == nil {
				return nil, fmt.Errorf("unknown PV af key")
			}
			var v value.Value
			switch p.Name.Text {
			case "line":
				v = value.MakeInt(int64(p.Rng.Start.Line))
			case "file", "name":
				v = value.MakeStr(p.Rng.File)
			case "route":
				return pv.GetterFunc(func(c *event.Context) value.Value {
					if name, ok := interp.RouteName(c); ok {
						return value.MakeStr(name)
					}
					return value.NullValue
				}), nil
			default:
				return nil, fmt.Errorf("unknown PV af key: %s", p.Name.Text)
			}
			return pv.GetterFunc(func(*event.Context) value.Value { return v }), nil
		}}
}

// lsockClass is $lsock(match/value/field): the listen socket whose name
// (n), listen string (l), advertised string (a) is value, or the first
// socket (i: Kamailio never reads the index), and its name, listen
// string, advertised string or index as field says by its first letter.
// The field must have at least two characters. The expression may hold
// pseudo-variables.
func lsockClass() *pv.Class {
	return &pv.Class{Name: "lsock", Module: Name, Compile: func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil || p.Name.Text == "" {
			return nil, fmt.Errorf("missing lsock expression")
		}
		expr := func(*event.Context) string { return p.Name.Text }
		if p.Name.Dyn != nil {
			f, err := t.CompileFormat(p.Name.Dyn)
			if err != nil {
				return nil, err
			}
			expr = f.String
		}
		return pv.GetterFunc(func(c *event.Context) value.Value { return lsock(c, expr(c)) }), nil
	}}
}

func lsock(c *event.Context, expr string) value.Value {
	match, val, field, ok := parseLsock(expr)
	if !ok {
		logf(c, klog.Err, "pv_parse_lsock_expr(): invalid expression format: %s", expr)
		logf(c, klog.Err, "pv_get_lsock(): failed to parse lsock expression [%s]", expr)
		return value.NullValue
	}
	t := sip.From(c)
	if t == nil {
		return value.NullValue
	}
	socks := t.Sockets()
	idx := -1
	for i, s := range socks {
		switch match {
		case 'n':
			if s.Name != "" && s.Name == val {
				idx = i
			}
		case 'l':
			if s.String() == val {
				idx = i
			}
		case 'a':
			if advString(s) != "" && advString(s) == val {
				idx = i
			}
		case 'i':
			idx = 0
		}
		if idx >= 0 {
			break
		}
	}
	if idx < 0 {
		return value.NullValue
	}
	s := socks[idx]
	switch field {
	case 'n':
		return value.MakeStr(s.Name)
	case 'l':
		return value.MakeStr(s.String())
	case 'a':
		return value.MakeStr(advString(s))
	}
	return value.MakeInt(int64(idx))
}

// advString is the socket's advertised address as proto:host:port, "" when
// it advertises none.
func advString(s *sipmsg.Socket) string {
	if s.AdvIP == "" && s.AdvPort == 0 {
		return ""
	}
	host, port := s.IP, s.Port
	if s.AdvIP != "" {
		host = s.AdvIP
	}
	if s.AdvPort != 0 {
		port = s.AdvPort
	}
	if sipmsg.IsIPv6(host) && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%s:%d", sipmsg.ProtoName(s.Proto, true), host, port)
}

// parseLsock splits match/value/field as Kamailio checks it: exactly two
// slashes, a match letter of n, l, i or a, and a field of two characters
// or more starting with one of them.
func parseLsock(e string) (match byte, val string, field byte, ok bool) {
	if strings.Count(e, "/") != 2 {
		return 0, "", 0, false
	}
	p0 := strings.IndexByte(e, '/')
	p1 := strings.LastIndexByte(e, '/')
	if p1 >= len(e)-2 || p0 != 1 || !strings.ContainsRune("nlia", rune(e[0])) {
		return 0, "", 0, false
	}
	f := e[p1+1:]
	if !strings.ContainsRune("nlia", rune(f[0])) {
		return 0, "", 0, false
	}
	return e[0], e[p0+1 : p1], f[0], true
}

// sockTrans is {sock.host}, {sock.port}, {sock.proto} and {sock.touri}
// on an address written [proto:]host[:port]. A value that is not a string
// or does not parse fails the transformation.
func (m *Module) sockTrans() *pv.TransClass {
	return &pv.TransClass{Name: "sock", Module: Name, Ops: []string{"host", "port", "proto", "touri"},
		Compile: func(_ *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
			op := tr.Op
			switch op {
			case "host", "port", "proto", "touri":
			default:
				return nil, fmt.Errorf("unknown SOCK transformation: %s", op)
			}
			return func(c *event.Context, in value.Value) (value.Value, error) {
				if in.IsNull() {
					return value.NullValue, pv.ErrTransNull
				}
				// An int reads as its digits, as Kamailio's int values
				// carry their string too.
				text := in.String()
				hp, err := parseHostPort(text, m.en, false)
				if err != nil {
					if text != "" {
						logf(c, klog.Err, "%v", err)
					}
					return value.NullValue, err
				}
				return value.MakeStr(sockPart(hp, op)), nil
			}, nil
		}}
}

func sockPart(hp hostPort, op string) string {
	switch op {
	case "host":
		return hp.host
	case "port":
		return hp.sport
	case "proto":
		return hp.sproto
	}
	switch {
	case hp.host == "":
		return ""
	case hp.sport != "" && hp.sproto != "":
		return "sip:" + hp.host + ":" + hp.sport + ";transport=" + hp.sproto
	case hp.sport != "":
		return "sip:" + hp.host + ":" + hp.sport
	case hp.sproto != "":
		return "sip:" + hp.host + ";transport=" + hp.sproto
	}
	return "sip:" + hp.host
}
