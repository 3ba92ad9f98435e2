package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/source"
)

func TestProgressLine(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	newLine := func(tty bool) (*progressLine, *bytes.Buffer) {
		var b bytes.Buffer
		p := newProgressLine(&b, tty)
		p.now = func() time.Time { return clock }
		return p, &b
	}

	t.Run("plain lines every few seconds", func(t *testing.T) {
		p, b := newLine(false)
		p.used(source.Origin{Kind: source.KindRegistry, Endpoint: "http://127.0.0.1:5000"})
		clock = clock.Add(time.Second)
		p.fetched(source.Progress{Done: 10_000_000, Total: 40_000_000})
		if b.Len() != 0 {
			t.Fatalf("printed %q within the first seconds", b)
		}
		clock = clock.Add(plainEvery)
		p.fetched(source.Progress{Done: 30_000_000, Total: 40_000_000})
		p.layer(analyze.Progress{Layer: 0, Layers: 2, Done: true})
		p.finish()
		if got, want := b.String(), "strata: registry: 30 MB / 40 MB, 5.0 MB/s\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("terminal line redrawn and cleared", func(t *testing.T) {
		p, b := newLine(true)
		p.used(source.Origin{Kind: source.KindDocker, Endpoint: "unix:///var/run/docker.sock"})
		clock = clock.Add(time.Second)
		p.fetched(source.Progress{Done: 1_000_000, Total: 2_000_000})
		clock = clock.Add(time.Second)
		p.fetched(source.Progress{Done: 2_000_000, Total: 2_000_000, Final: true})
		p.finish()
		want := "\r\x1b[Kstrata: docker: 1.0 MB / ~2.0 MB, 1.0 MB/s" +
			"\r\x1b[Kstrata: docker: 2.0 MB / 2.0 MB, 1.0 MB/s" + "\r\x1b[K"
		if got := b.String(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("files are not fetched", func(t *testing.T) {
		p, b := newLine(true)
		p.used(source.Origin{Kind: source.KindDockerArchive, Endpoint: "app.tar"})
		clock = clock.Add(time.Minute)
		p.layer(analyze.Progress{Layers: 1, Done: true})
		p.finish()
		if b.Len() != 0 {
			t.Errorf("printed %q for a local archive", b)
		}
	})
}
