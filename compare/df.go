package compare

import (
	"cmp"
	"slices"

	"github.com/strata-cli/strata/analyze"
)

// Usage is what several images cost together.
type Usage struct {
	Images []ImageUsage `json:"images"`
	// SumSizeBytes adds up every image's size as if nothing were shared.
	SumSizeBytes int64 `json:"sumSizeBytes"`
	// DiskBytes counts each distinct layer (by diffID) once: what the
	// images take in a store that shares layers.
	DiskBytes int64 `json:"diskBytes"`
	// WireBytes counts each distinct blob (by digest) once, compressed:
	// what pulling every image downloads.
	WireBytes int64 `json:"wireBytes"`
	// SharedLayers lists the layers more than one image has, largest first.
	SharedLayers []SharedLayer `json:"sharedLayers"`
}

// ImageUsage is one image's part of a Usage.
type ImageUsage struct {
	Reference           string `json:"reference"`
	SizeBytes           int64  `json:"sizeBytes"`
	CompressedSizeBytes int64  `json:"compressedSizeBytes"`
	Layers              int    `json:"layers"`
	// UniqueBytes counts the layers no other image has, SharedBytes those
	// at least one other image has (each distinct layer once).
	UniqueBytes int64 `json:"uniqueBytes"`
	SharedBytes int64 `json:"sharedBytes"`
}

// SharedLayer is a layer several images hold.
type SharedLayer struct {
	DiffID              string `json:"diffID"`
	SizeBytes           int64  `json:"sizeBytes"`
	CompressedSizeBytes int64  `json:"compressedSizeBytes"`
	Command             string `json:"command"`
	// Images lists the positions (in the order given) of the images that
	// hold the layer.
	Images []int `json:"images"`
}

// DiskUsage works out what the images share.
func DiskUsage(results []*analyze.Result) Usage {
	u := Usage{Images: make([]ImageUsage, len(results)), SharedLayers: []SharedLayer{}}
	holders := map[string][]int{}
	first := map[string]analyze.Layer{}
	var order []string
	digests := map[string]bool{}
	for i, res := range results {
		for _, l := range res.Layers {
			if h := holders[l.DiffID]; len(h) == 0 || h[len(h)-1] != i {
				holders[l.DiffID] = append(h, i)
			}
			if _, ok := first[l.DiffID]; !ok {
				first[l.DiffID] = l
				order = append(order, l.DiffID)
				u.DiskBytes += l.SizeBytes
			}
			if !digests[l.Digest] {
				digests[l.Digest] = true
				u.WireBytes += l.CompressedSizeBytes
			}
		}
	}
	for i, res := range results {
		iu := ImageUsage{Reference: res.Image.Reference, SizeBytes: res.Image.SizeBytes,
			CompressedSizeBytes: res.Image.CompressedSizeBytes, Layers: len(res.Layers)}
		seen := map[string]bool{}
		for _, l := range res.Layers {
			if seen[l.DiffID] {
				continue
			}
			seen[l.DiffID] = true
			if len(holders[l.DiffID]) > 1 {
				iu.SharedBytes += l.SizeBytes
			} else {
				iu.UniqueBytes += l.SizeBytes
			}
		}
		u.SumSizeBytes += iu.SizeBytes
		u.Images[i] = iu
	}
	for _, d := range order {
		if h := holders[d]; len(h) > 1 {
			l := first[d]
			u.SharedLayers = append(u.SharedLayers, SharedLayer{DiffID: d, SizeBytes: l.SizeBytes,
				CompressedSizeBytes: l.CompressedSizeBytes, Command: l.Command, Images: h})
		}
	}
	slices.SortStableFunc(u.SharedLayers, func(a, b SharedLayer) int { return cmp.Compare(b.SizeBytes, a.SizeBytes) })
	return u
}
