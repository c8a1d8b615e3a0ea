// Package watch owns config file watching for hot reload: it watches the
// directories of a configuration and of every file it includes (so editors
// that replace files by renaming are seen), filters events to those files,
// and calls back once per burst of changes.
package watch

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long a burst of file events must stay quiet
// before the callback runs.
const DefaultDebounce = 150 * time.Millisecond

// Watcher watches a set of files.
type Watcher struct {
	fs       *fsnotify.Watcher
	debounce time.Duration
	mu       sync.Mutex
	files    map[string]bool // absolute paths of interest
	dirs     map[string]bool // directories being watched
	onError  func(error)
}

// New returns a watcher; debounce 0 means DefaultDebounce. onError, when
// not nil, receives watcher errors (they never stop the watch).
func New(debounce time.Duration, onError func(error)) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	return &Watcher{fs: fw, debounce: debounce, files: map[string]bool{}, dirs: map[string]bool{}, onError: onError}, nil
}

// SetFiles replaces the set of watched files (after a reload the include
// set may have changed). Directories no longer needed are released.
func (w *Watcher) SetFiles(files []string) error {
	want := map[string]bool{}
	wantDirs := map[string]bool{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		want[abs] = true
		wantDirs[filepath.Dir(abs)] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for d := range wantDirs {
		if !w.dirs[d] {
			if err := w.fs.Add(d); err != nil {
				return err
			}
			w.dirs[d] = true
		}
	}
	for d := range w.dirs {
		if !wantDirs[d] {
			_ = w.fs.Remove(d)
			delete(w.dirs, d)
		}
	}
	w.files = want
	return nil
}

func (w *Watcher) interesting(name string) bool {
	abs, err := filepath.Abs(name)
	if err != nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.files[abs]
}

// Run delivers change notifications to onChange until ctx ends, then closes
// the watcher. onChange runs on Run's goroutine, one call at a time; events
// that arrive while it runs start a new burst.
func (w *Watcher) Run(ctx context.Context, onChange func()) {
	defer w.fs.Close()
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod || !w.interesting(ev.Name) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(w.debounce)
			} else {
				if !timer.Stop() {
					select {
					case <-timer.C:
					default:
					}
				}
				timer.Reset(w.debounce)
			}
			fire = timer.C
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			if w.onError != nil {
				w.onError(err)
			}
		case <-fire:
			fire = nil
			onChange()
		}
	}
}
