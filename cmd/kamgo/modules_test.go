package main

import (
	"bytes"
	"regexp"
	"testing"
)

// TestModulesCommand checks that `kamgo modules NAME` marks each function,
// parameter and pseudo-variable with whether kamgo runs it, and names the
// origin of what Kamailio 5.6 does not have.
func TestModulesCommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string // regexps, each must match a line
		code int
	}{
		{[]string{"--kamailio", "5.6", "evapi"}, []string{
			`^module evapi \(evapi\.so, Debian package kamailio-extra-modules; Kamailio 5\.6\.3\): checked and run by kamgo$`,
			`^  evapi_async_relay/1 +REQUEST +yes$`,
			`^  wait_idle +int +yes \(Kamailio 5\.7\)$`,
			`^  client_queue +int +yes \(kamgo\)$`,
			`^  workers +int +yes$`,
			`^  \$evapi\(conidx\|msg\|srcaddr\|srcport\) \(writable\) +yes$`,
		}, exitOK},
		{[]string{"--kamailio", "6.1", "evapi"}, []string{
			`^  wait_idle +int +yes$`,
			`^  send_task_timeout +int +yes \(Kamailio development branch \(after 6\.1\)\)$`,
		}, exitOK},
		{[]string{"--kamailio", "4.4", "evapi"}, nil, exitUsage},
		{[]string{"dispatcher"}, []string{
			`^module dispatcher \(dispatcher\.so, Debian package kamailio; Kamailio 6\.1\.\d+\): checked only`,
			`^  ds_select/2 +[A-Z_|]+ +no$`,
			`^  list_file +str +no$`,
		}, exitOK},
		{[]string{"--kamailio", "5.6", "tm"}, []string{
			`^module tm \(tm\.so, Debian package kamailio; Kamailio 5\.6\.3\): checked and run by kamgo`,
			`^  t_relay/2 +[A-Z_|]+ +yes$`,
		}, exitOK},
		{[]string{"json"}, []string{`^  bind_json/0 +ANY +api \(not a script function\)$`}, exitOK},
		{nil, []string{`^evapi +yes +8 +13 +kamailio-extra-modules$`, `^dispatcher +- +`}, exitOK},
		{[]string{"nope"}, nil, exitFound},
	} {
		var out, errb bytes.Buffer
		code := run(append([]string{"modules"}, tt.args...), &out, &errb)
		if code != tt.code {
			t.Errorf("modules %v: exit %d, want %d (%s)", tt.args, code, tt.code, errb.String())
		}
		for _, w := range tt.want {
			if !regexp.MustCompile(`(?m)` + w).Match(out.Bytes()) {
				t.Errorf("modules %v: no line matches %q in\n%s", tt.args, w, out.String())
			}
		}
	}
}
