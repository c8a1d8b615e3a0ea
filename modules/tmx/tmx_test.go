package tmx_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestScenarios plays every scenario on kamgo: the messages the peers get
// are asserted by the scenario, the script's log lines here.
func TestScenarios(t *testing.T) {
	want := map[string][]string{
		"suspend-continue-relay": {
			`^INFO: script: invite idx=0 code=0$`,
			`^INFO: script: t_suspend rc=1 index=\d+ code=100$`,
			`^INFO: script: resumed INVITE relay failure=yes request=no idx=1 index=\d+$`,
			`^INFO: script: continue rc=1$`,
		},
		"suspend-wrong-label": {
			`^WARNING: tm: t_continue_helper\(\): active transaction not found$`,
			`^WARNING: tmx: w_t_continue\(\): resuming the processing of transaction \[\d+:\d+\] failed$`,
			`^INFO: script: wrong label rc=-1$`,
			`^INFO: script: continue rc=1$`,
		},
		"suspend-cancel": {
			`^INFO: script: cancel of INVITE relay cseq=1$`,
			`^WARNING: tm: t_continue_helper\(\): active transaction not found$`,
			`^INFO: script: continue rc=-1$`,
		},
		"suspend-drop": {`^INFO: script: resumed INVITE drop`},
		"pv-reply-failure": {
			`^INFO: script: request idx=0 code=0 T=<null>$`,
			`^INFO: script: branch idx=0 branch_route=yes code=100 ruid=\[\]$`,
			`^INFO: script: relayed code=100 index=\d+$`,
			`^INFO: script: reply 180 Ringing last=180 idx=0 uri=sip:bob@127.0.0.1:\d+ flags=8 req=INVITE req_ru=sip:bob@127.0.0.1:\d+ req_action=show reply_route=yes type=0$`,
			`^INFO: script: reply 486 Busy Here Now last=486 idx=0 `,
			`^INFO: script: failure 486 Busy Here Now type=0 rpl=486 Busy Here Now idx=1 flags=8 failure_route=yes rm=INVITE$`,
		},
		"pv-timeout-cancel": {
			`^INFO: script: cancel of INVITE cseq=1 this=CANCEL$`,
			`^INFO: script: failure 408 Request Timeout type=1 rpl=<null> <null> idx=1 flags=8 failure_route=yes rm=INVITE$`,
		},
		"cancel-branches-others": {`^INFO: script: t_cancel_branches rc=1$`},
		"cancel-callid": {
			`^INFO: script: unknown call rc=-1$`,
			`^INFO: script: t_cancel_callid rc=1$`,
			`^INFO: script: failure 487 flag5=set$`,
		},
		"reply-callid":   {`^INFO: script: t_reply_callid rc=1$`},
		"precheck-trans": {`^INFO: script: routing call-12 INVITE rc=-1$`, `^INFO: script: retransmission of call-12 being routed$`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			phone := siptest.NewUA(t, "phone")
			var uas []*siptest.UA
			for i := 0; i < sc.uas; i++ {
				uas = append(uas, siptest.NewUA(t, "uas"))
			}
			k := startKamgo(t, sc.routes, uas...)
			sc.play(t, k, phone, uas)
			lines := k.Lines()
			for _, re := range want[sc.name] {
				if !matchAny(regexp.MustCompile(re), lines) {
					t.Errorf("no log line matches %s:\n%s", re, strings.Join(lines, "\n"))
				}
			}
		})
	}
}

func matchAny(re *regexp.Regexp, lines []string) bool {
	for _, l := range lines {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}
