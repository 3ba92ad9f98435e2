package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"
)

// pingTimeout bounds the check that a daemon answers. A local socket
// answers in a millisecond; --source auto must skip a missing daemon
// without the user noticing.
const pingTimeout = 400 * time.Millisecond

// daemon is a Docker Engine API endpoint: Docker itself, or podman's
// Docker-compatible service.
type daemon struct {
	kind Kind
	host string
}

// dockerDaemon finds the Docker endpoint the docker CLI would use:
// DOCKER_HOST, else the context named by DOCKER_CONTEXT, else the current
// context of ~/.docker/config.json, else the default socket.
func dockerDaemon() (daemon, error) {
	d := daemon{kind: KindDocker, host: client.DefaultDockerHost}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		d.host = h
		return d, nil
	}
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return d, nil
		}
		dir = filepath.Join(home, ".docker")
	}
	name := os.Getenv("DOCKER_CONTEXT")
	if name == "" {
		var cfg struct{ CurrentContext string }
		if raw, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
			_ = json.Unmarshal(raw, &cfg) // a broken config leaves the default, as docker does
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return d, nil
	}
	// The docker CLI stores each context under the hex SHA-256 of its
	// name, so that any name is a valid directory name.
	sum := sha256.Sum256([]byte(name))
	raw, err := os.ReadFile(filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"))
	if err != nil {
		return d, fmt.Errorf("docker context %q: %w", name, notFound(err))
	}
	var meta struct {
		Endpoints map[string]struct{ Host string }
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return d, fmt.Errorf("docker context %q: %w: %w", name, ErrInvalid, err)
	}
	if h := meta.Endpoints["docker"].Host; h != "" {
		d.host = h
	}
	return d, nil
}

// podmanDaemon finds podman's API socket: CONTAINER_HOST, else the
// rootless socket when it exists, else the rootful one.
func podmanDaemon() daemon {
	d := daemon{kind: KindPodman, host: "unix:///run/podman/podman.sock"}
	if h := os.Getenv("CONTAINER_HOST"); h != "" {
		d.host = h
		return d
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" && os.Geteuid() != 0 {
		p := filepath.Join(dir, "podman", "podman.sock")
		if _, err := os.Stat(p); err == nil {
			d.host = "unix://" + p
		}
	}
	return d
}

// connect returns a client for d after checking, quickly, that it answers.
// The error matches ErrUnavailable when it does not.
func (d daemon) connect(ctx context.Context) (*client.Client, error) {
	if strings.HasPrefix(d.host, "ssh://") {
		// ssh hosts need the docker CLI's connection helper, which would
		// pull the whole CLI module in; a local socket forward works.
		return nil, fmt.Errorf("%s host %s: ssh:// endpoints are not supported; forward the socket (ssh -L) and point %s at it: %w",
			d.kind, d.host, d.hostVar(), ErrUnsupported)
	}
	opts := []client.Opt{}
	if d.kind == KindDocker {
		// TLS material and a pinned API version come from the same
		// variables the docker CLI reads.
		opts = append(opts, client.FromEnv)
	}
	opts = append(opts, client.WithHost(d.host))
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("%s host %s: %w", d.kind, d.host, err)
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, markErr(ErrUnavailable, nil, fmt.Sprintf("%s is not reachable at %s (start it, or set %s)", d.kind, d.host, d.hostVar()))
	}
	return c, nil
}

func (d daemon) hostVar() string {
	if d.kind == KindPodman {
		return "CONTAINER_HOST"
	}
	return "DOCKER_HOST"
}

func openDocker(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	d, err := dockerDaemon()
	if err != nil {
		return nil, err
	}
	return openDaemon(ctx, d, ref, rest, opts)
}

func openPodman(ctx context.Context, ref, rest string, opts Options) (v1.Image, error) {
	return openDaemon(ctx, podmanDaemon(), ref, rest, opts)
}

func openDaemon(ctx context.Context, d daemon, ref, name string, opts Options) (v1.Image, error) {
	c, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	id, size, err := d.inspect(ctx, c, name)
	if errors.Is(err, ErrNotFound) && !isLocalPath(name) {
		// A local file gets its own hint (see openRef), not this one.
		return nil, fmt.Errorf("%w; strata never pulls: use registry://%s to read it from its registry", err, name)
	}
	if err != nil {
		return nil, err
	}
	return d.save(ctx, c, ref, name, id, size, opts)
}

// inspect returns the image's ID and its size as the daemon counts it,
// which is close to the size of its save stream.
func (d daemon) inspect(ctx context.Context, c *client.Client, name string) (string, int64, error) {
	res, err := c.ImageInspect(ctx, name)
	switch {
	case cerrdefs.IsNotFound(err):
		return "", 0, markErr(ErrNotFound, nil, fmt.Sprintf("image %s is not in %s (%s)", name, d.kind, d.host))
	case err != nil:
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
		return "", 0, fmt.Errorf("inspecting %s in %s: %w", name, d.kind, err)
	}
	return res.ID, res.Size, nil
}

// save streams the image out of the daemon into a temporary file and opens
// that as a docker save archive.
//
// A classic `docker save` writes manifest.json last, and the Docker 25+
// layout puts index.json wherever it likes, so a v1.Image (whose metadata
// must be cheap) cannot be served from the stream itself; keeping the
// whole save in memory is what makes other tools need gigabytes for big
// images. A file on disk gives random access at the cost of disk space
// only.
//
// A Docker daemon that keeps its images in containerd is read from
// containerd directly instead, when its socket can be read.
func (d daemon) save(ctx context.Context, c *client.Client, ref, name, id string, size int64, opts Options) (v1.Image, error) {
	if d.kind == KindDocker {
		if img, ok, err := d.fromContainerdStore(ctx, c, ref, id, opts); ok {
			return img, err
		}
	}
	opts.used(Origin{Kind: d.kind, Endpoint: d.host})
	rc, err := c.ImageSave(ctx, []string{id})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("saving %s from %s: %w", name, d.kind, err)
	}
	defer rc.Close()
	f, release, err := saveToTemp(ctx, rc, size, opts.Progress, opts.Config)
	if err != nil {
		return nil, fmt.Errorf("saving %s from %s: %w", name, d.kind, err)
	}
	idx, err := indexTarFile(f, d.kind.String()+" save of "+name)
	if err != nil {
		release()
		return nil, err
	}
	idx.file = f
	img, err := openDockerArchiveAt(ctx, ref, idx, selector{}, opts)
	if err != nil {
		release()
		return nil, err
	}
	return &closingImage{Image: img, close: release}, nil
}

// saveToTemp copies r into a temporary file that has no name: it is
// unlinked right after it is created, so the space is given back when the
// file is closed or the process ends, however it ends (ctrl+c, a crash,
// SIGKILL). Where a file that is open cannot be unlinked (Windows), it is
// removed when closed instead.
//
// release closes the file (and removes it, where it was not unlinked).
//
// config, when set, hears the image config as soon as it streams by (see
// copySpotting).
func saveToTemp(ctx context.Context, r io.Reader, total int64, progress func(Progress), config func(*v1.ConfigFile)) (f *os.File, release func() error, err error) {
	f, err = os.CreateTemp("", "strata-save-*.tar")
	if err != nil {
		return nil, nil, err
	}
	name := f.Name()
	unlinked := os.Remove(name) == nil
	release = func() error {
		err := f.Close()
		if !unlinked {
			os.Remove(name)
		}
		return err
	}
	fail := func(err error) (*os.File, func() error, error) {
		release()
		return nil, nil, err
	}
	w := io.Writer(f)
	if progress != nil {
		w = &countingWriter{w: f, total: total, progress: progress}
	}
	copyAll := func() (int64, error) { return io.Copy(w, contextReader{ctx, r}) }
	if config != nil {
		copyAll = func() (int64, error) { return copySpotting(w, contextReader{ctx, r}, config) }
	}
	if _, err := copyAll(); err != nil {
		return fail(err)
	}
	if progress != nil {
		n, _ := f.Seek(0, io.SeekCurrent)
		progress(Progress{Done: n, Total: n, Final: true})
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, release, nil
}

// contextReader stops a copy as soon as ctx is done, even if the stream
// itself keeps delivering.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type countingWriter struct {
	w        io.Writer
	n, total int64
	progress func(Progress)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.progress(Progress{Done: c.n, Total: max(c.total, c.n)})
	return n, err
}

// closingImage is an image that holds a resource (a temporary file, idle
// connections) until Close.
type closingImage struct {
	v1.Image
	once  sync.Once
	close func() error
	err   error
}

// Close implements io.Closer. It is safe to call more than once.
func (c *closingImage) Close() error {
	c.once.Do(func() { c.err = c.close() })
	return c.err
}

// imageIDPattern matches what docker accepts as an image ID: sha256:HEX or
// a prefix of 12 to 64 hex digits.
var imageIDPattern = regexp.MustCompile(`^(sha256:[0-9a-f]{64}|[0-9a-f]{12,64})$`)

// isImageID reports whether ref can only be a local image ID, which no
// registry serves.
func isImageID(ref string) bool {
	return imageIDPattern.MatchString(ref)
}
