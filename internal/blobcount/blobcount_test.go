package blobcount

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCounterCountsBlobGETs: through the proxy, the bytes of blob GETs
// are counted (whole and ranged), other paths and methods are not.
func TestCounterCountsBlobGETs(t *testing.T) {
	blob := strings.Repeat("x", 1000)
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "blob", time.Time{}, strings.NewReader(blob))
	}))
	defer reg.Close()
	var c Counter
	addr, err := Serve(Proxy(strings.TrimPrefix(reg.URL, "http://"), c.Wrap))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, rng string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get("/v2/app/blobs/sha256:aa", "")
	get("/v2/app/blobs/sha256:aa", "bytes=10-19")
	get("/v2/app/manifests/v1", "")
	if got := fmt.Sprint(c.Bytes.Load(), c.Requests.Load(), c.Ranged.Load()); got != "1010 2 1" {
		t.Errorf("bytes, requests, ranged = %s, want 1010 2 1", got)
	}
	c.Reset()
	if c.Bytes.Load()+c.Requests.Load()+c.Ranged.Load() != 0 {
		t.Error("Reset left counts")
	}
}
