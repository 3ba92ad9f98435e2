package source

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/dockertest"
)

// exportTar is what a daemon's export of a small container could hold.
func exportTar(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, body)
		}
	}
	add(&tar.Header{Name: ".dockerenv", Mode: 0o755}, "")
	add(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "bin/busybox", Mode: 0o755}, "pretend busybox")
	add(&tar.Header{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "data/hard", Mode: 0o644}, "hello-new\n")
	add(&tar.Header{Name: "data/keep", Mode: 0o644}, "keep\n")
	add(&tar.Header{Name: "data/link", Typeflag: tar.TypeSymlink, Linkname: "/data/keep", Mode: 0o777}, "")
	add(&tar.Header{Name: "data/mod", Mode: 0o644}, "modify-me\nmore\n")
	add(&tar.Header{Name: "data/new", Typeflag: tar.TypeLink, Linkname: "data/hard", Mode: 0o644}, "")
	add(&tar.Header{Name: "etc/hostname", Mode: 0o644}, "")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWritableLayer builds a layer from an export and a diff and checks
// what it holds, that its digest is the hash of its bytes, and that
// deletions under a deleted directory need no whiteout of their own.
func TestWritableLayer(t *testing.T) {
	changes := map[string]container.ChangeType{
		"/data":          container.ChangeModify,
		"/data/hard":     container.ChangeAdd,
		"/data/new":      container.ChangeAdd,
		"/data/link":     container.ChangeAdd,
		"/data/mod":      container.ChangeModify,
		"/data/del":      container.ChangeDelete,
		"/data/olddir":   container.ChangeDelete,
		"/data/olddir/f": container.ChangeDelete,
		"/data/gone/x/y": container.ChangeDelete,
		"/not/in/export": container.ChangeAdd, // listed but absent: nothing to copy
	}
	l, err := writableLayer(context.Background(), bytes.NewReader(exportTar(t)), changes)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()

	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if d, _ := l.DiffID(); d.Hex != hex.EncodeToString(sum[:]) {
		t.Errorf("diffID %s is not the hash of the layer's bytes", d)
	}
	if d, _ := l.Digest(); d.Hex != hex.EncodeToString(sum[:]) {
		t.Errorf("digest %s is not the hash of the layer's bytes", d)
	}
	if n, _ := l.Size(); n != int64(len(raw)) {
		t.Errorf("Size = %d, want %d", n, len(raw))
	}

	var got []string
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		e := h.Name
		switch h.Typeflag {
		case tar.TypeSymlink:
			e += " -> " + h.Linkname
		case tar.TypeLink:
			e += " link " + h.Linkname
		default:
			if len(body) > 0 {
				e += " = " + strings.TrimSpace(string(body))
			}
		}
		got = append(got, e)
	}
	want := []string{
		"data/",
		"data/hard = hello-new",
		"data/link -> /data/keep",
		"data/mod = modify-me\nmore",
		"data/new link data/hard",
		"data/.wh.del",
		"data/gone/x/.wh.y",
		"data/.wh.olddir",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("layer holds\n  %q\nwant\n  %q", got, want)
	}
}

// TestWritableLayerCanceled stops at once when the context is done.
func TestWritableLayerCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := writableLayer(ctx, bytes.NewReader(exportTar(t)), nil); err == nil {
		t.Fatal("no error for a canceled context")
	}
}

// TestOpenContainer runs a container that adds, changes and deletes files
// and symlinks, and checks the writable layer strata builds against the
// daemon's own accounts: docker diff and SizeRw.
func TestOpenContainer(t *testing.T) {
	dockertest.Require(t)
	const tag = "strata-test/source-container:1"
	dockertest.Build(t, tag, dockertest.Dockerfile(t,
		"mkdir -p /data/olddir && echo keep > /data/keep && echo modify-me > /data/mod && echo delete-me > /data/del && echo x > /data/olddir/f"))
	name := "strata-test-source-container-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	dockertest.Run(t, "run", "--name", name, tag, "/bin/busybox", "sh", "-c",
		"echo hello-new > /data/new && echo more >> /data/mod && rm /data/del && rm -r /data/olddir && "+
			"ln -s /data/keep /data/link && mkdir /data/newdir && echo abc > /data/newdir/g && ln /data/new /data/hard")

	img, info, err := OpenContainer(context.Background(), name, Options{Source: "docker"})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(img)
	if info.Name != name || info.State != "exited" || info.ImageRef != tag || info.Layer != 2 {
		t.Errorf("info = %+v", info)
	}
	if info.Added != 5 || info.Changed != 2 || info.Deleted != 2 {
		t.Errorf("diff counts A/C/D = %d/%d/%d, want 5/2/2", info.Added, info.Changed, info.Deleted)
	}
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Layers[info.Layer]
	// new/hard 10 bytes once (one is a hard link to the other), mod 15, g 4.
	if l.SizeBytes != 29 || l.Added != 4 || l.Modified != 1 || l.Removed != 2 {
		t.Errorf("writable layer: size %d, +%d ~%d -%d; want 29, +4 ~1 -2", l.SizeBytes, l.Added, l.Modified, l.Removed)
	}
	if l.Command != ContainerCommand(name) {
		t.Errorf("command = %q", l.Command)
	}
	// The daemon counts every non-directory at its lstat size, hard links
	// once: the regular files strata counts, plus the symlink's target
	// ("/data/keep", 10 bytes).
	if !info.HasSizeRw || info.SizeRw != l.SizeBytes+int64(len("/data/keep")) {
		t.Errorf("SizeRw = %d (reported %v), want strata's %d + 10 bytes of symlink target", info.SizeRw, info.HasSizeRw, l.SizeBytes)
	}
	want := dockertest.Run(t, "inspect", "--size", "--format", "{{.SizeRw}}", name)
	if want != "39" {
		t.Errorf("docker inspect --size says SizeRw %s, want 39", want)
	}
}

// TestOpenContainerMissing names a container that does not exist.
func TestOpenContainerMissing(t *testing.T) {
	dockertest.Require(t)
	_, _, err := OpenContainer(context.Background(), "strata-test-no-such-container", Options{Source: "docker"})
	if err == nil || !strings.Contains(err.Error(), "container strata-test-no-such-container is not in docker") {
		t.Fatalf("err = %v", err)
	}
}

// TestOpenContainerNoDaemon says which daemons it tried when none answers.
func TestOpenContainerNoDaemon(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("CONTAINER_HOST", "unix:///nonexistent/podman.sock")
	_, _, err := OpenContainer(context.Background(), "web", Options{})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "docker not running at unix:///nonexistent/docker.sock, podman not running at") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = OpenContainer(context.Background(), "web", Options{Source: "registry"})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("--source registry: err = %v", err)
	}
}
