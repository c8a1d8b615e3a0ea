package usrloc_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// rpcServer loads usrloc with the given modparam lines and a fake clock,
// and starts it.
func rpcServer(t *testing.T, params string) (*server.Server, *usrloc.Module, *fakeclock.Clock) {
	t.Helper()
	src := "loadmodule \"usrloc.so\"\nmodparam(\"usrloc\", \"preload\", \"location\")\n" + params +
		"request_route {\n\tdrop;\n}\n"
	cfg, diags, _ := check.AnalyzeSource("u.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	mi, _ := srv.Module("usrloc")
	m := mi.(*usrloc.Module)
	clk := fakeclock.New()
	m.SetClock(clk)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv, m, clk
}

// call runs method through the server's registry and returns the reply
// as text (values separated by spaces), or "fault CODE TEXT".
func call(t *testing.T, srv *server.Server, method string, params ...any) string {
	t.Helper()
	c := &rpc.Call{Method: method}
	for _, p := range params {
		switch v := p.(type) {
		case string:
			c.Params = append(c.Params, rpc.NewStr(v))
		case int:
			c.Params = append(c.Params, rpc.NewInt(int64(v)))
		case float64:
			c.Params = append(c.Params, rpc.NewDouble(v))
		default:
			t.Fatalf("parameter %v", p)
		}
	}
	if !srv.RPC().Run(context.Background(), c) {
		t.Fatalf("%s is not registered", method)
	}
	vals, f := c.Reply()
	if f != nil {
		return "fault " + f.Error()
	}
	var out []string
	for _, v := range vals {
		out = append(out, v.String())
	}
	return strings.Join(out, " ")
}

// contactText is a contact as ul.dump shows it, with the fields the tests
// vary.
func contactText(addr, expires, q, callID, ua, ruid, sock string, cseq, lastMod int) string {
	return "Contact: {Address: " + addr + ", Expires: " + expires + ", Q: " + q + ", Call-ID: " + callID +
		", CSeq: " + itoa(cseq) + ", User-Agent: " + ua + ", Received: [not set], Path: [not set], State: CS_NEW, Flags: 0, CFlags: 0, Socket: " + sock +
		", Methods: 4294967295, Ruid: " + ruid + ", Instance: [not set], Reg-Id: 0, Server-Id: 0, Tcpconn-Id: -1, Keepalive: 0, Last-Keepalive: " + itoa(lastMod) +
		", KA-Roundtrip: 0, Last-Modified: " + itoa(lastMod) + "}"
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRPC runs every ul.* command on a table filled through the Go API
// and by the commands themselves, in order: each step sees what the
// earlier ones left.
func TestRPC(t *testing.T) {
	// No timer: the test runs the expiry with ul.flush.
	srv, m, clk := rpcServer(t, "modparam(\"usrloc\", \"timer_interval\", 0)\n")
	now := int(clk.Now().Unix())
	d, _ := m.Domain("location")
	sock := &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 5060}
	d.With("alice", func(r *usrloc.Record, _ bool) {
		for i, q := range []int{500, sipmsg.QUnspecified} {
			r.Insert(&usrloc.Info{URI: "sip:alice@10.0.0." + itoa(i+1), CallID: "c" + itoa(i+1), CSeq: 1, UserAgent: "ua",
				Ruid: "r" + itoa(i+1), Expires: int64(now + 3600), Q: q, Methods: 0xffffffff, Socket: sock,
				ConnID: -1, LastModified: int64(now)})
		}
	})
	alice1 := contactText("sip:alice@10.0.0.1", "3600", "0.5", "c1", "ua", "r1", "udp:127.0.0.1:5060", 1, now)
	alice2 := contactText("sip:alice@10.0.0.2", "3600", "-1", "c2", "ua", "r2", "udp:127.0.0.1:5060", 1, now)
	hash := itoa(int(usrloc.AORHash("alice")))
	steps := []struct {
		name   string
		method string
		params []any
		want   string
	}{
		{"brief dump", "ul.dump", []any{"brief"},
			"{Domains: [Domain: {Domain: location, Size: 1024, AoRs: [AoR: alice], Stats: {Records: 1, Max-Slots: 1}}]}"},
		{"full dump", "ul.dump", nil,
			"{Domains: [Domain: {Domain: location, Size: 1024, AoRs: [Info: {AoR: alice, HashID: " + hash +
				", Contacts: [" + alice1 + ", " + alice2 + "]}], Stats: {Records: 1, Max-Slots: 1}}]}"},
		{"lookup", "ul.lookup", []any{"location", "alice"}, "{AoR: alice, Contacts: [" + alice1 + ", " + alice2 + "]}"},
		{"lookup drops the domain and lowers the case", "ul.lookup", []any{"location", "ALICE@example.com"},
			"{AoR: alice, Contacts: [" + alice1 + ", " + alice2 + "]}"},
		{"lookup without AOR", "ul.lookup", []any{"location"}, "fault 500 Not enough parameters (table and AOR to lookup)"},
		{"lookup with a number", "ul.lookup", []any{"location", 7}, "fault 500 Not enough parameters (table and AOR to lookup)"},
		{"lookup in no table", "ul.lookup", []any{"nosuch", "alice"}, "fault 500 Domain table not found"},
		{"lookup of nobody", "ul.lookup", []any{"location", "bob"}, "fault 500 AOR not found in location table"},
		{"add", "ul.add", []any{"location", "bob", "sip:bob@10.0.0.9", 60, 0.25, ".", 0, 0, 0xffffffff}, ""},
		{"add refreshes", "ul.add", []any{"location", "bob", "sip:bob@10.0.0.9", 120, 0.5, "0", 0, 0, 0xffffffff}, ""},
		{"added", "ul.lookup", []any{"location", "bob"},
			"{AoR: bob, Contacts: [" + strings.Replace(contactText("sip:bob@10.0.0.9", "120", "0.5", "dfjrewr12386fd6-343@kamailio.rpc",
				"kamailio SIP Router - RPC Server", "RUID", "[not set]", 1, 0), "Last-Keepalive: 0", "Last-Keepalive: "+itoa(now), 1) + "]}"},
		{"add permanent with received", "ul.add", []any{"location", "carol", "sip:carol@10.0.0.7", 0, -1.0, "<sip:p1>", 1, 2, 3, "sip:1.2.3.4:5"}, ""},
		{"permanent", "ul.lookup", []any{"location", "carol"},
			"{AoR: carol, Contacts: [Contact: {Address: sip:carol@10.0.0.7, Expires: permanent, Q: -1, Call-ID: dfjrewr12386fd6-343@kamailio.rpc, CSeq: 1, " +
				"User-Agent: kamailio SIP Router - RPC Server, Received: sip:1.2.3.4:5, Path: <sip:p1>, State: CS_NEW, Flags: 1, CFlags: 2, Socket: [not set], " +
				"Methods: 3, Ruid: RUID, Instance: [not set], Reg-Id: 0, Server-Id: 0, Tcpconn-Id: -1, Keepalive: 0, Last-Keepalive: " + itoa(now) +
				", KA-Roundtrip: 0, Last-Modified: 0}]}"},
		{"add with too few", "ul.add", []any{"location", "bob", "sip:bob@10.0.0.9", 60, 0.5, ".", 0, 0}, "fault 500 Not enough parameters or wrong format"},
		{"add with a string expiry", "ul.add", []any{"location", "bob", "sip:bob@10.0.0.9", "60", 0.5, ".", 0, 0, 0}, "fault 500 Not enough parameters or wrong format"},
		{"add in no table", "ul.add", []any{"nosuch", "bob", "sip:bob@10.0.0.9", 60, 0.5, ".", 0, 0, 0}, "fault 500 Domain table not found"},
		{"remove a contact", "ul.rm_contact", []any{"location", "alice", "sip:alice@10.0.0.2"}, ""},
		{"one left", "ul.lookup", []any{"location", "alice"}, "{AoR: alice, Contacts: [" + alice1 + "]}"},
		{"remove an unknown contact", "ul.rm_contact", []any{"location", "alice", "sip:alice@10.0.0.2"}, "fault 404 Contact not found"},
		{"remove a contact of nobody", "ul.rm_contact", []any{"location", "dave", "sip:x@y"}, "fault 404 AOR not found"},
		{"remove a contact, too few", "ul.rm_contact", []any{"location", "alice"}, "fault 500 Not enough parameters (table, AOR and contact)"},
		{"remove a record", "ul.rm", []any{"location", "alice"}, ""},
		{"removed", "ul.lookup", []any{"location", "alice"}, "fault 500 AOR not found in location table"},
		{"remove nobody", "ul.rm", []any{"location", "alice"}, ""},
		{"remove, too few", "ul.rm", []any{"location"}, "fault 500 Not enough parameters (table and AOR to lookup)"},
		{"remove in no table", "ul.rm", []any{"nosuch", "alice"}, "fault 500 Domain table not found"},
		// Records go by hash slot: carol's comes first.
		{"brief after", "ul.dump", []any{"brief"},
			"{Domains: [Domain: {Domain: location, Size: 1024, AoRs: [AoR: carol, AoR: bob], Stats: {Records: 2, Max-Slots: 1}}]}"},
		{"db_users", "ul.db_users", []any{"location"}, "fault 500 Command is not supported in db_mode=0"},
		{"db_contacts", "ul.db_contacts", []any{"location"}, "fault 500 Command is not supported in db_mode=0"},
		{"db_expired_contacts", "ul.db_expired_contacts", nil, "fault 500 Command is not supported in db_mode=0"},
	}
	for _, s := range steps {
		got := call(t, srv, s.method, s.params...)
		if strings.Contains(s.want, "RUID") {
			if i := strings.Index(got, "Ruid: uloc-"); i >= 0 {
				j := strings.Index(got[i:], ",")
				got = got[:i] + "Ruid: RUID" + got[i+j:]
			}
		}
		if got != s.want {
			t.Errorf("%s: %s %v\n got  %s\n want %s", s.name, s.method, s.params, got, s.want)
		}
	}

	// Time passes: bob's contact (120 s) expires, carol's stays; the dump
	// says so before the timer runs, ul.flush runs it.
	clk.Advance(121 * time.Second)
	if got := call(t, srv, "ul.lookup", "location", "bob"); got != "fault 500 AOR has no contacts" {
		t.Errorf("expired lookup: %s", got)
	}
	if got := call(t, srv, "ul.dump"); !strings.Contains(got, "Address: sip:bob@10.0.0.9, Expires: expired,") {
		t.Errorf("expired dump: %s", got)
	}
	if got := call(t, srv, "ul.flush"); got != "" {
		t.Errorf("flush: %s", got)
	}
	if got := call(t, srv, "ul.dump", "brief"); !strings.Contains(got, "AoRs: [AoR: carol], Stats: {Records: 1, Max-Slots: 1}") {
		t.Errorf("after flush: %s", got)
	}
}

// TestRPCUseDomain: with use_domain an AOR without a domain is refused.
func TestRPCUseDomain(t *testing.T) {
	srv, _, _ := rpcServer(t, "modparam(\"usrloc\", \"use_domain\", 1)\n")
	for _, tc := range []struct {
		method string
		params []any
		want   string
	}{
		{"ul.lookup", []any{"location", "alice"}, "fault 500 Domain missing in AOR"},
		{"ul.add", []any{"location", "alice@Example.COM", "sip:a@b", 60, 1.0, ".", 0, 0, 0}, ""},
		{"ul.dump", []any{"brief"}, "{Domains: [Domain: {Domain: location, Size: 1024, AoRs: [AoR: alice@example.com], Stats: {Records: 1, Max-Slots: 1}}]}"},
		{"ul.rm", []any{"location", "alice"}, "fault 500 Domain missing in AOR"},
		{"ul.rm_contact", []any{"location", "alice@example.com", "sip:a@b"}, ""},
	} {
		if got := call(t, srv, tc.method, tc.params...); got != tc.want {
			t.Errorf("%s %v:\n got  %s\n want %s", tc.method, tc.params, got, tc.want)
		}
	}
}
