package value

import "testing"

// Expectations recorded from Kamailio 5.6.3 (0 + "<s>").
func TestStrToInt(t *testing.T) {
	for _, c := range []struct {
		s  string
		i  int64
		ok bool
	}{
		{"", 0, true}, {"12", 12, true}, {"-5", -5, true}, {"+5", 5, true}, {"010", 10, true},
		{"0x10", 16, true}, {"0xffffffff", -1, true}, {"-", 0, true},
		{"12abc", 0, false}, {"abc", 0, false}, {" 12", 0, false}, {"12 ", 0, false},
		{"4294967297", 0, false}, {"2147483648", 0, false}, {"-2147483648", -2147483648, true},
		{"-0x10", 0, false}, {"0x", 0, false}, {"0xZZ", 0, false},
	} {
		if i, ok := StrToInt(c.s); i != c.i || ok != c.ok {
			t.Errorf("StrToInt(%q) = %d, %v; want %d, %v", c.s, i, ok, c.i, c.ok)
		}
	}
}

func TestArith(t *testing.T) {
	for _, c := range []struct {
		op   IntOp
		a, b int64
		want int64
	}{
		{OpAdd, 2147483647, 1, -2147483648}, {OpMul, 65536, 65536, 0}, {OpShl, 1, 32, 1},
		{OpShl, 1, -1, -2147483648}, {OpShr, -8, 1, -4}, {OpDiv, -7, 2, -3}, {OpMod, -7, 2, -1},
		{OpMul, -2147483648, -1, -2147483648}, {OpDiv, -2147483648, -1, -2147483648},
	} {
		if got, err := Arith(c.op, c.a, c.b); err != nil || got != c.want {
			t.Errorf("Arith(%d, %d, %d) = %d, %v; want %d", c.op, c.a, c.b, got, err, c.want)
		}
	}
	if _, err := Arith(OpDiv, 1, 0); err != ErrDivZero {
		t.Errorf("div by zero: %v", err)
	}
}

func TestStrInt(t *testing.T) {
	v := MakeStrInt("Fri Nov 27 12:02:07 2026", 1795780927)
	if i, ok := ToInt(v); !ok || i != 1795780927 {
		t.Errorf("ToInt = %d %v", i, ok)
	}
	if ToStr(v) != v.S || v.String() != v.S {
		t.Error("string form changed")
	}
	p := v.Plain()
	if p.Num || p.S != v.S {
		t.Errorf("Plain = %+v", p)
	}
	if i, ok := ToInt(p); ok || i != 0 {
		t.Errorf("plain string converts: %d %v", i, ok)
	}
}

// Str2Sint is Kamailio's str2sint as {s.int} shows it (modules/pv's
// trans.txt records the script side).
func TestStr2Sint(t *testing.T) {
	for _, c := range []struct {
		s  string
		i  int64
		ok bool
	}{
		{"", 0, false}, {"12", 12, true}, {"-17", -17, true}, {"+5", 5, true}, {"-", 0, true},
		{" 42", 0, false}, {"42abc", 0, false}, {"0x10", 0, false},
		{"2147483647", 2147483647, true}, {"2147483648", 0, false}, {"-2147483648", -2147483648, true},
		{"-2147483649", 0, false},
	} {
		if i, ok := Str2Sint(c.s); i != c.i || ok != c.ok {
			t.Errorf("Str2Sint(%q) = %d, %v; want %d, %v", c.s, i, ok, c.i, c.ok)
		}
	}
}
