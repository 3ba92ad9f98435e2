package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/dockerfile"
	"github.com/strata-cli/strata/report"
	"github.com/strata-cli/strata/source"
)

// observers are what a command watches while an image is read: where it
// came from, how far a daemon or registry fetch has got, and each layer
// as it is analysed. Any of them may be nil.
type observers struct {
	used    func(source.Origin)
	fetched func(source.Progress)
	layer   func(analyze.Progress)
	// plan hears the history of a streamed archive (a daemon's save, a
	// pipe) as soon as its config has arrived, before the analysis' own.
	plan  func(*analyze.Plan)
	notes func([]string) // the analysis's Result.Notes
}

// session is one image opened and analysed for a command. Every command
// that reads an image goes through it, so that they cannot drift apart:
// it opens the image from its source (or a container, its writable layer
// on top), analyses it with the command's options and the layer cache,
// keeps it open for the explorer's file viewer and extraction, which run
// on other goroutines than the load, and closes it.
type session struct {
	opts loadOptions

	mu     sync.Mutex
	img    v1.Image
	layers []v1.Layer
	res    *analyze.Result
	// provenance is the BuildKit provenance the source found beside the
	// image, when no --dockerfile was given: it may hold the Dockerfile.
	provenance []byte

	// extracting counts the files being saved, so that close can wait for
	// an interrupted one to remove its temporary file.
	extracting sync.WaitGroup
}

func newSession(o loadOptions) *session { return &session{opts: o} }

func (s *session) sourceOptions() source.Options {
	return source.Options{
		Platform:      s.opts.platform,
		Source:        s.opts.source,
		SourceDefault: s.opts.sourceDefault,
		Stdin:         s.opts.stdin,
		Insecure:      s.opts.insecure,
		// One knob for both: users think of "how long may a registry
		// stall", not of which phase of a response it stalls in.
		RegistryHeaderTimeout: s.opts.registryTimeout,
		RegistryIdleTimeout:   s.opts.registryTimeout,
		Progress:              s.opts.obs.fetched,
		Used:                  s.opts.obs.used,
		Config:                s.configSeen(),
	}
}

// configSeen passes a config spotted in a stream on as a Plan, or is nil
// when nobody listens.
func (s *session) configSeen() func(*v1.ConfigFile) {
	plan := s.opts.obs.plan
	if plan == nil {
		return nil
	}
	return func(cfg *v1.ConfigFile) { plan(analyze.ConfigPlan(cfg, "")) }
}

// open reads the image ref names and analyses it.
func (s *session) open(ctx context.Context, ref string) (*analyze.Result, error) {
	o := s.sourceOptions()
	if s.opts.dockerfile == "" {
		o.Provenance = func(b []byte) { s.provenance = b }
	}
	img, err := source.Open(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	return s.analyze(ctx, img, ref)
}

// openContainer reads a container: its image with the writable layer on
// top, analysed under the container's name.
func (s *session) openContainer(ctx context.Context, ref string) (*analyze.Result, source.ContainerInfo, error) {
	img, info, err := source.OpenContainer(ctx, ref, s.sourceOptions())
	if err != nil {
		return nil, info, err
	}
	res, err := s.analyze(ctx, img, report.ContainerReference(reportContainer(info)))
	return res, info, err
}

// analyze reads img, which the session then holds (and closes).
func (s *session) analyze(ctx context.Context, img v1.Image, ref string) (*analyze.Result, error) {
	layers, err := img.Layers()
	if err != nil {
		source.Close(img)
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	// The Dockerfile is read first: a typo in its path should not wait
	// for a multi-gigabyte image to be read.
	var df *dockerfile.File
	if s.opts.dockerfile != "" {
		if df, err = dockerfile.ReadFile(s.opts.dockerfile); err != nil {
			source.Close(img)
			return nil, err
		}
	}
	opts := analyze.Options{Reference: ref, NoVerify: s.opts.noVerify, Full: s.opts.full, TOCContent: s.opts.tocContent, HashFiles: s.opts.hashFiles, ReadsFiles: s.opts.readsFiles, Progress: s.opts.obs.layer}
	if c := s.opts.cache.open(); c != nil {
		opts.Cache, opts.VerifyCached = c, s.opts.cache.verify
	}
	res, err := analyze.Analyze(ctx, img, opts)
	if err != nil {
		source.Close(img)
		return nil, err
	}
	switch {
	case df != nil:
		df.Apply(res)
	case s.provenance != nil:
		// The Dockerfile BuildKit recorded, with no flag: a provenance
		// without one (mode=min) is common and worth no remark.
		p, err := dockerfile.ReadProvenance(s.provenance)
		switch {
		case err == nil:
			p.Apply(res)
		case !errors.Is(err, dockerfile.ErrNoSource):
			res.Notes = append(res.Notes, err.Error()+"; the steps are shown without Dockerfile lines")
		}
	}
	if s.opts.obs.notes != nil && len(res.Notes) > 0 {
		s.opts.obs.notes(res.Notes)
	}
	s.mu.Lock()
	s.img, s.layers, s.res = img, layers, res
	s.mu.Unlock()
	return res, nil
}

// close releases the image: daemon images hold a temporary file,
// registry images connections. It first waits for files being saved; the
// explorer has ended their context by then, so they stop promptly.
func (s *session) close() {
	s.extracting.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.img != nil {
		source.Close(s.img)
		s.img = nil
	}
}

// openFile streams the content of path as layer stores it. A hard link is
// followed to the entry it names, as the filesystem stacked up to that
// layer shows it.
func (s *session) openFile(ctx context.Context, layer int, path string) (io.ReadCloser, error) {
	f, err := s.resolveFile(layer, path)
	if err != nil {
		return nil, err
	}
	return f.open(ctx)
}

// storedFile is where a file's content is stored: entry index of the
// layer whose blob is blob and whose analysis is record.
type storedFile struct {
	layer  int // the index of blob among the image's layers
	blob   v1.Layer
	record analyze.Layer
	index  int
	entry  analyze.Entry
}

func (f storedFile) open(ctx context.Context) (io.ReadCloser, error) {
	return analyze.OpenEntry(ctx, f.blob, f.record, f.index)
}

// resolveFile finds the entry path is at layer, hard links followed.
func (s *session) resolveFile(layer int, path string) (storedFile, error) {
	s.mu.Lock()
	res, layers := s.res, s.layers
	s.mu.Unlock()
	if res == nil || layer < 0 || layer >= len(layers) {
		return storedFile{}, errors.New("the image is not loaded")
	}
	for hops := 0; hops < 8; hops++ {
		l, idx, ok := res.EntryAt(layer, path)
		if !ok {
			return storedFile{}, fmt.Errorf("%s is not in layer %d", path, layer)
		}
		e := res.Layers[l].Entries[idx]
		if e.Kind != analyze.KindHardlink {
			return storedFile{layer: l, blob: layers[l], record: res.Layers[l], index: idx, entry: e}, nil
		}
		path = res.Tree.LinkTarget(e)
	}
	return storedFile{}, fmt.Errorf("%s: too many hard links", path)
}
