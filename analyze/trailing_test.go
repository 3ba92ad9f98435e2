package analyze_test

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// TestTrailingDataIsBounded: the padding after a tar's end-of-archive
// marker is read (the diff_id covers it) up to 16 MiB; a gzip stream of
// zeros going on past that is refused rather than inflated to its end.
func TestTrailingDataIsBounded(t *testing.T) {
	tarBytes := it.Tar(it.File("etc/a", "a\n"))
	for _, tc := range []struct {
		name     string
		trailing int
		wantErr  bool
	}{
		{"a 1 MiB record's padding", 1 << 20, false},
		{"20 MiB of zeros", 20 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := append(append([]byte{}, tarBytes...), make([]byte, tc.trailing)...)
			img := it.MustImage(t, []v1.Layer{it.MustLayer(t, b, it.Gzip)}, nil, nil)
			_, err := analyze.Analyze(context.Background(), img, analyze.Options{})
			if tc.wantErr != (err != nil) || (err != nil && !strings.Contains(err.Error(), "after the end-of-archive marker")) {
				t.Errorf("err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
