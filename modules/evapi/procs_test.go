package evapi

import (
	"reflect"
	"testing"

	"github.com/kamgo/kamgo/runtime/module"
)

// TestProcs: the dispatcher, then one entry per message worker, with
// Kamailio's descriptions and ranks.
func TestProcs(t *testing.T) {
	disp := module.Proc{Desc: "EvAPI Dispatcher", Rank: module.RankNoChildInit}
	worker := module.Proc{Desc: "EvAPI Worker", Rank: module.RankRPC}
	for _, tc := range []struct {
		workers int
		want    []module.Proc
	}{
		{0, []module.Proc{disp}},
		{1, []module.Proc{disp, worker}},
		{3, []module.Proc{disp, worker, worker, worker}},
	} {
		m := &Module{workers: tc.workers}
		if got := m.Procs(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("workers=%d: Procs() = %v, want %v", tc.workers, got, tc.want)
		}
	}
}
