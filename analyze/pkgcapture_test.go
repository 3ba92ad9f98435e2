package analyze

import (
	"archive/tar"
	"bytes"
	"context"
	"strings"
	"testing"
)

// Both tar readers hand over a database's content, whether the fast one
// reads the header or has handed the layer to archive/tar (a GNU header
// here), and skip everything else.
func TestCapturePackageDB(t *testing.T) {
	long := "var/lib/dpkg/info/" + strings.Repeat("x", 120) + ".list"
	files := []struct {
		name, body string
		format     tar.Format
	}{
		{"usr/bin/big", strings.Repeat("z", 70000), tar.FormatUSTAR},
		{"./var/lib/dpkg/status", "Package: a\nVersion: 1\n", tar.FormatUSTAR},
		{"var/lib/dpkg/info/a.list", "/.\n/usr/bin/big\n", tar.FormatUSTAR},
		{"etc/passwd", "root:x:0:0::/root:/bin/sh\n", tar.FormatUSTAR},
		{"usr/lib/systemd/system/x.service", "[Unit]\n", tar.FormatUSTAR},
		{long, "/usr\n", tar.FormatPAX},
		{"usr/lib/sysimage/rpm/rpmdb.sqlite", "SQLite format 3\x00", tar.FormatUSTAR},
		{"lib/apk/db/installed", "P:b\nV:2\n", tar.FormatGNU}, // from here on archive/tar reads
		{"var/lib/dpkg/status.d/c", "Package: c\nVersion: 3\n", tar.FormatUSTAR},
		{"var/lib/dpkg/status.d/empty", "", tar.FormatUSTAR},
		{"usr/lib/sysimage/rpm/Index.db", "not read", tar.FormatUSTAR},
		{"var/lib/rpm/Packages", "bdb", tar.FormatUSTAR},
		{"var/lib/rpm/Basenames", "an index, not read", tar.FormatUSTAR},
		{"var/lib/rpm/Packages.db", "ndb", tar.FormatUSTAR},
	}
	notDB := map[string]bool{"etc/passwd": true, "usr/lib/sysimage/rpm/Index.db": true, "usr/lib/systemd/system/x.service": true, "var/lib/rpm/Basenames": true}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Size: int64(len(f.body)), Mode: 0o644, Format: f.format}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(f.body))
	}
	tw.Close()
	want := map[string]string{}
	for _, f := range files[1:] {
		if !notDB[f.name] {
			n, _ := normalize(f.name)
			want[n] = f.body
		}
	}
	for _, hash := range []bool{false, true} {
		s, err := scanLayer(context.Background(), rawLayer{buf.Bytes()}, newTree(), false, hash, true, nil, 1)
		if err != nil {
			t.Fatalf("hash=%v: %v", hash, err)
		}
		got := map[string]string{}
		for _, f := range s.pkgdb {
			got[f.path] = string(f.data)
			if n, _ := normalize(files[f.entry].name); n != f.path {
				t.Errorf("hash=%v: %s points at entry %d, %s", hash, f.path, f.entry, files[f.entry].name)
			}
		}
		if len(got) != len(want) {
			t.Errorf("hash=%v: kept %d files, want %d", hash, len(got), len(want))
		}
		for p, b := range want {
			if got[p] != b {
				t.Errorf("hash=%v: %s kept as %q, want %q", hash, p, got[p], b)
			}
		}
		if len(s.entries) != len(files) || s.size != sizeOf(files) {
			t.Errorf("hash=%v: %d entries of %d bytes, want %d of %d", hash, len(s.entries), s.size, len(files), sizeOf(files))
		}
	}
}

func sizeOf(files []struct {
	name, body string
	format     tar.Format
}) int64 {
	var n int64
	for _, f := range files {
		n += int64(len(f.body))
	}
	return n
}

// A database over the bounds is not kept, and says so; the packages
// below it stay as they were rather than all seeming removed. rpm's
// database has a bound of its own, larger.
func TestPackageDBOverBound(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	big := int64(maxDBFileBytes + 1)
	tw.WriteHeader(&tar.Header{Name: "var/lib/dpkg/status", Typeflag: tar.TypeReg, Size: big, Mode: 0o644})
	tw.Write(make([]byte, big))
	tw.WriteHeader(&tar.Header{Name: "var/lib/rpm/Packages", Typeflag: tar.TypeReg, Size: big, Mode: 0o644})
	tw.Write(make([]byte, big))
	tw.Close()
	s, err := scanLayer(context.Background(), rawLayer{buf.Bytes()}, newTree(), false, false, true, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.pkgdb) != 2 || s.pkgdb[0].skipped != big || s.pkgdb[0].data != nil || s.dbBytes != big {
		t.Fatalf("kept %+v (%d bytes), want the status skipped", s.pkgdb, s.dbBytes)
	}
	if rpm := s.pkgdb[1]; rpm.skipped != 0 || int64(len(rpm.data)) != big {
		t.Errorf("rpm's %d-byte Packages: skipped %d, kept %d bytes; want it kept", big, rpm.skipped, len(rpm.data))
	}
	if n := s.pkgdb[0].skippedNote(1); !strings.Contains(n, "layer 1") || !strings.Contains(n, "var/lib/dpkg/status") {
		t.Errorf("note %q names neither the layer nor the file", n)
	}
}
