package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	contentapi "github.com/containerd/containerd/api/services/content/v1"
	imagesapi "github.com/containerd/containerd/api/services/images/v1"
	namespacesapi "github.com/containerd/containerd/api/services/namespaces/v1"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// containerdNamespaceKey is the gRPC metadata key containerd reads the
// namespace of a request from.
const containerdNamespaceKey = "containerd-namespace"

// defaultContainerdNamespace is where ctr and nerdctl put images unless
// told otherwise.
const defaultContainerdNamespace = "default"

// containerdSocket finds containerd's socket: CONTAINERD_ADDRESS, else
// the first that exists of the system socket, k3s's (also Rancher
// Desktop's) and colima's, else the system socket.
func containerdSocket() string {
	if a := os.Getenv("CONTAINERD_ADDRESS"); a != "" {
		return strings.TrimPrefix(a, "unix://")
	}
	for _, p := range containerdSockets() {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "/run/containerd/containerd.sock"
}

func containerdSockets() []string {
	out := []string{"/run/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock"}
	if home, err := os.UserHomeDir(); err == nil {
		profile := os.Getenv("COLIMA_PROFILE")
		if profile == "" {
			profile = "default"
		}
		for _, dir := range []string{filepath.Join(home, ".colima"), filepath.Join(home, ".config", "colima")} {
			out = append(out, filepath.Join(dir, profile, "containerd.sock"))
		}
	}
	return out
}

// containerdConn is a connection to containerd's images and content
// services.
type containerdConn struct {
	addr    string
	conn    *grpc.ClientConn
	images  imagesapi.ImagesClient
	content contentapi.ContentClient
	spaces  []string // the namespaces that exist, read when connecting
}

// dialContainerd connects to the socket at addr and checks, within
// pingTimeout, that containerd answers (listing its namespaces). The
// error matches ErrUnavailable when it does not.
func dialContainerd(ctx context.Context, addr string) (*containerdConn, error) {
	if _, err := os.Stat(addr); err != nil {
		return nil, markErr(ErrUnavailable, nil, fmt.Sprintf("containerd is not running at %s (no socket; set CONTAINERD_ADDRESS)", addr))
	}
	// A plain connect first tells a socket that is not ours to use (it
	// is root's, usually) from a containerd that is not running.
	if raw, err := net.DialTimeout("unix", addr, pingTimeout); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, markErr(ErrUnavailable, os.ErrPermission, fmt.Sprintf("containerd socket %s is not open to this user (run strata as root, or set CONTAINERD_ADDRESS)", addr))
		}
		return nil, markErr(ErrUnavailable, nil, fmt.Sprintf("containerd is not reachable at %s (start it, or set CONTAINERD_ADDRESS)", addr))
	} else {
		raw.Close()
	}
	conn, err := grpc.NewClient("unix://"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		// A manifest or config comes in one message; layers stream in
		// chunks of containerd's choosing (1 MiB).
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, fmt.Errorf("containerd at %s: %w", addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	res, err := namespacesapi.NewNamespacesClient(conn).List(pctx, &namespacesapi.ListNamespacesRequest{})
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if status.Code(err) == codes.PermissionDenied {
			return nil, fmt.Errorf("containerd at %s: %w", addr, err)
		}
		return nil, markErr(ErrUnavailable, nil, fmt.Sprintf("containerd is not reachable at %s (start it, or set CONTAINERD_ADDRESS)", addr))
	}
	c := &containerdConn{
		addr:    addr,
		conn:    conn,
		images:  imagesapi.NewImagesClient(conn),
		content: contentapi.NewContentClient(conn),
	}
	for _, n := range res.Namespaces {
		c.spaces = append(c.spaces, n.Name)
	}
	return c, nil
}

func (c *containerdConn) Close() error { return c.conn.Close() }

func (c *containerdConn) origin(ns string) Origin {
	return Origin{Kind: KindContainerd, Endpoint: "unix://" + c.addr + ", namespace " + ns}
}

// byTarget returns the target of an image record in ns whose target has
// digest h: Docker's image ID in its containerd store.
func (c *containerdConn) byTarget(ctx context.Context, ns string, h string) (v1.Descriptor, error) {
	res, err := c.images.List(ctx, &imagesapi.ListImagesRequest{Filters: []string{"target.digest==" + h}})
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("listing images in containerd namespace %s: %w", ns, err)
	}
	if len(res.Images) == 0 {
		return v1.Descriptor{}, markErr(ErrNotFound, nil, fmt.Sprintf("no image with target %s in containerd namespace %s", h, ns))
	}
	return descriptorOf(res.Images[0])
}

func descriptorOf(img *imagesapi.Image) (v1.Descriptor, error) {
	t := img.Target
	if t == nil {
		return v1.Descriptor{}, fmt.Errorf("image %s in containerd has no target: %w", img.Name, ErrInvalid)
	}
	h, err := v1.NewHash(t.Digest)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("image %s in containerd: target digest %q: %w: %w", img.Name, t.Digest, ErrInvalid, err)
	}
	return v1.Descriptor{MediaType: types.MediaType(t.MediaType), Digest: h, Size: t.Size, Annotations: t.Annotations}, nil
}

// splitNamespace splits "[NAMESPACE/]REF". The first path element is a
// namespace only when containerd has a namespace of that name: image
// names have slashes of their own (docker.io/library/alpine), and
// namespaces may have dots (k8s.io), so no spelling tells them apart.
func (c *containerdConn) splitNamespace(rest string) (ns, name string) {
	ns = os.Getenv("CONTAINERD_NAMESPACE")
	if ns == "" {
		ns = defaultContainerdNamespace
	}
	if first, after, ok := strings.Cut(rest, "/"); ok && after != "" && slices.Contains(c.spaces, first) {
		return first, after
	}
	return ns, rest
}

// containerdNames lists the names an image may be stored under in
// containerd, which keeps them fully qualified: "alpine" is
// docker.io/library/alpine:latest.
func containerdNames(ref string) []string {
	out := []string{ref}
	r, err := parseDockerRef(ref)
	if err == nil && r != ref {
		out = append(out, r)
	}
	return out
}

// parseDockerRef qualifies ref the way docker and containerd do:
// docker.io/ for a name without a host, library/ for a single element,
// :latest without a tag or digest.
func parseDockerRef(ref string) (string, error) {
	name, suffix := ref, ""
	if i := strings.Index(name, "@"); i >= 0 {
		name, suffix = name[:i], name[i:]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, suffix = name[:i], name[i:]+suffix
	}
	if name == "" {
		return "", fmt.Errorf("empty image name in %q", ref)
	}
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !hasSlash {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	if suffix == "" {
		suffix = ":latest"
	}
	return name + suffix, nil
}

// autoContainerd looks for a bare reference in containerd, for openAuto.
// containerd is asked only when its socket exists, within the same short
// budget as the daemons. When it is not there or does not have the image,
// miss says so ("containerd: ..."), for the error that lists every place
// asked.
func autoContainerd(ctx context.Context, ref string, opts Options) (img v1.Image, miss string, err error) {
	addr := containerdSocket()
	if _, err := os.Stat(addr); err != nil {
		return nil, "containerd: no socket", nil
	}
	c, err := dialContainerd(ctx, addr)
	if errors.Is(err, os.ErrPermission) {
		return nil, "containerd: socket " + addr + " not open to this user", nil
	} else if errors.Is(err, ErrUnavailable) {
		return nil, "containerd: not running at " + addr, nil
	} else if err != nil {
		return nil, "", err
	}
	ns, name := c.splitNamespace(ref)
	nctx := withNamespace(ctx, ns)
	target, err := c.lookup(nctx, ns, name)
	if err != nil {
		c.Close()
		if errors.Is(err, ErrNotFound) {
			return nil, "containerd: no such image (namespace " + ns + ")", nil
		}
		return nil, "", err
	}
	img, err = c.openTarget(ctx, nctx, ref, c.origin(ns), target, opts)
	return img, "", err
}

// withNamespace returns ctx carrying the namespace of containerd requests.
func withNamespace(ctx context.Context, ns string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, containerdNamespaceKey, ns)
}

func openContainerd(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	c, err := dialContainerd(ctx, containerdSocket())
	if err != nil {
		return nil, err
	}
	ns, name := c.splitNamespace(rest)
	nctx := withNamespace(ctx, ns)
	target, err := c.lookup(nctx, ns, name)
	if err != nil {
		c.Close()
		return nil, err
	}
	return c.openTarget(ctx, nctx, ref, c.origin(ns), target, opts)
}

// openTarget opens the image whose record points at target; nctx carries
// namespace ns. The image holds the connection until closed (closing
// it ends any layer still streaming); on error the connection is closed.
func (c *containerdConn) openTarget(ctx, nctx context.Context, ref string, origin Origin, target v1.Descriptor, opts Options) (v1.Image, error) {
	opts.used(origin)
	s := &contentStore{ctx: nctx, content: c.content}
	img, err := resolveContainerd(ctx, s, target, ref, opts)
	if err != nil {
		c.Close()
		return nil, err
	}
	return &closingImage{Image: img, close: c.Close}, nil
}

// lookup returns the target of the image record name in ns.
func (c *containerdConn) lookup(ctx context.Context, ns, name string) (v1.Descriptor, error) {
	if strings.HasPrefix(name, "sha256:") && isImageID(name) {
		// A digest alone names the image whose record points at it.
		return c.byTarget(ctx, ns, name)
	}
	for _, n := range containerdNames(name) {
		res, err := c.images.Get(ctx, &imagesapi.GetImageRequest{Name: n})
		if status.Code(err) == codes.NotFound {
			continue
		}
		if err != nil {
			return v1.Descriptor{}, fmt.Errorf("looking up %s in containerd namespace %s: %w", name, ns, err)
		}
		return descriptorOf(res.Image)
	}
	others := slices.DeleteFunc(slices.Clone(c.spaces), func(s string) bool { return s == ns })
	hint := ""
	if len(others) > 0 {
		hint = " (other namespaces: " + strings.Join(others, ", ") + "; write containerd://NAMESPACE/" + name + ")"
	}
	return v1.Descriptor{}, markErr(ErrNotFound, nil, fmt.Sprintf("image %s is not in containerd namespace %s at %s%s; strata never pulls",
		name, ns, c.addr, hint))
}

// resolveContainerd opens the image target names: a manifest, or an
// index from which one platform is picked among those whose blobs are
// all in the content store. An index pulled for one platform lists the
// others without their blobs.
func resolveContainerd(ctx context.Context, s *contentStore, target v1.Descriptor, ref string, opts Options) (v1.Image, error) {
	if isImageManifest(target.MediaType) {
		return manifestImage(s, target.Digest, ref, opts)
	}
	if !isIndex(target.MediaType) {
		return nil, fmt.Errorf("%s names a %s, not an image or index: %w", ref, target.MediaType, ErrUnsupported)
	}
	cands, err := newIndexWalk(ctx, s).collect([]v1.Descriptor{target})
	if err != nil {
		return nil, fmt.Errorf("reading index in %s: %w", ref, err)
	}
	cands = withoutArtifacts(cands)
	present, absent, err := s.complete(cands)
	if err != nil {
		return nil, fmt.Errorf("reading index in %s: %w", ref, err)
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("%s: the index lists %s but containerd holds the blobs of none of them: %w",
			ref, strings.Join(platformsOf(absent), ", "), ErrNotFound)
	}
	d, err := choosePlatform(s, present, ref, opts)
	var pe *PlatformError
	if errors.As(err, &pe) && len(absent) > 0 {
		want, _ := parsePlatform(pe.Want)
		for _, a := range absent {
			if platformMatches(want, a.Platform) {
				return nil, fmt.Errorf("%s lists %s, but its blobs are not in containerd (it was pulled for another platform): %w",
					ref, platformString(a.Platform), err)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return manifestImage(s, d.Digest, ref, opts)
}

func platformsOf(descs []v1.Descriptor) []string {
	var out []string
	for _, d := range descs {
		out = append(out, platformString(d.Platform))
	}
	return out
}

// contentStore serves blobs from containerd's content service, in the
// namespace carried by ctx.
type contentStore struct {
	ctx     context.Context
	content contentapi.ContentClient

	mu    sync.Mutex
	sizes map[v1.Hash]int64 // as Info said, to check each Read's length
}

func (s *contentStore) size(h v1.Hash) (int64, error) {
	res, err := s.content.Info(s.ctx, &contentapi.InfoRequest{Digest: h.String()})
	if err != nil {
		return 0, s.err(h, err)
	}
	s.mu.Lock()
	if s.sizes == nil {
		s.sizes = map[v1.Hash]int64{}
	}
	s.sizes[h] = res.Info.Size
	s.mu.Unlock()
	return res.Info.Size, nil
}

func (s *contentStore) err(h v1.Hash, err error) error {
	if status.Code(err) == codes.NotFound {
		return markErr(ErrNotFound, nil, fmt.Sprintf("blob %s is not in containerd's content store", h))
	}
	if s.ctx.Err() != nil {
		return s.ctx.Err()
	}
	return fmt.Errorf("blob %s: %w", h, err)
}

// open streams the blob from containerd as it is stored: no copy is
// made, and closing the reader ends the stream.
func (s *contentStore) open(h v1.Hash) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	stream, err := s.content.Read(ctx, &contentapi.ReadContentRequest{Digest: h.String()})
	if err != nil {
		cancel()
		return nil, s.err(h, err)
	}
	s.mu.Lock()
	want, ok := s.sizes[h]
	s.mu.Unlock()
	if !ok {
		want = -1
	}
	return &contentReader{s: s, h: h, stream: stream, cancel: cancel, want: want}, nil
}

// complete splits image descriptors into those whose manifest, config
// and layers are all in the store and those missing some.
func (s *contentStore) complete(descs []v1.Descriptor) (present, absent []v1.Descriptor, err error) {
	for _, d := range descs {
		ok, err := s.hasImage(d.Digest)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			present = append(present, d)
		} else {
			absent = append(absent, d)
		}
	}
	return present, absent, nil
}

func (s *contentStore) hasImage(manifest v1.Hash) (bool, error) {
	raw, err := readBlob(s, manifest)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return false, fmt.Errorf("parsing manifest %s: %w: %w", manifest, ErrInvalid, err)
	}
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		if _, err := s.size(d.Digest); errors.Is(err, ErrNotFound) {
			return false, nil
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// contentReader turns containerd's Read stream of chunks into a reader.
type contentReader struct {
	s      *contentStore
	h      v1.Hash
	stream contentapi.Content_ReadClient
	cancel context.CancelFunc
	buf    []byte
	off    int64
	want   int64 // the blob's size, or -1 when not known
	err    error
}

func (r *contentReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		res, err := r.stream.Recv()
		if err == io.EOF {
			r.err = io.EOF
			if r.want >= 0 && r.off != r.want {
				r.err = markErr(ErrInvalid, nil, fmt.Sprintf("blob %s: containerd sent %d of its %d bytes", r.h, r.off, r.want))
			}
			continue
		}
		if err != nil {
			r.err = r.s.err(r.h, err)
			continue
		}
		if res.Offset != r.off {
			r.err = fmt.Errorf("blob %s: containerd sent offset %d, want %d: %w", r.h, res.Offset, r.off, ErrInvalid)
			continue
		}
		r.buf = res.Data
		r.off += int64(len(res.Data))
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *contentReader) Close() error {
	r.cancel()
	return nil
}
