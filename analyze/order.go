package analyze

import (
	"cmp"
	"slices"
	"strings"
)

// SortedWasted returns a copy of files, largest waste first, then by path,
// so that every output lists them in the same order.
func SortedWasted(files []WastedFile) []WastedFile {
	out := slices.Clone(files)
	slices.SortStableFunc(out, func(a, b WastedFile) int {
		return cmp.Or(cmp.Compare(b.WastedBytes, a.WastedBytes), strings.Compare(a.Path, b.Path))
	})
	return out
}
