package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
	"github.com/strata-cli/strata/source"
)

// progressLine shows how a fetch from a daemon or a registry is going, on
// stderr. On a terminal it is one line, redrawn at most every redrawEvery;
// elsewhere (a CI log, a test) it is a plain line every plainEvery, the
// first after plainEvery, so a fetch shorter than that prints nothing.
// Reading local files is not shown: it is as fast as the analysis itself.
type progressLine struct {
	w   io.Writer
	tty bool
	now func() time.Time

	mu         sync.Mutex
	origin     string // "docker", "registry", ...
	start      time.Time
	last       time.Time // last draw
	done       int64
	total      int64
	estimate   bool // total is the daemon's guess
	layers     int
	layersDone int
	drawn      bool // a terminal line is on screen
}

const (
	redrawEvery = 100 * time.Millisecond
	plainEvery  = 5 * time.Second
)

func newProgressLine(w io.Writer, tty bool) *progressLine {
	return &progressLine{w: w, tty: tty, now: time.Now}
}

// used records where the image comes from; only daemons and registries
// are fetched, so only they get a progress line.
func (p *progressLine) used(o source.Origin) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch o.Kind {
	case source.KindDocker, source.KindPodman, source.KindRegistry:
		p.origin = string(o.Kind)
		p.start = p.now()
		p.last = p.start
		p.estimate = o.Kind != source.KindRegistry
	}
}

// fetched implements source.Options.Progress.
func (p *progressLine) fetched(sp source.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.origin == "" {
		return
	}
	p.done, p.total = sp.Done, sp.Total
	if sp.Final {
		p.estimate = false
	}
	p.drawLocked(false)
}

// layer implements analyze.Options.Progress. It counts finished layers;
// a layer answered from the cache is never fetched, so its size leaves the
// registry total.
func (p *progressLine) layer(ap analyze.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.origin == "" || !ap.Done {
		return
	}
	p.layers = ap.Layers
	p.layersDone++
	if ap.Cached && p.origin == string(source.KindRegistry) {
		p.total -= ap.Total
	}
	p.drawLocked(false)
}

// finish clears the terminal line, so that the report starts clean.
func (p *progressLine) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *progressLine) drawLocked(force bool) {
	t := p.now()
	every := plainEvery
	if p.tty {
		every = redrawEvery
	}
	if !force && t.Sub(p.last) < every {
		return
	}
	p.last = t
	line := p.textLocked(t)
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
		p.drawn = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// textLocked renders e.g. "strata: registry: 120 MB / 300 MB, 45 MB/s,
// layers 3/7".
func (p *progressLine) textLocked(t time.Time) string {
	s := fmt.Sprintf("strata: %s: %s", p.origin, units.Bytes(p.done))
	if p.total > 0 {
		tilde := ""
		if p.estimate {
			tilde = "~"
		}
		s += " / " + tilde + units.Bytes(p.total)
	}
	if secs := t.Sub(p.start).Seconds(); secs > 0 {
		s += fmt.Sprintf(", %s/s", units.Bytes(int64(float64(p.done)/secs)))
	}
	if p.layers > 0 {
		s += fmt.Sprintf(", layers %d/%d", p.layersDone, p.layers)
	}
	return s
}
