package steps

import (
	"context"

	"github.com/heidi-cli/heidi/probe"
)

// ModelsFuture is `opencode models openai` started ahead of need: on a
// healthy re-run the list is what the run ends with, so it can run while
// the prerequisites are checked instead of after them (issue 17, figure 8).
type ModelsFuture struct {
	done   chan struct{}
	models []string
	err    error
	cancel context.CancelFunc
}

// StartModelsIfKept starts ListModels now when a usable login is stored
// (the run will likely keep it and end with this list), else returns nil:
// without a login the list is not the one the run will show.
func StartModelsIfKept(ctx context.Context, d Deps) *ModelsFuture {
	if !UsableLogin(probe.InspectAuth(d.Sys, d.Paths)) {
		return nil
	}
	return StartModels(ctx, d)
}

// StartModels starts ListModels now.
func StartModels(ctx context.Context, d Deps) *ModelsFuture {
	ctx, cancel := context.WithCancel(ctx)
	f := &ModelsFuture{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(f.done)
		f.models, f.err = ListModels(ctx, d)
	}()
	return f
}

// Wait returns the list once it is there.
func (f *ModelsFuture) Wait() ([]string, error) {
	<-f.done
	return f.models, f.err
}

// Stop ends the call without waiting for it (the runner still reaps it).
// A nil future is a no-op.
func (f *ModelsFuture) Stop() {
	if f != nil {
		f.cancel()
	}
}

// Cancel ends the call when its answer is no longer wanted (a login or a
// config repair changes the list) and waits for it to be gone.
func (f *ModelsFuture) Cancel() {
	if f == nil {
		return
	}
	f.cancel()
	<-f.done
}
