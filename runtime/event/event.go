// Package event owns the state of one event being processed (Context: the
// route type, return code, flags, module data such as the SIP message or the
// evapi connection) and of the worker that runs it (Worker: the $var slots a
// Kamailio worker process keeps across messages), the pools workers come
// from, and the Target naming the route block an event runs. A Context may
// be detached from its worker (a suspended transaction) and resumed on
// another.
package event

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/klog"
)

// Key names a slot of module data in a Context or Worker. Keys are made
// once, at init time, by the module that owns the data.
type Key int

var nextKey Key

// NewKey allocates a key. Call it from package init only.
func NewKey() Key {
	k := nextKey
	nextKey++
	return k
}

// Worker is the state one executing goroutine keeps across events, as a
// Kamailio worker process does: $var values persist here.
type Worker struct {
	ID int
	// LogScope is the log scope of the SIP message the worker handles,
	// nil between messages: routes run on the worker for that message
	// (a transaction's, with its own Context) read their prefix from it.
	LogScope *klog.Scope
	// Goroutine is the id of the goroutine that holds the worker for a
	// received message (klog.GoroutineID), 0 when its holder did not say.
	Goroutine uint64
	slots     []any
}

// NewWorker returns a worker with the given id.
func NewWorker(id int) *Worker { return &Worker{ID: id} }

// Get returns the worker's data for k, or nil.
func (w *Worker) Get(k Key) any {
	if int(k) < len(w.slots) {
		return w.slots[k]
	}
	return nil
}

// Set stores the worker's data for k.
func (w *Worker) Set(k Key, v any) {
	for int(k) >= len(w.slots) {
		w.slots = append(w.slots, nil)
	}
	w.slots[k] = v
}

// Context is the state of one event being processed: which route type runs,
// the last return code, the worker it runs on, the logger, and module data
// (the SIP message, evapi's connection info, per-event AVPs ...).
type Context struct {
	Event  string
	Route  routetype.Mask
	RC     int64 // $rc / $? / $retcode
	Worker *Worker
	Log    *klog.Logger
	// LogPrefix is the log prefix of the goroutine when the route
	// started: log_prefix expanded for the SIP message it handles (Kamailio
	// expands it once per message), empty outside message handling. Script
	// log lines print it after the level.
	LogPrefix string
	// LogScope is the log scope the SIP transport opened for this
	// event's message on the goroutine that runs it (also its worker's),
	// nil for other events; Detach ends it, and a copy does not have it.
	LogScope *klog.Scope
	// LogRefresh, when set (log_prefix_mode=1), expands the log prefix
	// again from the route's message: the interpreter calls it before and
	// after every action, as Kamailio's run_actions does.
	LogRefresh func()
	// Flags are the per-event flags of setflag/resetflag/isflagset (the
	// message flags in Kamailio, bits 0..31).
	Flags uint32
	// Dropped is set when the script ran `drop`; a SIP layer does not
	// forward or reply to a dropped message.
	Dropped bool
	// serErr is Kamailio's ser_error for this event (SetError,
	// BeginAction, PrevError).
	serErr serError
	slots  []any
	// detached is set while the Context outlives its event (see Detach).
	detached bool
}

// serError is the error code the running action left (Kamailio's
// ser_error: the outcome of a send, 0 after a success) and the one the
// previous action left (prev_ser_error), each with whether one was set.
// Every action of a script begins by moving the first to the second, so
// sl_reply_error reports the error of the action right before it: after
// `xlog` between a failed t_relay and sl_reply_error there is none.
type serError struct {
	cur, prev       int
	curSet, prevSet bool
}

// BeginAction starts an action of a script: the error the last action
// left becomes the previous action's, and none is set for this one.
func (c *Context) BeginAction() {
	c.serErr.prev, c.serErr.prevSet = c.serErr.cur, c.serErr.curSet
	c.serErr.curSet = false
}

// SetError records code as the running action's error.
func (c *Context) SetError(code int) { c.serErr.cur, c.serErr.curSet = code, true }

// PrevError returns the error the previous action left, and whether it
// left one.
func (c *Context) PrevError() (int, bool) { return c.serErr.prev, c.serErr.prevSet }

// Detach takes c off its worker so that it outlives the event that made
// it: a transaction suspended by t_suspend or an async relay. The Context
// keeps the message, the flags, the return code and every module slot
// (AVPs, XAVPs, the transaction); whoever detached it owns it and must
// eventually Resume it, or give it back to its pool. $var values are the
// worker's, not the Context's: they stay behind, as in Kamailio, where the
// route that resumes a transaction sees the $var of the process running it.
func (c *Context) Detach() {
	c.EndLogScope()
	c.Worker = nil
	c.detached = true
}

// EndLogScope ends the log scope c opened for its message, on c and on
// its worker; the scope reads c's message, so it must not outlive c's
// stay on the goroutine.
func (c *Context) EndLogScope() {
	if c.LogScope == nil {
		return
	}
	c.LogScope.End()
	if c.Worker != nil && c.Worker.LogScope == c.LogScope {
		c.Worker.LogScope = nil
	}
	c.LogScope = nil
}

// Detached reports whether c was detached and not resumed since.
func (c *Context) Detached() bool { return c.detached }

// Resume attaches a detached Context to w, the worker of the event that
// resumes it (t_continue runs on the worker that calls it).
func (c *Context) Resume(w *Worker) {
	c.Worker = w
	c.detached = false
}

// Get returns the event's data for k, or nil.
func (c *Context) Get(k Key) any {
	if int(k) < len(c.slots) {
		return c.slots[k]
	}
	return nil
}

// Set stores the event's data for k.
func (c *Context) Set(k Key, v any) {
	for int(k) >= len(c.slots) {
		c.slots = append(c.slots, nil)
	}
	c.slots[k] = v
}

// Reset clears per-event state so the Context can be reused for the next
// event on the same worker.
func (c *Context) Reset() {
	c.Event = ""
	c.Route = 0
	c.RC = 1
	c.Flags = 0
	c.Dropped = false
	c.serErr = serError{}
	c.detached = false
	c.LogPrefix = ""
	c.LogScope = nil
	c.LogRefresh = nil
	for i := range c.slots {
		c.slots[i] = nil
	}
}

// ScriptLog prints a script log line at lv, with the expanded log_prefix
// when the configuration has one with pseudo-variables.
func (c *Context) ScriptLog(lv klog.Level, msg string) {
	if c.Log == nil || !c.Log.Enabled(lv) {
		return
	}
	c.Log.LogPrefixed(lv, c.LogPrefix, "script", msg)
}

// Snapshot returns a detached copy of c that outlives the event: the same
// route type, return code, flags and log settings, and the same module
// data. Slot values are copied, so the stores behind them (maps, pointers:
// AVPs, XAVPs) are shared with c. A transaction keeps a snapshot of the
// request that made it, as Kamailio keeps the request and its AVP lists
// in the transaction, to run its failure and reply routes with.
func (c *Context) Snapshot() *Context {
	return &Context{Event: c.Event, Route: c.Route, RC: c.RC, Log: c.Log, LogPrefix: c.LogPrefix,
		Flags: c.Flags, slots: append([]any(nil), c.slots...), detached: true}
}

// CopyData sets c's module data to src's (the slot values, so stores are
// shared), except for the keys in except, which keep c's values.
func (c *Context) CopyData(src *Context, except ...Key) {
	keep := make([]any, len(except))
	for i, k := range except {
		keep[i] = c.Get(k)
	}
	c.slots = append(c.slots[:0], src.slots...)
	for i, k := range except {
		c.Set(k, keep[i])
	}
}
