package analyze_test

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-cli/strata/analyze"
)

// TestTOCFallsBack streams the layers whole when ranges are refused, the
// TOC does not match its digest or cannot be where its annotation says,
// or a full read is asked for; the result is the stream's, and progress
// says why.
func TestTOCFallsBack(t *testing.T) {
	for _, c := range tocCases {
		key := analyze.EstargzTOCAnnotation
		if c.name == "zstd:chunked" {
			key = analyze.ZstdChunkedChecksumAnnotation
		}
		cases := []struct {
			name   string
			tamper func(map[string]string)
			refuse bool
			opts   analyze.Options
			why    string
		}{
			{name: "no ranges", refuse: true, why: "whole blob"},
			{name: "wrong digest", tamper: func(a map[string]string) { a[key] = "sha256:" + strings.Repeat("0", 64) }, why: "the layer annotation says sha256:0000"},
			{name: "full", opts: analyze.Options{Full: true}, why: "full read asked for"},
		}
		if c.name == "zstd:chunked" {
			cases = append(cases, struct {
				name   string
				tamper func(map[string]string)
				refuse bool
				opts   analyze.Options
				why    string
			}{name: "position past the blob", tamper: func(a map[string]string) {
				a[analyze.ZstdChunkedPositionAnnotation] = "99999999:10:10:1"
			}, why: "does not fit"})
		}
		for _, tc := range cases {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				img, fetched, total := seekableImage(t, c, tc.tamper)
				for _, l := range img.layers {
					l.(*rangedLayer).refuse = tc.refuse
				}
				clean, _, _ := seekableImage(t, c, nil)
				want, err := analyze.Analyze(context.Background(), clean, analyze.Options{Full: true})
				if err != nil {
					t.Fatal(err)
				}
				var log progressLog
				opts := tc.opts
				opts.Progress = log.add
				got, err := analyze.Analyze(context.Background(), img, opts)
				if err != nil {
					t.Fatal(err)
				}
				// A tampered annotation changes the manifest's digest only.
				got.Image.Digest, want.Image.Digest = "", ""
				if a, b := everything(want), everything(got); a != b {
					t.Errorf("fallback differs from the stream:\n--- stream\n%s\n--- fallback\n%s", a, b)
				}
				if f := fetched.Load(); f < total {
					t.Errorf("fallback fetched %d bytes of %d", f, total)
				}
				for _, p := range log.done {
					if p.TOC != "" || !strings.Contains(p.Fallback, tc.why) {
						t.Errorf("layer %d: TOC=%q fallback=%q, want it to say %q", p.Layer, p.TOC, p.Fallback, tc.why)
					}
				}
			})
		}
	}
}

func TestTOCCache(t *testing.T) {
	for _, c := range tocCases {
		t.Run(c.name, func(t *testing.T) {
			img, fetched, _ := seekableImage(t, c, nil)
			cache := &memCache{}
			first, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			if cache.stores != len(img.layers) || cache.bindStore != 0 {
				t.Fatalf("a TOC read stored %d records and %d bindings; want one record a layer and no binding (nothing was checked against a diff_id)", cache.stores, cache.bindStore)
			}
			fetched.Store(0)
			var log progressLog
			second, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: cache, Progress: log.add})
			if err != nil {
				t.Fatal(err)
			}
			if a, b := everything(first), everything(second); a != b {
				t.Errorf("cached TOC read differs:\n%s\n---\n%s", a, b)
			}
			if f := fetched.Load(); f != 0 {
				t.Errorf("second read fetched %d bytes; want all from the cache", f)
			}
			for _, p := range log.done {
				if !p.Cached || p.TOC != c.name {
					t.Errorf("layer %d: cached=%v TOC=%q", p.Layer, p.Cached, p.TOC)
				}
			}
			// A full read verifies: the TOC's records do not answer for it.
			fetched.Store(0)
			if _, err := analyze.Analyze(context.Background(), img, analyze.Options{Cache: cache, Full: true}); err != nil {
				t.Fatal(err)
			}
			if fetched.Load() == 0 {
				t.Error("a full read was answered by records a TOC read made")
			}
		})
	}
}
