package siputils

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/value"
)

// TestE164MaxLen runs is_e164, is_uri_user_e164 and is_rpid_user_e164's
// check with e164_max_len unset (16: '+' and 15 digits, as Kamailio 5.6)
// and set.
func TestE164MaxLen(t *testing.T) {
	for _, tc := range []struct {
		max  int64 // 0: the parameter is not set
		user string
		rc   int
	}{
		{0, "+123", 1},
		{0, "+12", 1},
		{0, "+1", -1},
		{0, "+123456789012345", 1},   // 16 bytes
		{0, "+1234567890123456", -1}, // 17 bytes
		{0, "123456789", -1},
		{0, "+12a4", -1},
		{20, "+1234567890123456", 1},
		{20, "+1234567890123456789", 1},   // 20 bytes
		{20, "+12345678901234567890", -1}, // 21 bytes
		{5, "+1234", 1},
		{5, "+12345", -1},
		{2, "+1", -1}, // never fewer than 3 bytes
		{2, "+12", -1},
	} {
		m := newModule()
		if tc.max != 0 {
			if err := m.SetParam("e164_max_len", value.MakeInt(tc.max)); err != nil {
				t.Fatal(err)
			}
		}
		h := newPVHost(t, m)
		c := h.Context()
		setVar(t, h, c, "$var(n)", value.MakeStr(tc.user))
		setVar(t, h, c, "$var(u)", value.MakeStr("sip:"+tc.user+"@example.com;user=phone"))
		if rc := mustCall(t, h, m, "is_e164", "$var(n)")(c); rc != tc.rc {
			t.Errorf("max %d: is_e164(%q) = %d, want %d", tc.max, tc.user, rc, tc.rc)
		}
		if rc := mustCall(t, h, m, "is_uri_user_e164", "$var(u)")(c); rc != tc.rc {
			t.Errorf("max %d: is_uri_user_e164(sip:%s@...) = %d, want %d", tc.max, tc.user, rc, tc.rc)
		}
		if rc := m.e164(tc.user); rc != tc.rc {
			t.Errorf("max %d: e164(%q) = %d, want %d", tc.max, tc.user, rc, tc.rc)
		}
	}
}
