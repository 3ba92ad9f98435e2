package analyze

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

	"github.com/containerd/stargz-snapshotter/estargz"
)

// legacyFooter is the footer the original stargz writes: an empty gzip
// member whose whole extra field is the TOC offset in hex and "STARGZ".
func legacyFooter(t *testing.T, off int64) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Header.Extra = fmt.Appendf(nil, "%016xSTARGZ", off)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestStargzFooter(t *testing.T) {
	sg := []byte{'S', 'G', 22, 0}
	current := estargz.CreateGzipFooter(fmt.Appendf(sg, "%016xSTARGZ", 123456))
	body := bytes.Repeat([]byte{0x1f, 0x8b, 8, 4}, 40) // gzip-looking bytes before the footer
	mutate := func(b []byte, i int, c byte) []byte { b = bytes.Clone(b); b[len(b)+i] = c; return b }
	tests := []struct {
		name string
		tail []byte
		want bool
	}{
		{"eStargz", append(bytes.Clone(body), current...), true},
		{"eStargz footer alone", current, true},
		{"legacy stargz", append(bytes.Clone(body), legacyFooter(t, 99)...), true},
		{"magic misspelt", mutate(current, -14, 'X'), false},     // the last byte of "STARGZ"
		{"offset not hex", mutate(current, -30, 'g'), false},     // within the 16 digits
		{"footer with content", mutate(current, -1, 1), false},   // ISIZE
		{"subfield not SG", mutate(current, -51+12, 'X'), false}, // subfield id
		{"not gzip", mutate(current, -51, 0), false},             // ID1
		{"cut short", current[:len(current)-1], false},           // a byte lost
		{"plain gzip end", body, false},
		{"empty", nil, false},
	}
	if n := len(legacyFooter(t, 0)); n != stargzFooterSize {
		t.Fatalf("legacy footer is %d bytes, want %d", n, stargzFooterSize)
	}
	for _, tt := range tests {
		// Read through tailReader a byte at a time and in one go: the tail
		// kept must be the same.
		for _, r := range []io.Reader{bytes.NewReader(tt.tail), iotest.OneByteReader(bytes.NewReader(tt.tail)), iotest.HalfReader(bytes.NewReader(tt.tail))} {
			tr := &tailReader{r: r}
			if _, err := io.Copy(io.Discard, tr); err != nil {
				t.Fatal(err)
			}
			if got := hasStargzFooter(tr.tail()); got != tt.want {
				t.Errorf("%s: footer found = %v, want %v", tt.name, got, tt.want)
			}
			if want := tt.tail[max(0, len(tt.tail)-estargzFooterSize):]; !bytes.Equal(tr.tail(), want) {
				t.Errorf("%s: tail kept %x, want %x", tt.name, tr.tail(), want)
			}
		}
	}
}

// estargzBlob is tarBytes as an eStargz blob, for fuzz seeds.
func estargzBlob(f *testing.F, tarBytes []byte) []byte {
	blob, err := estargz.Build(io.NewSectionReader(bytes.NewReader(tarBytes), 0, int64(len(tarBytes))))
	if err != nil {
		f.Fatal(err)
	}
	defer blob.Close()
	b, err := io.ReadAll(blob)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzTailReader reads arbitrary bytes through a tailReader in reads of
// arbitrary sizes: what it keeps is always the stream's last bytes.
func FuzzTailReader(f *testing.F) {
	f.Add(estargz.CreateGzipFooter(fmt.Appendf([]byte{'S', 'G', 22, 0}, "%016xSTARGZ", 7)), uint8(3))
	f.Add([]byte("short"), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		tr := &tailReader{r: bytes.NewReader(b)}
		p := make([]byte, int(step)+1)
		for {
			if _, err := tr.Read(p); err != nil {
				break
			}
		}
		if want := b[max(0, len(b)-estargzFooterSize):]; !bytes.Equal(tr.tail(), want) {
			t.Fatalf("kept %x, want %x", tr.tail(), want)
		}
		hasStargzFooter(tr.tail())
	})
}
