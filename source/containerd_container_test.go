//go:build linux

package source

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/containerdtest"
	"github.com/strata-cli/strata/internal/imagetest"
)

// snapshotDirs asks ctr where the overlay snapshot key is mounted from.
func snapshotDirs(t *testing.T, sock, ns, key string) (upper string, lowers []string) {
	t.Helper()
	out := containerdtest.Ctr(t, sock, ns, "snapshots", "mounts", "/mnt", key)
	if m := regexp.MustCompile(`upperdir=([^,\s]+)`).FindStringSubmatch(out); m != nil {
		upper = m[1]
	}
	if m := regexp.MustCompile(`lowerdir=([^,\s]+)`).FindStringSubmatch(out); m != nil {
		lowers = strings.Split(m[1], ":")
	}
	if upper == "" || len(lowers) == 0 {
		t.Fatalf("no overlay dirs in %q", out)
	}
	return upper, lowers
}

// TestContainerdContainer creates a container in a private containerd
// (a record and its overlay snapshot; nothing runs), writes into the
// snapshot's upper directory as the container would, and expects exactly
// those changes as the writable layer: the same analysis as the image
// with a hand-written layer of the same changes on top.
func TestContainerdContainer(t *testing.T) {
	isolateEnv(t)
	sock := containerdtest.Start(t)
	t.Setenv("CONTAINERD_ADDRESS", sock)
	t.Setenv("CONTAINERD_NAMESPACE", "")
	img := fixture(t, nil)
	archive := filepath.Join(t.TempDir(), "app.tar")
	if err := imagetest.WriteDockerArchive(archive, img, "example.com/app:1"); err != nil {
		t.Fatal(err)
	}
	const ns = "ctrs"
	containerdtest.Ctr(t, sock, ns, "images", "import", archive) // unpacked to overlayfs
	containerdtest.Ctr(t, sock, ns, "containers", "create", "--label", "nerdctl/name=web", "example.com/app:1", "c1")
	upper, _ := snapshotDirs(t, sock, ns, "c1")

	write := func(rel, body string) {
		p := filepath.Join(upper, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	write("app", "#!/bin/sh\necho bye\n")                                              // changed
	must(os.MkdirAll(filepath.Join(upper, "bin"), 0o755))                              // copied up
	must(syscall.Mknod(filepath.Join(upper, "bin/busybox"), syscall.S_IFCHR|0o000, 0)) // deleted
	write("etc/hosts", "127.0.0.1 localhost\n")                                        // in a directory made anew
	must(syscall.Setxattr(filepath.Join(upper, "etc"), "trusted.overlay.opaque", []byte("y"), 0))
	write("var/cache/apk/index", "new\n") // the image deleted it: added again
	write("new/f", "hello\n")
	must(os.Link(filepath.Join(upper, "new/f"), filepath.Join(upper, "new/g")))
	must(os.Symlink("new/f", filepath.Join(upper, "ln")))

	for _, ref := range []string{"containerd://" + ns + "/c1"} {
		var origins []Origin
		got, info, err := OpenContainer(context.Background(), ref, Options{Used: func(o Origin) { origins = append(origins, o) }})
		if err != nil {
			t.Fatalf("OpenContainer(%s): %v", ref, err)
		}
		closeImage(t, got)
		ls, _ := got.Layers()
		if info.Layer != 3 || len(ls) != 4 {
			t.Fatalf("writable layer %d of %d", info.Layer, len(ls))
		}
		var entries []string
		rc, err := ls[3].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(tr)
			entries = append(entries, fmt.Sprintf("%s %c %q %s", h.Name, h.Typeflag, body, h.Linkname))
		}
		rc.Close()
		want := []string{
			`app 0 "#!/bin/sh\necho bye\n" `,
			`bin/ 5 "" `,
			`bin/.wh.busybox 0 "" `,
			`etc/ 5 "" `,
			`etc/.wh..wh..opq 0 "" `,
			`etc/hosts 0 "127.0.0.1 localhost\n" `,
			`ln 2 "" new/f`,
			`new/ 5 "" `,
			`new/f 0 "hello\n" `,
			`new/g 1 "" new/f`,
			`var/ 5 "" `,
			`var/cache/ 5 "" `,
			`var/cache/apk/ 5 "" `,
			`var/cache/apk/index 0 "new\n" `,
		}
		if strings.Join(entries, "\n") != strings.Join(want, "\n") {
			t.Errorf("writable layer:\n%s\nwant:\n%s", strings.Join(entries, "\n"), strings.Join(want, "\n"))
		}
		target, _ := img.Digest() // ctr keeps a docker save's manifest as is
		wantInfo := fmt.Sprint(ContainerInfo{ID: "c1", Name: "web", Image: info.Image, ImageRef: "example.com/app:1", State: "created",
			Added: 6, Changed: 6, Deleted: 1, Layer: 3, Origin: Origin{Kind: KindContainerd, Endpoint: "unix://" + sock + ", namespace " + ns}})
		if fmt.Sprint(info) != wantInfo || !strings.HasPrefix(info.Image, "sha256:") {
			t.Errorf("info %+v\nwant %s (target %s)", info, wantInfo, target)
		}
		if len(origins) != 1 || origins[0] != info.Origin {
			t.Errorf("Used %v", origins)
		}

		// The same changes written as a layer by hand analyse the same.
		hand := imagetest.MustLayer(t, imagetest.Tar(
			imagetest.File("app", "#!/bin/sh\necho bye\n"),
			imagetest.Dir("bin"), imagetest.Whiteout("bin/busybox"),
			imagetest.Dir("etc"), imagetest.Opaque("etc"), imagetest.File("etc/hosts", "127.0.0.1 localhost\n"),
			imagetest.Symlink("ln", "new/f"),
			imagetest.Dir("new"), imagetest.File("new/f", "hello\n"), imagetest.Hardlink("new/g", "new/f"),
			imagetest.Dir("var"), imagetest.Dir("var/cache"), imagetest.Dir("var/cache/apk"), imagetest.File("var/cache/apk/index", "new\n"),
		), imagetest.Uncompressed)
		wantImg, err := mutate.AppendLayers(img, hand)
		if err != nil {
			t.Fatal(err)
		}
		a := numbers(t, got)
		b := numbers(t, wantImg)
		a.layers[3].diffID, b.layers[3].diffID = "", ""
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("analysis:\n got %+v\nwant %+v", a, b)
		}
	}

	_, _, err := OpenContainer(context.Background(), "nope", Options{Source: "containerd"})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "container nope is not in containerd namespace default") || !strings.Contains(err.Error(), "ctrs") {
		t.Errorf("missing container: %v", err)
	}
	// Another snapshotter's snapshot is not an overlay: one error naming it.
	containerdtest.Ctr(t, sock, ns, "images", "import", "--snapshotter", "native", archive)
	containerdtest.Ctr(t, sock, ns, "containers", "create", "--snapshotter", "native", "example.com/app:1", "c2")
	t.Setenv("CONTAINERD_NAMESPACE", ns)
	_, _, err = OpenContainer(context.Background(), "c2", Options{Source: "containerd"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "container c2: its snapshot c2 (snapshotter native) mounts as bind ") {
		t.Errorf("native snapshot: %v", err)
	}
}

func numbers(t *testing.T, img v1.Image) analysis {
	t.Helper()
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := analysis{size: res.Image.SizeBytes, wasted: res.Image.WastedBytes, userWasted: res.Image.UserWastedBytes,
		files: res.Image.FileCount, platform: res.Image.Platform}
	for _, l := range res.Layers {
		a.layers = append(a.layers, layerNumbers{l.DiffID, l.SizeBytes, l.WastedBytes, l.FileCount, l.Added, l.Modified, l.Removed})
	}
	return a
}
