package source

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-cli/strata/internal/imagetest"
)

// feed writes b into a new pipe from another goroutine and returns the
// read end, as a shell does for `docker save app | strata -`.
func feed(t *testing.T, b []byte) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Write(b) // fails once r is closed early; the reader reports that
		w.Close()
	}()
	t.Cleanup(func() { r.Close(); <-done })
	return r
}

// spoolDir points os.TempDir at an empty directory and returns it.
func spoolDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func assertEmptyDir(t *testing.T, dir, when string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("%s: %s left in the temporary directory", when, e.Name())
	}
}

// TestOpenArchiveFromPipe reads each kind of archive through a pipe, which
// cannot seek: as standard input ("-"), as /dev/fd/N, as a named FIFO, and
// behind each file scheme. The spool file must never be visible by name.
func TestOpenArchiveFromPipe(t *testing.T) {
	want := fixture(t, nil)
	dir := t.TempDir()
	archives := map[string]storedAs{}
	write := func(name string, stored storedAs, w func(p string) error) string {
		p := filepath.Join(dir, name)
		if err := w(p); err != nil {
			t.Fatal(err)
		}
		archives[p] = stored
		return p
	}
	classic := write("classic.tar", asClassicTar, func(p string) error { return imagetest.WriteDockerArchive(p, want, "example.com/app:1.0") })
	d25 := write("docker25.tar", asDocker25Tar, func(p string) error { return imagetest.WriteDocker25Archive(p, want, "example.com/app:1.0") })
	oci := write("oci.tar", asWritten, func(p string) error {
		return imagetest.WriteOCIArchive(p, imagetest.MustIndex(t, imagetest.Manifest{Image: want, Tag: "1.0"}))
	})
	_, devFD := os.Stat("/dev/fd/0")

	for _, tc := range []struct {
		name    string
		archive string
		ref     func(r *os.File) string // the reference that names the pipe
		stdin   bool                    // the pipe is Options.Stdin
		kind    Kind
	}{
		{"stdin classic", classic, func(*os.File) string { return "-" }, true, KindDockerArchive},
		{"stdin docker25", d25, func(*os.File) string { return "-" }, true, KindDockerArchive},
		{"stdin oci", oci, func(*os.File) string { return "-" }, true, KindOCIArchive},
		{"docker-archive stdin", classic, func(*os.File) string { return "docker-archive:-" }, true, KindDockerArchive},
		{"dev fd", classic, func(r *os.File) string { return "/dev/fd/" + strconv.Itoa(int(r.Fd())) }, false, KindDockerArchive},
		{"docker-archive dev fd", d25, func(r *os.File) string { return "docker-archive:/dev/fd/" + strconv.Itoa(int(r.Fd())) }, false, KindDockerArchive},
		{"oci-archive dev fd tag", oci, func(r *os.File) string { return "oci-archive:/dev/fd/" + strconv.Itoa(int(r.Fd())) + ":1.0" }, false, KindOCIArchive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.stdin && devFD != nil {
				t.Skip("no /dev/fd here")
			}
			tmp := spoolDir(t)
			b, err := os.ReadFile(tc.archive)
			if err != nil {
				t.Fatal(err)
			}
			r := feed(t, b)
			opts := Options{}
			var origins []Origin
			opts.Used = func(o Origin) { origins = append(origins, o) }
			if tc.stdin {
				opts.Stdin = r
			}
			got := mustOpen(t, tc.ref(r), opts)
			assertEmptyDir(t, tmp, "while open")
			checkImage(t, got, want, archives[tc.archive])
			if len(origins) != 1 || origins[0].Kind != tc.kind {
				t.Errorf("Used got %v, want once %s", origins, tc.kind)
			}
			if err := Close(got); err != nil {
				t.Errorf("Close: %v", err)
			}
			assertEmptyDir(t, tmp, "after Close")
		})
	}

	t.Run("named fifo", func(t *testing.T) {
		tmp := spoolDir(t)
		fifo := filepath.Join(t.TempDir(), "app.fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		b, _ := os.ReadFile(classic)
		done := make(chan error, 1)
		go func() {
			// Started after strata opens, as often as not: the open
			// must wait for this writer rather than read an empty FIFO.
			time.Sleep(50 * time.Millisecond)
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				_, err = w.Write(b)
				w.Close()
			}
			done <- err
		}()
		got := mustOpen(t, fifo, Options{})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		checkImage(t, got, want, asClassicTar)
		Close(got)
		assertEmptyDir(t, tmp, "after Close")
	})
}

// TestPipeErrors: what cannot be read from a pipe says so in one line.
func TestPipeErrors(t *testing.T) {
	spoolDir(t)
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, tc := range []struct {
		name  string
		stdin *os.File
		want  string
	}{
		{"empty pipe", feed(t, nil), "standard input: empty, nothing was written to it"},
		{"not a tar", feed(t, []byte(strings.Repeat("not a tar\n", 100))), "reading tar standard input: not a tar archive"},
		{"device", devNull, "standard input is a terminal or device, not an archive"},
		{"no stdin", nil, "standard input is not available"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.stdin != nil {
				opts.Stdin = tc.stdin
			}
			img, err := Open(context.Background(), "-", opts)
			if err == nil {
				Close(img)
				t.Fatal("Open(-) succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestFIFOWithoutWriterIsCancelable: a FIFO nobody writes to is waited
// on, as cat would, but only as long as the context lasts.
func TestFIFOWithoutWriterIsCancelable(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "silent.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, ref := range []string{fifo, "docker-archive:" + fifo, "oci-archive:" + fifo} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		img, err := Open(ctx, ref, Options{})
		cancel()
		if err == nil {
			Close(img)
			t.Fatalf("Open(%q) of a silent FIFO succeeded", ref)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Open(%q): err = %v, want context.DeadlineExceeded", ref, err)
		}
	}
}
