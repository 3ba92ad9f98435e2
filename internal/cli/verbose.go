package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// verboseLayers wraps a layer progress callback so that --verbose prints
// one line per layer as it finishes, then passes every report on to next.
// Layers finish concurrently, so lines are written under a lock.
func verboseLayers(w io.Writer, next func(analyze.Progress)) func(analyze.Progress) {
	var mu sync.Mutex
	start := time.Now()
	return func(p analyze.Progress) {
		if next != nil {
			next(p)
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case p.Plan != nil:
			fmt.Fprintf(w, "strata: %d layers, %d history steps\n", len(p.Plan.Layers), len(p.Plan.History))
		case p.Done:
			from := "read"
			if p.Cached {
				from = "from cache"
			}
			if p.TOC != "" && !p.Cached {
				from = fmt.Sprintf("read from its %s table of contents (%s of the blob fetched by range; diff_id not checked, --full checks it)", p.TOC, units.Bytes(p.Fetched))
			}
			fmt.Fprintf(w, "strata: layer %d of %d %s: %s in %d files, %d entries (%s stored) at %s\n",
				p.Layer, p.Layers, from, units.Bytes(p.SizeBytes), p.Files, p.Entries, units.Bytes(p.Total), time.Since(start).Round(time.Millisecond))
			if p.Fallback != "" {
				fmt.Fprintf(w, "strata: layer %d streamed whole: %s\n", p.Layer, p.Fallback)
			}
		}
	}
}
