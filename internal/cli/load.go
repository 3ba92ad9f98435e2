package cli

import (
	"context"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/source"
)

// openAndAnalyze opens the image and reads every layer of it.
func openAndAnalyze(ctx context.Context, ref string, o loadOptions) (*analyze.Result, error) {
	img, err := source.Open(ctx, ref, source.Options{
		Platform: o.platform,
		Source:   o.source,
		Insecure: o.insecure,
		Progress: o.fetchProgress,
		Used:     o.used,
	})
	if err != nil {
		return nil, err
	}
	// Daemon images hold a temporary file, registry images connections.
	defer source.Close(img)
	opts := analyze.Options{Reference: ref, NoVerify: o.noVerify, HashFiles: o.hashFiles, Progress: o.layerProgress}
	if c := o.cache.open(); c != nil {
		opts.Cache = c
	}
	return analyze.Analyze(ctx, img, opts)
}
