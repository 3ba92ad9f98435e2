package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	imagesapi "github.com/containerd/containerd/api/services/images/v1"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// containerdSet is what an ImageSet of one containerd namespace reads
// from: the connection, and each image's target, by the set's index.
type containerdSet struct {
	c       *containerdConn
	ns      string
	targets []v1.Descriptor
}

// openContainerdSet lists the images of containerd namespace ns (empty:
// CONTAINERD_NAMESPACE, else default) that match every filter. Nothing is
// saved: each image is read from the content store when asked for, and a
// layer that several images share is the same blob in the store.
func openContainerdSet(ctx context.Context, ns string, filters []string, opts Options) (*ImageSet, error) {
	match, err := containerdFilter(filters)
	if err != nil {
		return nil, err
	}
	c, err := dialContainerd(ctx, containerdSocket())
	if err != nil {
		return nil, err
	}
	if ns == "" {
		ns = os.Getenv("CONTAINERD_NAMESPACE")
	}
	if ns == "" {
		ns = defaultContainerdNamespace
	}
	if !slices.Contains(c.spaces, ns) {
		c.Close()
		return nil, markErr(ErrNotFound, nil, fmt.Sprintf("containerd at %s has no namespace %s (it has: %s)", c.addr, ns, strings.Join(c.spaces, ", ")))
	}
	res, err := c.images.List(withNamespace(ctx, ns), &imagesapi.ListImagesRequest{})
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("listing images in containerd namespace %s: %w", ns, err)
	}
	// Several records may point at one target (a tag, a digest reference,
	// the image ID record Kubernetes adds): that is one image.
	byTarget := map[string]int{}
	cs := &containerdSet{c: c, ns: ns}
	s := &ImageSet{Origin: c.origin(ns), opts: opts, ctrd: cs, release: c.Close}
	var names [][]string
	for _, im := range res.Images {
		if !match(im) {
			continue
		}
		d, err := descriptorOf(im)
		if err != nil {
			c.Close()
			return nil, err
		}
		i, ok := byTarget[d.Digest.String()]
		if !ok {
			i = len(cs.targets)
			byTarget[d.Digest.String()] = i
			cs.targets = append(cs.targets, d)
			names = append(names, nil)
			s.Images = append(s.Images, DaemonImage{ID: d.Digest.String(), Created: im.CreatedAt.AsTime()})
		}
		names[i] = append(names[i], im.Name)
	}
	for i := range s.Images {
		s.Images[i].Tags = containerdTags(names[i])
	}
	// Sorted as the daemons' sets are, the targets following their images.
	order := make([]int, len(s.Images))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return compareDaemonImages(s.Images[a], s.Images[b]) })
	imgs, targets := make([]DaemonImage, len(order)), make([]v1.Descriptor, len(order))
	for i, j := range order {
		imgs[i], targets[i] = s.Images[j], cs.targets[j]
	}
	s.Images, cs.targets = imgs, targets
	opts.used(s.Origin)
	return s, nil
}

// containerdTags are the names to show for the records of one image: the
// tagged names, else the digest references; never the sha256:ID record
// Kubernetes keeps, which only repeats the image ID.
func containerdTags(names []string) []string {
	var tags, digests []string
	for _, n := range names {
		switch {
		case strings.HasPrefix(n, "sha256:"):
		case strings.Contains(n, "@"):
			digests = append(digests, n)
		default:
			tags = append(tags, n)
		}
	}
	if len(tags) == 0 {
		tags = digests
	}
	slices.Sort(tags)
	return slices.Compact(tags)
}

// containerdFilter turns the docker images --filter terms that make sense
// for containerd records (reference=GLOB, label=KEY[=VALUE]) into a test.
func containerdFilter(filters []string) (func(*imagesapi.Image) bool, error) {
	var tests []func(*imagesapi.Image) bool
	for _, kv := range filters {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("filter %q: want KEY=VALUE, as docker images --filter takes", kv)
		}
		switch k {
		case "reference":
			if _, err := path.Match(v, ""); err != nil {
				return nil, fmt.Errorf("filter %q: %w", kv, err)
			}
			tests = append(tests, func(im *imagesapi.Image) bool { return referenceMatches(v, im.Name) })
		case "label":
			lk, lv, hasValue := strings.Cut(v, "=")
			tests = append(tests, func(im *imagesapi.Image) bool {
				got, ok := im.Labels[lk]
				return ok && (!hasValue || got == lv)
			})
		default:
			return nil, fmt.Errorf("filter %q: containerd images are filtered by reference= and label= only: %w", kv, ErrUnsupported)
		}
	}
	return func(im *imagesapi.Image) bool {
		for _, t := range tests {
			if !t(im) {
				return false
			}
		}
		return true
	}, nil
}

// referenceMatches matches a stored name, or the short form docker shows
// of it (app:1 for docker.io/library/app:1), against a glob; a glob
// without a tag matches the name without its tag, as docker's does.
func referenceMatches(glob, name string) bool {
	short := strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	for _, n := range []string{name, short} {
		repo := n
		if i := strings.IndexAny(repo, "@"); i >= 0 {
			repo = repo[:i]
		}
		if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
			repo = repo[:i]
		}
		for _, cand := range []string{n, repo} {
			if ok, _ := path.Match(glob, cand); ok {
				return true
			}
		}
	}
	return false
}

// image opens image i of the set. An index is resolved for the host
// platform (or --platform): an image pulled for another platform, or one
// whose blobs are gone, fails with ErrNotFound or a PlatformError that
// says which, for the caller to skip it.
func (cs *containerdSet) image(ctx context.Context, i int, ref string, opts Options) (v1.Image, error) {
	target := cs.targets[i]
	nctx := withNamespace(ctx, cs.ns)
	s := &contentStore{ctx: nctx, content: cs.c.content}
	if isImageManifest(target.MediaType) {
		if err := missingBlob(s, target.Digest); err != nil {
			return nil, fmt.Errorf("%s: %w", ref, err)
		}
	} else if opts.Platform == "" {
		opts.Platform = platformString(hostPlatform())
	}
	img, err := resolveContainerd(ctx, s, target, ref, opts)
	var pe *PlatformError
	if errors.As(err, &pe) && !errors.Is(err, ErrNotFound) {
		return nil, markErr(ErrNotFound, nil, err.Error())
	}
	return img, err
}

// missingBlob fails, naming it, on the first blob of the image whose
// manifest is h that containerd does not hold: an image whose layer was
// removed (or never fetched, with a lazy snapshotter) cannot be read.
func missingBlob(s *contentStore, h v1.Hash) error {
	raw, err := readBlob(s, h)
	if err != nil {
		return fmt.Errorf("its manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parsing manifest %s: %w: %w", h, ErrInvalid, err)
	}
	if _, err := s.size(m.Config.Digest); err != nil {
		return fmt.Errorf("its config: %w", err)
	}
	for i, l := range m.Layers {
		if _, err := s.size(l.Digest); err != nil {
			return fmt.Errorf("its layer %d: %w", i, err)
		}
	}
	return nil
}
