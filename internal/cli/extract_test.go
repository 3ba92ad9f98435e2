package cli

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestExtractNeverWritesThroughALink: a symlink already at the
// destination is replaced by the file, never followed, whatever it points
// at (here /dev/null, which the old code wrote into in place, and a file
// outside the directory).
func TestExtractNeverWritesThroughALink(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("etc/passwd", "root\n"), it.File("etc/group", "wheel\n")})
	dir, outside := t.TempDir(), t.TempDir()
	t.Chdir(dir)
	victim := filepath.Join(outside, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"passwd": "/dev/null", "group": victim} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"etc/passwd", "etc/group"} {
		dest, err := im.extract(context.Background(), 0, p, "", nil)
		if err != nil {
			t.Fatalf("extract(%s): %v", p, err)
		}
		fi, err := os.Lstat(dest)
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is %v (%v), want a regular file in place of the link", dest, fi.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Errorf("the link's target was written: it holds %q", b)
	}
}

// TestExtractRefusesNonRegularDestination: a FIFO (or device) at the
// destination is neither written to nor replaced.
func TestExtractRefusesNonRegularDestination(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("etc/passwd", "root\n")})
	dir := t.TempDir()
	t.Chdir(dir)
	fifo := filepath.Join(dir, "passwd")
	if err := it.MakeFIFO(fifo); err != nil {
		t.Skip(err)
	}
	// A reader, so that writing into the FIFO (the old behaviour) cannot
	// block the test but shows up as data.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = im.extract(context.Background(), 0, "etc/passwd", "", nil)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("extract onto a FIFO = %v, want it refused", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v (%v)", fi.Mode(), err)
	}
	if n, _ := r.Read(make([]byte, 16)); n > 0 {
		t.Errorf("%d bytes were written into the FIFO", n)
	}
}

// hold is a reader that, once reached, says so on reached and waits for
// release before it ends.
type hold struct{ reached, release chan struct{} }

func (h hold) Read([]byte) (int, error) {
	close(h.reached)
	<-h.release
	return 0, io.EOF
}

// TestExtractInterruptedLeavesNothing: quitting (the context ends) while
// a file is being saved stops the copy, and closing the session waits for
// it to remove its temporary file, so the process never exits with a
// half-written file behind.
func TestExtractInterruptedLeavesNothing(t *testing.T) {
	im := newSession(loadOptions{})
	layer := it.MustLayer(t, it.Tar(it.SizedFile("var/data.bin", 4<<20)), it.Gzip)
	if _, err := im.analyze(context.Background(), it.MustImage(t, []v1.Layer{layer}, nil, nil), "test"); err != nil {
		t.Fatal(err)
	}
	// The first MiB of the stored layer arrives, then the connection
	// stalls until the test lets it go on.
	held := hold{reached: make(chan struct{}), release: make(chan struct{})}
	im.layers[0] = servedLayer{im.layers[0], func(r io.Reader) io.Reader {
		return io.MultiReader(io.LimitReader(r, 1<<20), held, r)
	}}
	dir := t.TempDir()
	t.Chdir(dir)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := im.extract(ctx, 0, "var/data.bin", "", nil)
		errc <- err
	}()
	<-held.reached
	cancel()
	close(held.release)
	im.close()
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf("after close the directory holds %q, want nothing", got)
	}
	if err := <-errc; err == nil {
		t.Error("an interrupted extraction reported success")
	}
}

// TestExtractKeepsTheExecBit: a saved executable stays executable (it was
// always 0644 before); set-id bits never come along.
func TestExtractKeepsTheExecBit(t *testing.T) {
	im := loadedImage(t, []it.Entry{
		{Name: "usr/bin/tool", Size: 10, Mode: 0o755},
		{Name: "usr/bin/su", Size: 10, Mode: 0o4755},
		{Name: "etc/conf", Size: 10, Mode: 0o600},
	})
	t.Chdir(t.TempDir())
	for path, want := range map[string]os.FileMode{"usr/bin/tool": 0o755, "usr/bin/su": 0o755, "etc/conf": 0o644} {
		dest, err := im.extract(context.Background(), 0, path, "", nil)
		if err != nil {
			t.Fatalf("extract(%s): %v", path, err)
		}
		if fi, err := os.Stat(dest); err != nil || fi.Mode() != want {
			t.Errorf("%s saved as %v (%v), want %v", path, fi.Mode(), err, want)
		}
	}
}

// TestExtractChecksTheFolderFirst: a destination in a folder that is not
// there fails at once, naming it, and the layer is never read.
func TestExtractChecksTheFolderFirst(t *testing.T) {
	im := loadedImage(t, []it.Entry{it.File("etc/passwd", "root\n")})
	opened := false
	im.layers[0] = servedLayer{im.layers[0], func(r io.Reader) io.Reader { opened = true; return r }}
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := im.extract(context.Background(), 0, "etc/passwd", filepath.Join(dir, "nope", "passwd"), nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nope")+" is not a directory") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("extract into a missing folder: %v", err)
	}
	if opened {
		t.Error("the layer was read before the destination was checked")
	}
}

// TestExtractReportsLayerProgress: saving a file reports the stored bytes
// of its layer read so far, rising, against the layer's stored size, and
// the last report is the whole read.
func TestExtractReportsLayerProgress(t *testing.T) {
	body := make([]byte, 3<<20)
	rand.NewChaCha8([32]byte{1}).Read(body) // incompressible: the stored layer is as large
	im := loadedImage(t, []it.Entry{it.File("var/blob.bin", string(body))})
	size, err := im.layers[0].Size()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	var reads []int64
	if _, err := im.extract(context.Background(), 0, "var/blob.bin", "", func(read, total int64) {
		if total != size {
			t.Errorf("total %d, want the stored size %d", total, size)
		}
		reads = append(reads, read)
	}); err != nil {
		t.Fatal(err)
	}
	if len(reads) < 3 || !slices.IsSorted(reads) || reads[len(reads)-1] > size || reads[len(reads)-1] < size-(64<<10) {
		t.Errorf("reports %v, want at least 3 rising to about %d", reads, size)
	}
}
