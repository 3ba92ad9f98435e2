package analyze

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// ErrDiffIDMismatch is wrapped by the error for a layer whose uncompressed
// content does not hash to the diff_id its config promises.
var ErrDiffIDMismatch = errors.New("diff_id mismatch")

// ErrDigestMismatch is wrapped by the error for an uncompressed layer whose
// bytes do not hash to the digest its manifest gives.
var ErrDigestMismatch = errors.New("digest mismatch")

// Image is the part of a v1.Image that Analyze reads. Every method but the
// layers' Compressed streams is expected to be cheap.
type Image interface {
	ConfigFile() (*v1.ConfigFile, error)
	ConfigName() (v1.Hash, error)
	Digest() (v1.Hash, error)
	Layers() ([]v1.Layer, error)
}

// Analyze reads every layer of img once and computes sizes, changes and
// waste. Layers are read concurrently and merged in order as they finish.
func Analyze(ctx context.Context, img Image, opts Options) (*Result, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if cfg == nil {
		return nil, errors.New("reading config: image has no config")
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	if n := len(cfg.RootFS.DiffIDs); n != len(layers) {
		return nil, fmt.Errorf("config lists %d diff_ids for %d layers", n, len(layers))
	}
	if len(layers) > MaxLayers {
		return nil, fmt.Errorf("image has %d layers; strata reads at most %d", len(layers), MaxLayers)
	}

	res := &Result{Tree: newTree(), Layers: make([]Layer, len(layers))}
	if err := describe(res, img, cfg, layers, opts.Reference); err != nil {
		return nil, err
	}
	// From here on only the diff_ids are needed: cfg, whose history res
	// now holds, is left to the collector (a long history is tens of MB).
	diffIDs := cfg.RootFS.DiffIDs
	if opts.Progress != nil {
		opts.Progress(Progress{Layers: len(layers), Plan: &Plan{
			Image: res.Image, Layers: slices.Clone(res.Layers), History: res.History,
		}})
	}

	// A stack of layers read before comes back whole from its image record.
	// Each layer's binding is read once: the image record needs them all,
	// and a layer record its own.
	imgKey := ""
	var bound []bool
	if opts.Cache != nil && !opts.HashFiles {
		imgKey = imageKey(diffIDs)
		bound = boundLayers(opts.Cache, res, diffIDs)
		var pkgNotes []string
		cached := false
		if !slices.Contains(bound, false) {
			pkgNotes, cached = fromImageCache(opts.Cache, res, imgKey)
		}
		if cached {
			if opts.VerifyCached {
				if err := verifyBlobs(ctx, layers, res, opts.concurrency()); err != nil {
					return nil, err
				}
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for i := range res.Layers {
				res.Layers[i].seek = &seekRef{cache: opts.Cache, diffID: diffIDs[i].String()}
			}
			for i, l := range res.Layers {
				if opts.Progress != nil {
					opts.Progress(Progress{Layer: i, Layers: len(res.Layers), Bytes: -1, Entries: len(l.Entries), Total: l.CompressedSizeBytes,
						Done: true, Cached: true, SizeBytes: l.SizeBytes, Files: l.FileCount})
				}
			}
			summarize(res)
			if n := estargzNote(res); n != "" {
				res.Notes = append(res.Notes, n)
			}
			res.Notes = append(res.Notes, pkgNotes...)
			return res, nil
		}
	}

	scans := make([]*layerScan, len(layers))
	done := make([]chan struct{}, len(layers))
	for i := range done {
		done[i] = make(chan struct{})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.concurrency())
	// Start readers from a separate goroutine: Go blocks at the limit, and
	// the merge below must run meanwhile.
	started := make(chan struct{})
	go func() {
		defer close(started)
		for i, l := range layers {
			if gctx.Err() != nil {
				return
			}
			g.Go(func() error {
				defer close(done[i])
				s, err := readLayer(gctx, i, l, res, diffIDs[i], bound != nil && bound[i], opts)
				scans[i] = s
				return err
			})
		}
	}()

	mg := &merger{t: res.Tree, layers: res.Layers}
	dbs := make([][]dbFile, len(layers)) // package databases, for attributePackages
	var mergeErr error
	fromTOC := false  // some layer was read from its table of contents
	var partial []int // layers whose files were not all scanned for secrets
merging:
	for i := range layers {
		select {
		case <-done[i]:
		case <-gctx.Done():
			mergeErr = gctx.Err()
			break merging
		}
		if scans[i] == nil { // its reader failed; g.Wait reports why
			break
		}
		if scans[i].note != "" {
			res.Notes = append(res.Notes, scans[i].note)
		}
		if scans[i].toc != tocNone {
			fromTOC = true
		}
		if scans[i].tocPartial {
			partial = append(partial, i)
		}
		mg.merge(i, scans[i])
		res.Layers[i].seek = scans[i].ref
		dbs[i] = scans[i].pkgdb
		scans[i] = nil
	}
	<-started
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if mergeErr != nil {
		return nil, mergeErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	summarize(res)
	if n := estargzNote(res); n != "" {
		res.Notes = append(res.Notes, n)
	}
	if n := tocNote(partial); n != "" {
		res.Notes = append(res.Notes, n)
	}
	pkgNotes := attributePackages(res, dbs)
	res.Notes = append(res.Notes, pkgNotes...)
	// An image record answers for layers read and verified; one read from
	// a TOC was not checked against its diff_id (see readTOCLayer).
	if imgKey != "" && !opts.NoVerify && !fromTOC {
		// Every layer was verified, read or cached; a failed store only
		// costs the next run the layer records.
		_ = opts.Cache.Store(imgKey, func(w io.Writer) error { return encodeImage(w, res, imgKey, pkgNotes) })
	}
	return res, nil
}

// boundLayers reports, per layer, whether the cache binds its blob to its
// diff_id (see BindingKeyPrefix): only then may a record answer for it.
func boundLayers(c LayerCache, res *Result, diffIDs []v1.Hash) []bool {
	bound := make([]bool, len(res.Layers))
	for i, l := range res.Layers {
		bound[i] = hasBinding(c, l.Digest, diffIDs[i])
	}
	return bound
}

// verifyBlobs is verifyBlob for every layer, a few at a time.
func verifyBlobs(ctx context.Context, layers []v1.Layer, res *Result, limit int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, l := range layers {
		g.Go(func() error { return verifyBlob(gctx, i, l, res.Layers[i].Digest, res.Layers[i].CompressedSizeBytes) })
	}
	return g.Wait()
}

// fromImageCache fills res from the image record under key and reports
// whether there was a sound one, with the notes its packages had.
func fromImageCache(c LayerCache, res *Result, key string) ([]string, bool) {
	rc, err := c.Open(key)
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	notes, err := decodeImage(rc, res, key)
	return notes, err == nil
}

// readLayer scans layer i and checks it against its diff_id.
func readLayer(ctx context.Context, i int, l v1.Layer, res *Result, want v1.Hash, bound bool, opts Options) (*layerScan, error) {
	name := res.Layers[i].Digest
	var report func(int64, int)
	if opts.Progress != nil {
		total := res.Layers[i].CompressedSizeBytes
		n := len(res.Layers)
		report = func(b int64, e int) {
			opts.Progress(Progress{Layer: i, Layers: n, Bytes: b, Entries: e, Total: total})
		}
	}
	// Cache records do not carry file hashes, so with HashFiles the cache is
	// neither read nor written: every layer is streamed again.
	cache := opts.Cache
	if opts.HashFiles {
		cache = nil
	}
	if s := fromCache(cache, res.Tree, want, bound); s != nil {
		s.ref = &seekRef{cache: cache, diffID: want.String()}
		if opts.VerifyCached {
			if err := verifyBlob(ctx, i, l, name, res.Layers[i].CompressedSizeBytes); err != nil {
				return nil, err
			}
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Layer: i, Layers: len(res.Layers), Bytes: -1, Entries: len(s.entries) + len(s.whiteouts), Total: res.Layers[i].CompressedSizeBytes, Done: true, Cached: true, SizeBytes: s.size, Files: s.files})
		}
		return s, nil
	}
	s, fallback, err := tocLayerScan(ctx, i, l, res, cache, opts)
	if s != nil || err != nil {
		return s, err
	}
	// Fewer layers than cores leave cores a zstd stream can use.
	decoders := max(1, opts.concurrency()/max(1, len(res.Layers)))
	// Gzip checkpoints are recorded only for someone to use them: the
	// cache, for the explorer's later runs, or this run's own file reads.
	index := (cache != nil && !opts.NoVerify) || opts.ReadsFiles // unverified layers are not stored
	s, err = scanLayer(ctx, l, res.Tree, !opts.NoVerify, opts.HashFiles, index, report, decoders)
	if err != nil {
		return nil, fmt.Errorf("reading layer %d (%s): %w", i, name, err)
	}
	if !opts.NoVerify && s.diffID != want {
		if s.paddedDiffID != want {
			return nil, fmt.Errorf("reading layer %d (%s): %w: config says %s, content is %s (--no-verify skips this check)", i, name, ErrDiffIDMismatch, want, s.diffID)
		}
		s.note = fmt.Sprintf("layer %d (%s): stored stream lacks the tar's trailing record padding; the diff_id matches once it is restored", i, name)
	}
	// A compressed blob is not hashed again: the diff_id check covers every
	// byte the analysis reads, and the cache is keyed by diff_id. A registry
	// blob is still checked against its digest as it arrives, by
	// go-containerregistry. A plain tar's digest is its diff_id, so that
	// check is free.
	if !opts.NoVerify && s.plainTar && s.diffID.String() != name {
		return nil, fmt.Errorf("reading layer %d (%s): %w: blob is %s", i, name, ErrDigestMismatch, s.diffID)
	}
	if cache != nil && s.diffID == want {
		// A failed store only costs the next run a re-read.
		_ = cache.Store(want.String(), func(w io.Writer) error { return encodeScan(w, res.Tree, want.String(), s) })
		storeBinding(cache, name, want)
		s.ref = keepSeek(cache, want.String(), s.seek)
	} else if opts.ReadsFiles {
		s.ref = keepSeek(nil, "", s.seek)
	}
	s.seek = nil
	if opts.Progress != nil {
		opts.Progress(Progress{Layer: i, Layers: len(res.Layers), Bytes: -1, Entries: len(s.entries) + len(s.whiteouts), Total: res.Layers[i].CompressedSizeBytes, Done: true, SizeBytes: s.size, Files: s.files, Fallback: fallback})
	}
	return s, nil
}

// fromCache returns the cached scan of the layer with diffID want, or nil.
// Only records for a verified diffID are ever stored, decodeScan checks the
// record's own checksum, and the caller says whether the layer's blob is
// bound to want (see BindingKeyPrefix), so that the layer at hand is the
// one verified.
func fromCache(c LayerCache, t *Tree, want v1.Hash, bound bool) *layerScan {
	if c == nil || !bound {
		return nil
	}
	rc, err := c.Open(want.String())
	if err != nil {
		return nil
	}
	defer rc.Close()
	s, err := decodeScan(rc, t, want.String())
	if err != nil {
		return nil
	}
	s.diffID = want
	return s
}

// describe fills in everything that comes from the manifest and config
// rather than from layer contents.
func describe(res *Result, img Image, cfg *v1.ConfigFile, layers []v1.Layer, ref string) error {
	res.Image.Reference = ref
	if h, err := img.ConfigName(); err == nil {
		res.Image.ConfigDigest = h.String()
	} else {
		return fmt.Errorf("reading config digest: %w", err)
	}
	if h, err := img.Digest(); err == nil {
		res.Image.Digest = h.String()
	} else {
		return fmt.Errorf("reading manifest digest: %w", err)
	}
	res.Image.Platform = platformOf(cfg)
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return fmt.Errorf("reading layer %d digest: %w", i, err)
		}
		size, err := l.Size()
		if err != nil {
			return fmt.Errorf("reading layer %d (%s) size: %w", i, d, err)
		}
		res.Layers[i] = Layer{Index: i, Digest: d.String(), DiffID: cfg.RootFS.DiffIDs[i].String(), CompressedSizeBytes: size}
	}
	res.History = history(cfg, res.Layers)
	return nil
}

// history is the config's build steps, each tied to the layer it made;
// each layer's Command is set from its step.
func history(cfg *v1.ConfigFile, layers []Layer) []HistoryEntry {
	next := 0
	out := make([]HistoryEntry, 0, len(cfg.History))
	for _, h := range cfg.History {
		he := HistoryEntry{CreatedBy: h.CreatedBy, Created: h.Created.Time, Comment: h.Comment, EmptyLayer: h.EmptyLayer, LayerIndex: -1}
		if !h.EmptyLayer && next < len(layers) {
			he.LayerIndex = next
			layers[next].Command = h.CreatedBy
			next++
		}
		out = append(out, he)
	}
	return out
}

// ConfigPlan is the Plan a config alone gives, before the manifest is
// known: the history and the layers with their diff_ids and commands, but
// no digests or stored sizes. A source that streams an image (a daemon's
// save) can show it while the rest of the stream is still arriving.
func ConfigPlan(cfg *v1.ConfigFile, ref string) *Plan {
	p := &Plan{Image: Summary{Reference: ref, Platform: platformOf(cfg)}, Layers: make([]Layer, len(cfg.RootFS.DiffIDs))}
	for i, d := range cfg.RootFS.DiffIDs {
		p.Layers[i] = Layer{Index: i, DiffID: d.String()}
	}
	p.History = history(cfg, p.Layers)
	return p
}

func platformOf(cfg *v1.ConfigFile) string {
	if cfg.OS == "" && cfg.Architecture == "" {
		return ""
	}
	p := cfg.OS + "/" + cfg.Architecture
	if cfg.Variant != "" {
		p += "/" + cfg.Variant
	}
	return p
}

// summarize derives waste and image totals once every layer is merged.
func summarize(res *Result) {
	t := res.Tree
	wasted := map[NodeID]*WastedFile{}
	var order []NodeID
	im := &res.Image
	var userSize int64
	for i := range res.Layers {
		l := &res.Layers[i]
		for _, e := range l.Entries {
			if !e.Wasted() {
				continue
			}
			l.WastedBytes += e.Size
			w := wasted[e.Node]
			if w == nil {
				w = &WastedFile{Path: t.Path(e.Node)}
				wasted[e.Node] = w
				order = append(order, e.Node)
			}
			w.WastedBytes += e.Size
			if n := len(w.Layers); n == 0 || w.Layers[n-1] != i {
				w.Layers = append(w.Layers, i)
			}
			if h := int(e.HiddenAt); !slices.Contains(w.HiddenBy, h) {
				w.HiddenBy = append(w.HiddenBy, h)
			}
		}
		im.SizeBytes += l.SizeBytes
		im.CompressedSizeBytes += l.CompressedSizeBytes
		im.WastedBytes += l.WastedBytes
		if i > 0 {
			userSize += l.SizeBytes
			im.UserWastedBytes += l.WastedBytes
		}
	}
	for id := range t.Len() {
		if ref, ok := t.Final(NodeID(id)); ok && res.Layers[ref.Layer].Entries[ref.Index].Kind != KindDir {
			im.FileCount++
		}
	}
	im.Efficiency = 1
	if im.SizeBytes > 0 {
		im.Efficiency = 1 - float64(im.WastedBytes)/float64(im.SizeBytes)
	}
	if userSize > 0 {
		im.UserWastedPercent = float64(im.UserWastedBytes) / float64(userSize)
	}
	res.Secrets = collectSecrets(res)
	res.WastedFiles = make([]WastedFile, 0, len(order))
	for _, id := range order {
		w := wasted[id]
		slices.Sort(w.HiddenBy) // copies are visited by layer, not by the layer that hid them
		res.WastedFiles = append(res.WastedFiles, *w)
	}
	sort.SliceStable(res.WastedFiles, func(a, b int) bool {
		wa, wb := res.WastedFiles[a], res.WastedFiles[b]
		if wa.WastedBytes != wb.WastedBytes {
			return wa.WastedBytes > wb.WastedBytes
		}
		return wa.Path < wb.Path
	})
}
