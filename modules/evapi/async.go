package evapi

import "github.com/kamgo/kamgo/runtime/event"

// Suspender is what the evapi_async_* functions need from a transaction
// module: Kamailio's t_suspend(). kamgo's tm module implements it; evapi
// finds it at Start with Host.Module("tm"). Without it the async functions
// fail as Kamailio's do when tm is not loaded ("evapi async relay is
// disabled - tm module not loaded", return code -1).
//
// The application answers with a message that
// event_route[evapi:message-received] turns into t_continue(index, label,
// route), which is tm's (tmx's) business, not evapi's.
type Suspender interface {
	// SuspendRequest suspends the transaction of the SIP request being
	// processed in c, creating the transaction first when there is none.
	// Afterwards $T(id_index) and $T(id_label) name it, so the evapi data,
	// evaluated after this call, can carry them to the application.
	SuspendRequest(c *event.Context) error
}
