package event

import "context"

// Pool is a fixed set of workers. An event runs on a worker taken from the
// pool and gives it back when done, so at most Size events run at once and
// each worker's $var values persist across the events it runs, as in a
// Kamailio worker process. The core's SIP workers (`children`) are one
// pool; a module with processes of its own (evapi's dispatcher and
// workers) has its own pools.
type Pool struct {
	free chan *Worker
	size int
}

// NewPool returns a pool of n workers (at least one) with IDs first,
// first+1, ....
func NewPool(n, first int) *Pool {
	if n < 1 {
		n = 1
	}
	p := &Pool{free: make(chan *Worker, n), size: n}
	for i := 0; i < n; i++ {
		p.free <- NewWorker(first + i)
	}
	return p
}

// Size returns the number of workers.
func (p *Pool) Size() int { return p.size }

// Acquire waits for a free worker. It fails only when ctx ends first.
func (p *Pool) Acquire(ctx context.Context) (*Worker, error) {
	select {
	case w := <-p.free:
		return w, nil
	default:
	}
	select {
	case w := <-p.free:
		return w, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Get waits for a free worker, with no way out: for callers whose events
// must run (a frame already read).
func (p *Pool) Get() *Worker { return <-p.free }

// TryAcquire returns a free worker if there is one now.
func (p *Pool) TryAcquire() (*Worker, bool) {
	select {
	case w := <-p.free:
		return w, true
	default:
		return nil, false
	}
}

// Release gives w back. w must have come from this pool.
func (p *Pool) Release(w *Worker) { p.free <- w }
