package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"time"

	rolegate "github.com/rolegate/rolegate/bindings/go"
)

// FileWatcher reloads a file when its content changes: it polls (content
// digest, so atomic renames, in-place rewrites and Kubernetes ConfigMap
// symlink swaps are all seen), and also reloads on demand (SIGHUP). A file
// that fails to apply is logged and the one in service stays in service; a
// half-written file is just a bad file that the next poll gets right.
type FileWatcher struct {
	Name     string // "bundle", "tokens": for the log
	Path     string
	Interval time.Duration
	Limit    int64 // the largest file accepted (ReadFileCapped)
	Apply    func(data []byte) (attrs []any, err error)
	// Unreadable, when set, is told each time the file cannot be read (gone,
	// not a regular file, too large): the token file fails closed there.
	Unreadable func(err error)
	// Result, when set, is told the outcome of every apply (for metrics).
	Result func(ok bool)
	Log    *slog.Logger

	last    [sha256.Size]byte
	lastErr string
}

// Prime records data as the content in service (applied by the caller).
func (w *FileWatcher) Prime(data []byte) { w.last = sha256.Sum256(data) }

// Load reads and applies the file now, whether or not it changed.
func (w *FileWatcher) Load() error {
	data, err := ReadFileCapped(w.Path, w.Limit)
	if err != nil {
		return err
	}
	w.last = sha256.Sum256(data)
	_, err = w.Apply(data)
	return err
}

// Poll applies the file if its content changed since the last attempt.
func (w *FileWatcher) Poll() {
	data, err := ReadFileCapped(w.Path, w.Limit)
	if err != nil {
		w.last = [sha256.Size]byte{} // a file put back unchanged must be applied again
		if w.Unreadable != nil {
			w.Unreadable(err)
		}
		if msg := err.Error(); msg != w.lastErr { // once per distinct error
			w.lastErr = msg
			what := "; the one in service stays"
			if w.Unreadable != nil {
				what = "; failing closed"
			}
			w.Log.Error(w.Name+" file unreadable"+what, "path", w.Path, "error", msg)
			if w.Result != nil {
				w.Result(false)
			}
		}
		return
	}
	w.lastErr = ""
	sum := sha256.Sum256(data)
	if sum == w.last {
		return
	}
	w.last = sum
	start := time.Now()
	attrs, err := w.Apply(data)
	if w.Result != nil {
		w.Result(err == nil)
	}
	if err != nil {
		args := []any{"path", w.Path, "error", err.Error()}
		var be *rolegate.BundleError
		if errors.As(err, &be) {
			var diags []string
			for _, d := range be.Errors() {
				diags = append(diags, d.String())
			}
			args = append(args, "diagnostics", diags)
		}
		what := "; the one in service stays in service"
		if w.Unreadable != nil {
			what = "; failing closed"
		}
		w.Log.Error(w.Name+" rejected"+what, args...)
		return
	}
	args := append([]any{"path", w.Path, "took_ms", float64(time.Since(start).Microseconds()) / 1000}, attrs...)
	w.Log.Info(w.Name+" published", args...)
}

// Run polls every Interval, and at once on kick, until ctx ends.
func (w *FileWatcher) Run(ctx context.Context, kick <-chan struct{}) {
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		w.Poll()
	}
}
