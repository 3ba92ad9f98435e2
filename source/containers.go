package source

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// ContainerInfo describes the container OpenContainer read.
type ContainerInfo struct {
	ID   string
	Name string // without the leading "/" the Engine API gives it
	// Image is the ID of the container's image; ImageRef is the name the
	// container was created from.
	Image, ImageRef string
	State           string // running, exited, created, ...
	// SizeRw is the daemon's size of the writable layer, as docker ps -s
	// shows it. The daemon adds up the size of every non-directory the
	// layer holds, hard links once: regular files, and symbolic links at
	// the length of their target, which strata counts as 0 bytes. So
	// SizeRw = the layer's strata size + its symlinks' target lengths.
	SizeRw int64
	// HasSizeRw is false when the daemon did not report a size.
	HasSizeRw bool
	// Added, Changed and Deleted count the paths docker diff lists, of each
	// kind, directories included.
	Added, Changed, Deleted int
	// Layer is the index of the writable layer in the image OpenContainer
	// returns: its last.
	Layer int
	// Origin is the daemon the container runs on.
	Origin Origin
}

// ContainerCommand is the history entry of a container's writable layer.
func ContainerCommand(name string) string {
	return "container " + name + " (writable layer)"
}

// OpenContainer returns the image of the container ref (a name or an ID,
// in the Docker daemon, or in podman when opts.Source is "podman") with
// the container's writable layer on top, as one more layer.
//
// A containerd container is [NAMESPACE/]ID with opts.Source "containerd"
// (with auto, containerd is asked after docker and podman when its socket
// exists), or containerd://[NAMESPACE/]ID: its writable layer is the upper
// directory of its snapshot's overlay mount, read from the disk (as root,
// usually), on top of its image read from containerd's content store.
//
// The daemon lists what the container added, changed and deleted (docker
// diff), and exports the container's whole filesystem as one tar stream,
// which is read once: entries for added and changed paths are copied into
// a new layer tar, and deleted paths become whiteouts, as they would in a
// layer docker commit makes. Nothing in the container runs. The layer is
// kept in an unnamed temporary file; its digest and diffID are hashed as
// it is written, so the image verifies like any other.
//
// The image holds temporary files: close it (see Close) when done.
func OpenContainer(ctx context.Context, ref string, opts Options) (v1.Image, ContainerInfo, error) {
	if rest, ok := strings.CutPrefix(ref, "containerd://"); ok {
		return openContainerdContainer(ctx, ref, rest, opts)
	}
	var ds []func() (daemon, error)
	switch opts.Source {
	case string(KindContainerd):
		return openContainerdContainer(ctx, ref, ref, opts)
	case "", "auto":
		ds = []func() (daemon, error){dockerDaemon, func() (daemon, error) { return podmanDaemon(), nil }}
	case string(KindDocker):
		ds = []func() (daemon, error){dockerDaemon}
	case string(KindPodman):
		ds = []func() (daemon, error){func() (daemon, error) { return podmanDaemon(), nil }}
	default:
		return nil, ContainerInfo{}, fmt.Errorf("container %s: --source %s has no containers (want docker, podman or containerd): %w", ref, opts.Source, ErrUnsupported)
	}
	opts.Platform = "" // a container's image is the one it runs
	// With auto, a daemon that is not running or lacks the container is
	// passed over; the error then says what each one answered, the first
	// "not found" leading, since that is the likeliest typo.
	var (
		tried    []string
		notFound error
	)
	for _, find := range ds {
		d, err := find()
		if err != nil {
			return nil, ContainerInfo{}, err
		}
		c, err := d.connect(ctx)
		if errors.Is(err, ErrUnavailable) && len(ds) > 1 {
			tried = append(tried, fmt.Sprintf("%s not running at %s", d.kind, d.host))
			continue
		} else if err != nil {
			return nil, ContainerInfo{}, err
		}
		img, info, found, err := openContainer(ctx, d, c, ref, opts)
		c.Close()
		if !found && errors.Is(err, ErrNotFound) && len(ds) > 1 {
			if notFound == nil {
				notFound = err
			} else {
				tried = append(tried, fmt.Sprintf("not in %s", d.kind))
			}
			continue
		}
		return img, info, err
	}
	if len(ds) > 1 {
		img, info, passed, miss, err := autoContainerdContainer(ctx, ref, opts)
		switch {
		case !passed:
			return img, info, err
		case err != nil && notFound == nil:
			notFound = err
		default:
			tried = append(tried, miss)
		}
	}
	if notFound == nil {
		return nil, ContainerInfo{}, markErr(ErrUnavailable, nil, fmt.Sprintf("container %s: no daemon answers (%s)", ref, strings.Join(tried, ", ")))
	}
	if len(tried) > 0 {
		return nil, ContainerInfo{}, fmt.Errorf("%w (and %s)", notFound, strings.Join(tried, ", "))
	}
	return nil, ContainerInfo{}, notFound
}

// openContainer reads container ref from d; found is false when d does
// not have it.
func openContainer(ctx context.Context, d daemon, c *client.Client, ref string, opts Options) (img v1.Image, info ContainerInfo, found bool, err error) {
	wrap := func(what string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s container %s in %s: %w", what, ref, d.kind, err)
	}
	// Size makes the daemon compute SizeRw, as docker ps -s does.
	ins, err := c.ContainerInspect(ctx, ref, client.ContainerInspectOptions{Size: true})
	switch {
	case cerrdefs.IsNotFound(err):
		return nil, info, false, markErr(ErrNotFound, nil, fmt.Sprintf("container %s is not in %s (%s)", ref, d.kind, d.host))
	case err != nil:
		return nil, info, false, wrap("inspecting", err)
	}
	img, info, err = readContainer(ctx, d, c, ref, ins.Container, opts)
	return img, info, true, err
}

// readContainer builds the image of container ct: its image with the
// writable layer appended.
func readContainer(ctx context.Context, d daemon, c *client.Client, ref string, ct container.InspectResponse, opts Options) (v1.Image, ContainerInfo, error) {
	wrap := func(what string, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s container %s in %s: %w", what, ref, d.kind, err)
	}
	info := ContainerInfo{
		ID: ct.ID, Name: strings.TrimPrefix(ct.Name, "/"), Image: ct.Image,
		Origin: Origin{Kind: d.kind, Endpoint: d.host},
	}
	if ct.Config != nil {
		info.ImageRef = ct.Config.Image
	}
	if ct.State != nil {
		info.State = string(ct.State.Status)
	}
	if ct.SizeRw != nil {
		info.SizeRw, info.HasSizeRw = *ct.SizeRw, true
	}
	diff, err := c.ContainerDiff(ctx, ct.ID, client.ContainerDiffOptions{})
	if err != nil {
		return nil, info, wrap("listing changes of", err)
	}
	changes := map[string]container.ChangeType{}
	for _, ch := range diff.Changes {
		changes[path.Clean("/"+ch.Path)] = ch.Kind
		switch ch.Kind {
		case container.ChangeAdd:
			info.Added++
		case container.ChangeModify:
			info.Changed++
		case container.ChangeDelete:
			info.Deleted++
		}
	}

	id, size, err := d.inspect(ctx, c, ct.Image)
	if err != nil {
		return nil, info, fmt.Errorf("image of container %s: %w", ref, err)
	}
	base, err := d.save(ctx, c, ref, ct.Image, id, size, opts)
	if err != nil {
		return nil, info, err
	}
	ok := false
	defer func() {
		if !ok {
			Close(base)
		}
	}()

	rc, err := c.ContainerExport(ctx, ct.ID, client.ContainerExportOptions{})
	if err != nil {
		return nil, info, wrap("exporting", err)
	}
	l, err := writableLayer(ctx, rc, changes)
	rc.Close()
	if err != nil {
		return nil, info, wrap("reading the filesystem of", err)
	}
	img, n, err := withWritableLayer(base, l, info.Name, ct.ID)
	if err != nil {
		l.release()
		return nil, info, fmt.Errorf("adding the writable layer of %s: %w", ref, err)
	}
	info.Layer = n
	ok = true
	return &closingImage{Image: img, close: func() error {
		return errors.Join(Close(base), l.release())
	}}, info, nil
}

// withWritableLayer appends the writable layer l of container id, called
// name, to its image base, and returns the image and the layer's index.
func withWritableLayer(base v1.Image, l *fileLayer, name, id string) (v1.Image, int, error) {
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: l,
		History: v1.History{
			CreatedBy: ContainerCommand(name),
			Created:   v1.Time{Time: time.Now().UTC().Truncate(time.Second)},
			Comment:   "strata: container " + id,
		},
	})
	if err != nil {
		return nil, 0, err
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, 0, err
	}
	return img, len(ls) - 1, nil
}

// fileLayer is an uncompressed layer tar in a temporary file.
type fileLayer struct {
	*layer
	release func() error
}

// writableLayer reads the export tar r and writes the layer the changes
// describe: added and changed paths as r holds them, deleted ones as
// whiteouts. A deleted path under a deleted directory needs no whiteout
// of its own: its parent's hides it.
func writableLayer(ctx context.Context, r io.Reader, changes map[string]container.ChangeType) (*fileLayer, error) {
	tl, err := newTempLayer()
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*fileLayer, error) {
		tl.release()
		return nil, err
	}
	tw := tl.tw
	tr := tar.NewReader(contextReader{ctx, r})
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(fmt.Errorf("reading export: %w", err))
		}
		p := path.Clean("/" + hdr.Name)
		kind, listed := changes[p]
		if !listed || kind == container.ChangeDelete {
			continue
		}
		// The export names entries relative to the root ("etc/passwd"),
		// which is how layers name them too.
		out := *hdr
		out.Name = strings.TrimPrefix(p, "/")
		if hdr.Typeflag == tar.TypeDir {
			out.Name += "/"
		}
		if hdr.Typeflag == tar.TypeLink {
			out.Linkname = strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
		}
		if err := tw.WriteHeader(&out); err != nil {
			return fail(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := io.Copy(tw, tr); err != nil {
				return fail(fmt.Errorf("copying %s: %w", p, err))
			}
		}
	}
	for p, kind := range sortedChanges(changes) {
		if kind != container.ChangeDelete || underDeleted(p, changes) {
			continue
		}
		dir, base := path.Split(p)
		if err := tl.whiteout(strings.TrimPrefix(dir, "/") + ".wh." + base); err != nil {
			return fail(err)
		}
	}
	return tl.finish()
}

// tempLayer writes a layer tar to an unlinked temporary file, hashing it
// as it goes: the container's writable layer, read once, whose digest
// holds however the container changes its files afterwards.
type tempLayer struct {
	f       *os.File
	h       hash.Hash
	cw      *countWriter
	tw      *tar.Writer
	release func() error
}

func newTempLayer() (*tempLayer, error) {
	f, err := os.CreateTemp("", "strata-container-*.tar")
	if err != nil {
		return nil, err
	}
	name := f.Name()
	unlinked := os.Remove(name) == nil
	tl := &tempLayer{f: f, h: sha256.New()}
	tl.release = func() error {
		err := f.Close()
		if !unlinked {
			os.Remove(name)
		}
		return err
	}
	tl.cw = &countWriter{w: io.MultiWriter(f, tl.h)}
	tl.tw = tar.NewWriter(tl.cw)
	return tl, nil
}

// whiteout writes the whiteout entry name (dir/.wh.base).
func (tl *tempLayer) whiteout(name string) error {
	return tl.tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX})
}

// finish ends the tar and returns the layer; on error the file is gone.
func (tl *tempLayer) finish() (*fileLayer, error) {
	if err := tl.tw.Close(); err != nil {
		tl.release()
		return nil, err
	}
	sum := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(tl.h.Sum(nil))}
	size, f := tl.cw.n, tl.f
	l := &layer{
		// The layer is stored as it is written, like the layers of a
		// docker save: its digest is its diffID.
		mediaType: types.DockerUncompressedLayer,
		size:      size,
		digest:    sum,
		diffID:    sum,
		open: func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(f, 0, size)), nil
		},
	}
	return &fileLayer{layer: l, release: tl.release}, nil
}

// sortedChanges yields the changes by path, so that the whiteouts come in
// the same order every time.
func sortedChanges(changes map[string]container.ChangeType) func(func(string, container.ChangeType) bool) {
	return func(yield func(string, container.ChangeType) bool) {
		keys := make([]string, 0, len(changes))
		for k := range changes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !yield(k, changes[k]) {
				return
			}
		}
	}
}

// underDeleted reports whether a parent directory of p is deleted too.
func underDeleted(p string, changes map[string]container.ChangeType) bool {
	for dir := path.Dir(p); dir != "/" && dir != "."; dir = path.Dir(dir) {
		// ChangeModify is the zero value: look the kind up with ok.
		if k, ok := changes[dir]; ok && k == container.ChangeDelete {
			return true
		}
	}
	return false
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
