package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/moby/client"
)

// DaemonImage is one image a daemon lists.
type DaemonImage struct {
	// ID is the image ID as the daemon gives it, sha256:HEX.
	ID string
	// Tags are the image's repo:tag names, sorted; none when it is untagged.
	Tags    []string
	Created time.Time
}

// Name is what to call the image: its first tag, or its ID cut to the 12
// hex digits docker shows when it has no tag.
func (d DaemonImage) Name() string {
	if len(d.Tags) > 0 {
		return d.Tags[0]
	}
	return shortID(d.ID)
}

func shortID(id string) string {
	h := strings.TrimPrefix(id, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// ImageSet is every image a daemon holds (or those that match filters),
// fetched together. Close it when done.
//
// The images are saved from the daemon in one stream, in which each layer
// appears once however many images share it: a store of twenty images on
// one base sends the base once, not twenty times. The stream goes to an
// unnamed temporary file, which therefore needs as much space as the
// distinct layers take uncompressed. Images that cannot be found in that
// stream (a daemon whose image IDs are not config digests, as with the
// containerd image store, or an image removed in the meantime) are
// fetched one by one instead. A containerd namespace's set saves nothing:
// its images are read from the content store, where a shared layer is one
// blob already.
type ImageSet struct {
	// Images lists the images, tagged ones by name, then untagged ones by ID.
	Images []DaemonImage
	// Origin is the daemon they come from.
	Origin Origin

	d       daemon
	ctrd    *containerdSet // when the images are a containerd namespace's
	opts    Options
	idx     *tarIndex
	entries map[string]*tarball.Descriptor // by image ID
	release func() error
}

// listingDaemon is the daemon whose images are listed for source: the
// Docker daemon unless it names podman.
func listingDaemon(source string) (daemon, error) {
	switch source {
	case "", "auto", string(KindDocker):
		return dockerDaemon()
	case string(KindPodman):
		return podmanDaemon(), nil
	}
	return daemon{}, fmt.Errorf("listing images: --source %s is not a daemon (want docker, podman or containerd): %w", source, ErrUnsupported)
}

// ImageNames returns the repo:tag names of the images the Docker daemon,
// or podman when source is "podman", holds, sorted: what a shell offers
// to complete an IMAGE. It only lists; ctx bounds the whole exchange.
func ImageNames(ctx context.Context, source string) ([]string, error) {
	d, err := listingDaemon(source)
	if err != nil {
		return nil, err
	}
	c, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	list, err := c.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing images in %s: %w", d.kind, err)
	}
	var names []string
	for _, it := range list.Items {
		for _, t := range it.RepoTags {
			if t != "<none>:<none>" {
				names = append(names, t)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// OpenImageSet lists the images of the Docker daemon, or of podman when
// opts.Source is "podman", that match every filter, and saves them. A
// filter is one of the docker images --filter terms written KEY=VALUE
// (reference=app/*, label=team=web, dangling=true, before=IMAGE, ...).
// Intermediate images of the classic builder are not listed: their layers
// belong to the images built from them.
//
// When opts.Source is "containerd", the images are those of containerd
// namespace ns (empty: CONTAINERD_NAMESPACE, else default), filtered by
// reference= and label= only, and nothing is saved: each is read from the
// content store as it is opened.
func OpenImageSet(ctx context.Context, ns string, filters []string, opts Options) (*ImageSet, error) {
	if opts.Source == string(KindContainerd) {
		return openContainerdSet(ctx, ns, filters, opts)
	}
	d, err := listingDaemon(opts.Source)
	if err != nil {
		return nil, err
	}
	f := client.Filters{}
	for _, kv := range filters {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("filter %q: want KEY=VALUE, as docker images --filter takes", kv)
		}
		f.Add(k, v)
	}
	// A daemon image is one platform; a --platform meant for an index
	// would only make images of another platform fail.
	opts.Platform = ""
	c, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	list, err := c.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("listing images in %s: %w", d.kind, err)
	}
	s := &ImageSet{Origin: Origin{Kind: d.kind, Endpoint: d.host}, d: d, opts: opts, release: func() error { return nil }}
	ids := make([]string, 0, len(list.Items))
	for _, it := range list.Items {
		im := DaemonImage{ID: it.ID, Created: time.Unix(it.Created, 0)}
		for _, t := range it.RepoTags {
			// Older daemons list an untagged image as "<none>:<none>".
			if t != "<none>:<none>" {
				im.Tags = append(im.Tags, t)
			}
		}
		slices.Sort(im.Tags)
		s.Images = append(s.Images, im)
		ids = append(ids, it.ID)
	}
	slices.SortFunc(s.Images, compareDaemonImages)
	opts.used(s.Origin)
	if len(ids) == 0 {
		return s, nil
	}
	if err := s.saveAll(ctx, c, ids); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Every image is then fetched on its own; a vanished one fails
		// alone, with its own message.
		s.idx, s.entries = nil, nil
	}
	return s, nil
}

// compareDaemonImages orders a set: tagged images by name, then untagged
// ones by ID.
func compareDaemonImages(a, b DaemonImage) int {
	if (len(a.Tags) == 0) != (len(b.Tags) == 0) {
		if len(a.Tags) == 0 {
			return 1
		}
		return -1
	}
	if c := strings.Compare(a.Name(), b.Name()); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// saveAll saves every image in one stream and indexes it.
func (s *ImageSet) saveAll(ctx context.Context, c *client.Client, ids []string) error {
	rc, err := c.ImageSave(ctx, ids)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, release, err := saveToTemp(ctx, rc, 0, s.opts.Progress, nil)
	if err != nil {
		return err
	}
	idx, err := indexTarFile(f, s.d.kind.String()+" save of "+strconv.Itoa(len(ids))+" images")
	if err != nil {
		release()
		return err
	}
	idx.file = f
	raw, err := idx.readFile("manifest.json")
	if err != nil {
		release()
		return fmt.Errorf("reading manifest.json of the save: %w", memberErr(err))
	}
	var entries tarball.Manifest
	if err := json.Unmarshal(raw, &entries); err != nil {
		release()
		return fmt.Errorf("parsing manifest.json of the save: %w: %w", ErrInvalid, err)
	}
	// An image ID is the digest of the image's config, which is how an
	// entry of the save (listing no ID) is matched to its image.
	s.entries = map[string]*tarball.Descriptor{}
	for i := range entries {
		cfg, err := idx.readFile(entries[i].Config)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(cfg)
		s.entries["sha256:"+hex.EncodeToString(sum[:])] = &entries[i]
	}
	s.idx, s.release = idx, release
	return nil
}

// Image opens image i of s. It is read from the shared save when that
// holds it, else fetched from the daemon on its own. Close what it returns
// (see Close) as for Open; closing the set does not close it.
func (s *ImageSet) Image(ctx context.Context, i int) (v1.Image, error) {
	im := s.Images[i]
	if s.ctrd != nil {
		return s.ctrd.image(ctx, i, "containerd://"+s.ctrd.ns+"/"+im.Name(), s.opts)
	}
	ref := string(s.d.kind) + "://" + im.Name()
	if e := s.entries[im.ID]; e != nil {
		return openDockerArchiveEntry(ctx, ref, s.idx, e, s.opts)
	}
	opts := s.opts
	opts.Used = nil // the set reported its origin already
	return openDaemon(ctx, s.d, ref, im.ID, opts)
}

// Close releases the shared save. Images opened from it must not be read
// afterwards.
func (s *ImageSet) Close() error {
	return s.release()
}
