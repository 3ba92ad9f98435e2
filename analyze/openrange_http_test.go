package analyze_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
)

// httpLayer reads its blob's spans with HTTP Range requests, as a
// registry source would, and says ErrNoRange when the server answers with
// the whole blob.
type httpLayer struct {
	v1.Layer
	url string
}

func (h httpLayer) OpenRange(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, analyze.ErrNoRange
	}
	return resp.Body, nil
}

// TestOpenEntryOverHTTPRange: a server that honours Range serves the file
// from its checkpoint; one that sends the whole blob (200) is fallen back
// from, and the file still reads right.
func TestOpenEntryOverHTTPRange(t *testing.T) {
	tarBytes, files := seekFixture([]int{100, 5 << 20, 3 << 20, 700})
	blob := gzipMembers(t, tarBytes, 0)
	for _, tc := range []struct {
		name    string
		ranges  bool
		partial int // 206 answers expected
	}{{"206", true, 1}, {"200 only", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			var partial, sent atomic.Int64 // the handler runs on the server's goroutines
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !tc.ranges {
					r.Header.Del("Range")
				}
				cw := &countWriter{ResponseWriter: w}
				http.ServeContent(cw, r, "blob", time.Time{}, bytes.NewReader(blob))
				if cw.status == http.StatusPartialContent {
					partial.Add(1)
				}
				sent.Add(int64(cw.n))
			}))
			t.Cleanup(srv.Close) // on a failure before the Close below
			l := blobLayer(t, blob)
			rec := analyzeWith(t, l, analyze.Options{ReadsFiles: true})
			l.whole.Store(0)
			got := readEntry(t, httpLayer{Layer: l, url: srv.URL}, rec, 4) // after etc/, data/ and the first two files
			srv.Close()                                                    // waits for the handler: the counts are final
			if !bytes.Equal(got, files[2].body) {
				t.Fatalf("read %d bytes, not the file's %d", len(got), len(files[2].body))
			}
			if n := partial.Load(); n != int64(tc.partial) {
				t.Errorf("%d partial answers, want %d", n, tc.partial)
			}
			if n := sent.Load(); tc.ranges && (l.whole.Load() != 0 || n >= int64(len(blob)/2)) {
				t.Errorf("the ranged read took %d bytes over HTTP and %d from the stream, of a %d-byte blob", n, l.whole.Load(), len(blob))
			}
			if !tc.ranges && l.whole.Load() == 0 {
				t.Error("the whole-blob answer was not fallen back from")
			}
		})
	}
}

type countWriter struct {
	http.ResponseWriter
	status, n int
}

func (c *countWriter) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += n
	return n, err
}
