package textops

import "strings"

// strAnyIn is str_any_in(text, chars): 1 when text holds at least one of
// the bytes of chars, -1 otherwise or when either is empty. Bytes are
// compared, not runes, as Kamailio compares them.
func strAnyIn(text, chars string) int {
	if text == "" || chars == "" {
		return -1
	}
	for i := 0; i < len(chars); i++ {
		if strings.IndexByte(text, chars[i]) >= 0 {
			return 1
		}
	}
	return -1
}

// strAllIn is str_all_in(text, chars): 1 when every byte of chars is in
// text, -1 otherwise or when either is empty.
func strAllIn(text, chars string) int {
	if text == "" || chars == "" {
		return -1
	}
	for i := 0; i < len(chars); i++ {
		if strings.IndexByte(text, chars[i]) < 0 {
			return -1
		}
	}
	return 1
}
