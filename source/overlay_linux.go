package source

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// upperCounts counts the paths of an upper directory as docker diff
// would: added (not in any lower directory), changed, deleted.
type upperCounts struct{ added, changed, deleted int }

// upperLayer walks an overlay upper directory into a layer tar, file by
// file (nothing is held in memory but one copy buffer). Overlay marks a
// deleted path with a character device 0/0 of its name, and a directory
// that hides everything below it with the xattr overlay.opaque=y; the
// layer says the same with the OCI whiteouts .wh.NAME and .wh..wh..opq.
// lowers are the lower directories, top first, to tell added paths from
// changed ones.
func upperLayer(ctx context.Context, upper string, lowers []string) (*fileLayer, upperCounts, error) {
	var counts upperCounts
	tl, err := newTempLayer()
	if err != nil {
		return nil, counts, err
	}
	links := map[[2]uint64]string{} // first name of each inode with links
	err = filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == upper {
			return nil
		}
		rel, err := filepath.Rel(upper, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st == nil {
			return fmt.Errorf("%s: no inode information", rel)
		}
		if fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0 {
			counts.deleted++
			dir, base := filepath.Split(rel)
			return tl.whiteout(dir + ".wh." + base)
		}
		if isWhiteoutName(d.Name()) {
			return fmt.Errorf("%s: the container wrote a file named like an OCI whiteout, which a layer cannot hold: %w", rel, ErrUnsupported)
		}
		if fi.Mode()&fs.ModeSocket != 0 {
			return nil // a layer cannot hold a socket; docker export drops them too
		}
		if fi.IsDir() && (overlayXattr(p, "redirect") != "" || overlayXattr(p, "metacopy") != "") {
			return fmt.Errorf("%s: overlay redirect_dir or metacopy (a renamed directory, or metadata without data), which strata does not read: %w", rel, ErrUnsupported)
		}
		if inLower(lowers, rel) {
			counts.changed++
		} else {
			counts.added++
		}
		target := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, target)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		hdr.Name = rel
		if fi.IsDir() {
			hdr.Name += "/"
		}
		// Host names and times of access say nothing about the layer.
		hdr.Uname, hdr.Gname = "", ""
		hdr.AccessTime, hdr.ChangeTime = time.Time{}, time.Time{}
		hdr.Format = tar.FormatPAX
		if fi.Mode().IsRegular() && st.Nlink > 1 {
			key := [2]uint64{uint64(st.Dev), st.Ino}
			if first, ok := links[key]; ok {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				links[key] = rel
			}
		}
		if err := tl.tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := copyFile(tl.tw, p, hdr.Size); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		}
		if fi.IsDir() && overlayXattr(p, "opaque") == "y" {
			return tl.whiteout(hdr.Name + ".wh..wh..opq")
		}
		return nil
	})
	if err != nil {
		tl.release()
		return nil, counts, err
	}
	l, err := tl.finish()
	return l, counts, err
}

// copyFile copies the size bytes FileInfoHeader saw of file p: a file
// that a running container shrinks meanwhile fails, one it grows is cut.
func copyFile(w io.Writer, p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.CopyN(w, f, size)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("shrank from %d to %d bytes while read (the container is writing it)", size, n)
	}
	return err
}

// overlayXattr reads overlay's xattr NAME of p: trusted.overlay.NAME, as
// root's overlay mounts write it, else user.overlay.NAME (rootless
// mounts with userxattr).
func overlayXattr(p, name string) string {
	buf := make([]byte, 256)
	for _, ns := range []string{"trusted.overlay.", "user.overlay."} {
		if n, err := syscall.Getxattr(p, ns+name, buf); err == nil {
			return string(buf[:n])
		}
	}
	return ""
}

// inLower reports whether rel is in the filesystem the lower directories
// make (top first): found in one, unless as a whiteout; passed over in
// the ones under an opaque directory above it.
func inLower(lowers []string, rel string) bool {
	for _, l := range lowers {
		p := filepath.Join(l, filepath.FromSlash(rel))
		if fi, err := os.Lstat(p); err == nil {
			st, _ := fi.Sys().(*syscall.Stat_t)
			return fi.Mode()&fs.ModeCharDevice == 0 || st == nil || st.Rdev != 0
		}
		for dir := filepath.Dir(p); len(dir) > len(l); dir = filepath.Dir(dir) {
			if overlayXattr(dir, "opaque") == "y" {
				return false
			}
		}
	}
	return false
}

// isWhiteoutName reports whether a name in an upper directory is one of
// the OCI whiteouts, which overlay never writes: a file of that name was
// written by the container itself, and the layer would misread it.
func isWhiteoutName(base string) bool { return strings.HasPrefix(base, ".wh.") }
