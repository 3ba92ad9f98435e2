package imagetest

import (
	"time"

	"github.com/strata-cli/strata/analyze"
)

// SampleResult is a hand-built result shaped like a small Debian image with
// an apt cache that a later layer deletes. It has no Tree.
func SampleResult() *analyze.Result {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &analyze.Result{
		Image: analyze.Summary{
			Reference:           "docker-archive://app.tar",
			Digest:              "sha256:1111111111111111111111111111111111111111111111111111111111111111",
			ConfigDigest:        "sha256:2222222222222222222222222222222222222222222222222222222222222222",
			Platform:            "linux/amd64",
			SizeBytes:           80_000_000,
			CompressedSizeBytes: 30_000_000,
			FileCount:           4321,
			WastedBytes:         12_000_000,
			Efficiency:          0.85,
			UserWastedBytes:     12_000_000,
			UserWastedPercent:   0.4,
		},
		Layers: []analyze.Layer{
			{Index: 0, Digest: "sha256:aaaa", DiffID: "sha256:bbbb", Command: "/bin/sh -c #(nop) ADD file:0123abcd in / ",
				SizeBytes: 50_000_000, CompressedSizeBytes: 20_000_000, FileCount: 4000, Added: 4000},
			{Index: 1, Digest: "sha256:cccc", DiffID: "sha256:dddd", Command: "RUN /bin/sh -c apt-get update && apt-get install -y curl ca-certificates git openssh-client # buildkit",
				SizeBytes: 30_000_000, CompressedSizeBytes: 10_000_000, FileCount: 330, Added: 320, Modified: 10, WastedBytes: 12_000_000},
			{Index: 2, Digest: "sha256:eeee", DiffID: "sha256:ffff", Command: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit",
				FileCount: 0, Removed: 9},
		},
		History: []analyze.HistoryEntry{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:0123abcd in / ", Created: created, LayerIndex: 0},
			{CreatedBy: "/bin/sh -c #(nop)  CMD [\"bash\"]", Created: created, EmptyLayer: true, LayerIndex: -1},
			{CreatedBy: "RUN /bin/sh -c apt-get update && apt-get install -y curl ca-certificates git openssh-client # buildkit", Created: created, LayerIndex: 1},
			{CreatedBy: "RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", LayerIndex: 2},
		},
		WastedFiles: []analyze.WastedFile{
			{Path: "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", WastedBytes: 9_000_000, Layers: []int{1}},
			{Path: "var/cache/debconf/templates.dat", WastedBytes: 2_000_000, Layers: []int{0, 1}},
			{Path: "etc/weird-\xffname", WastedBytes: 1_000_000, Layers: []int{1}},
		},
	}
}
