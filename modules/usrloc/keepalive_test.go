package usrloc

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestKeepaliveChoice: which contacts get a keepalive by ka_mode (all,
// nat_bflag only, UDP only), where it goes (received, first Path hop,
// the contact) and ka_timeout's early expiry of a silent contact.
func TestKeepaliveChoice(t *testing.T) {
	sock := &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 5060}
	for _, tc := range []struct {
		name  string
		ints  map[string]int64
		nat   uint32
		infos []Info
		want  []string // Request-URI and destination host of each keepalive
	}{
		{"all", map[string]int64{"ka_mode": kaAll}, 0, []Info{
			{URI: "sip:a@192.0.2.1"},
			{URI: "sip:b@10.0.0.1", Received: "sip:198.51.100.1:5070"},
			{URI: "sip:c@10.0.0.2", Path: "<sip:edge.example.net;lr>,<sip:x.example.net;lr>"},
		}, []string{"sip:a@192.0.2.1 192.0.2.1", "sip:b@10.0.0.1 198.51.100.1", "sip:c@10.0.0.2 edge.example.net"}},
		{"nat only", map[string]int64{"ka_mode": kaNAT}, 1 << 3, []Info{
			{URI: "sip:a@192.0.2.1"},
			{URI: "sip:b@192.0.2.2", CFlags: 1 << 3},
		}, []string{"sip:b@192.0.2.2 192.0.2.2"}},
		{"nat without nat_bflag", map[string]int64{"ka_mode": kaNAT}, 0, []Info{{URI: "sip:a@192.0.2.1"}}, nil},
		{"udp only", map[string]int64{"ka_mode": kaAll | kaUDP}, 0, []Info{
			{URI: "sip:a@192.0.2.1;transport=tcp"},
			{URI: "sip:b@192.0.2.2"},
		}, []string{"sip:b@192.0.2.2 192.0.2.2"}},
	} {
		m := testModule(tc.ints)
		m.natBflag = tc.nat
		d := m.Register("location")
		var kas []keepalive
		d.With("alice", func(r *Record, _ bool) {
			for i := range tc.infos {
				tc.infos[i].Socket, tc.infos[i].Expires = sock, m.Now()+3600
				r.Insert(&tc.infos[i])
			}
			kas = m.kaRecord(r, m.Now(), nil)
		})
		var got []string
		for _, ka := range kas {
			got = append(got, strings.SplitN(ka.text, " ", 3)[1]+" "+ka.dest.Host)
		}
		if !eq(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}

	m := testModule(map[string]int64{"ka_mode": kaAll, "ka_timeout": 30})
	d := m.Register("location")
	now := m.Now()
	d.With("alice", func(r *Record, _ bool) {
		c := r.Insert(&Info{URI: "sip:a@192.0.2.1", Socket: sock, Expires: now + 3600})
		if kas := m.kaRecord(r, now+30, nil); len(kas) != 1 {
			t.Errorf("silent for ka_timeout: %d keepalives", len(kas))
		}
		if kas := m.kaRecord(r, now+31, nil); len(kas) != 0 || c.Expires != now+41 {
			t.Errorf("silent longer: %d keepalives, expires in %d s", len(kas), c.Expires-now-31)
		}
		if kas := m.kaRecord(r, now+32, nil); len(kas) != 1 {
			t.Errorf("about to expire: %d keepalives", len(kas))
		}
	})
}
