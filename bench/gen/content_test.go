package main

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// The pool should deflate about as well as real rootfs content does.
func TestPoolRatio(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := writeContent(zw, 8<<20, 12345); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	r := float64(8<<20) / float64(buf.Len())
	t.Logf("pool compression ratio %.2f", r)
	if r < 2.5 || r > 3.5 {
		t.Errorf("ratio %.2f, want 2.5-3.5", r)
	}
}
