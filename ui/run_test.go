package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestRun drives the real program end to end: it starts, draws, and quits
// on "q" read from its input.
func TestRun(t *testing.T) {
	res := fixture(t)
	err := Run(context.Background(), res, Options{Input: strings.NewReader("jjq"), Output: io.Discard, Theme: ThemeMono})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunLoads(t *testing.T) {
	res := fixture(t)
	loaded := make(chan struct{})
	pr, pw := io.Pipe()
	load := func(ctx context.Context, r Reporter) (*analyze.Result, error) {
		progress := r.Progress
		progress(analyze.Progress{Layer: 0, Layers: 3, Bytes: 10, Entries: 1})
		close(loaded)
		return res, nil
	}
	go func() {
		<-loaded
		pw.Write([]byte("q"))
	}()
	if err := Run(context.Background(), nil, Options{Load: load, Input: pr, Output: io.Discard, Theme: ThemeMono}); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunNeedsSomething(t *testing.T) {
	if err := Run(context.Background(), nil, Options{}); err == nil {
		t.Fatal("Run with nothing to show succeeded")
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, _ := io.Pipe()
	load := func(ctx context.Context, _ Reporter) (*analyze.Result, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}
	err := Run(ctx, nil, Options{Load: load, Input: pr, Output: io.Discard, Theme: ThemeMono})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}
