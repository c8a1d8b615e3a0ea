package sipmsg

import "testing"

func TestHeaderNames(t *testing.T) {
	cases := []struct {
		name, canon string
	}{
		{"Via", "via"}, {"v", "via"}, {"V", "via"}, {" Call-ID ", "call-id"}, {"i", "call-id"},
		{"CONTACT", "contact"}, {"m", "contact"}, {"l", "content-length"}, {"X-Custom", "x-custom"},
		{"z", "z"}, {"Q", "q"}, {"1", "1"}, {"", ""},
	}
	for _, c := range cases {
		if got := CanonName(c.name); got != c.canon {
			t.Errorf("CanonName(%q) = %q, want %q", c.name, got, c.canon)
		}
		if !(Header{Name: c.name}).Is(c.canon) {
			t.Errorf("Header %q is not %q", c.name, c.canon)
		}
	}
	for _, c := range []struct{ name, canon string }{
		{"Via", "vie"}, {"i", "contact"}, {"Call-ID", "call"}, {"Froms", "from"},
	} {
		if (Header{Name: c.name}).Is(c.canon) {
			t.Errorf("Header %q is %q", c.name, c.canon)
		}
	}
	m := &Msg{Headers: []Header{{Name: "v", Value: "a"}, {Name: "From", Value: "f"}, {Name: "VIA", Value: "b"}}}
	if v, ok := m.Header("Via"); !ok || v != "a" {
		t.Errorf("Header(Via) = %q %v", v, ok)
	}
	if vs := m.HeaderValues("v"); len(vs) != 2 || vs[1] != "b" {
		t.Errorf("HeaderValues(v) = %q", vs)
	}
}

func BenchmarkHeaderLookup(b *testing.B) {
	m := &Msg{Headers: []Header{{Name: "Via"}, {Name: "From"}, {Name: "To"}, {Name: "Call-ID"}, {Name: "CSeq"}, {Name: "Contact", Value: "c"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Header("Contact"); !ok {
			b.Fatal("no contact")
		}
	}
}
