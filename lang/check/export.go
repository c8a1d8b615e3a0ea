package check

import "strings"

// This file exports facts the checker keeps for itself to the other
// packages of lang (lint reads them instead of keeping copies).

// IsSIPMethod reports whether name (in any case) is a SIP method Kamailio's
// method parser knows.
func IsSIPMethod(name string) bool { return sipMethods[strings.ToUpper(name)] }
