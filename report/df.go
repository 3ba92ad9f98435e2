package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	imgcmp "github.com/strata-cli/strata/compare"

	"github.com/strata-cli/strata/internal/units"
)

// JSONDF is the df --json document.
type JSONDF struct {
	SchemaVersion int `json:"schemaVersion"`
	imgcmp.Usage
	// Skipped lists the images df --all listed but could not read (gone
	// since, or without their blobs in containerd), none otherwise.
	Skipped []DFSkipped `json:"skipped,omitempty"`
}

// DFSkipped is an image df --all passed over, and why.
type DFSkipped struct {
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

func WriteDF(w io.Writer, u imgcmp.Usage, width int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-3s  %8s  %8s  %8s  %6s  %s\n", "#", "SIZE", "UNIQUE", "SHARED", "LAYERS", "IMAGE")
	for i, im := range u.Images {
		fmt.Fprintf(&b, "  %-3d  %8s  %8s  %8s  %6d  %s\n", i+1, units.Bytes(im.SizeBytes), units.Bytes(im.UniqueBytes),
			units.Bytes(im.SharedBytes), im.Layers, printable(im.Reference))
	}
	fmt.Fprintf(&b, "\nTotal: %s if nothing were shared; %s on disk (layers by diffID, once each); %s over the wire (blobs by digest, compressed)\n",
		units.Bytes(u.SumSizeBytes), units.Bytes(u.DiskBytes), units.Bytes(u.WireBytes))
	b.WriteString("\nShared layers:\n")
	if len(u.SharedLayers) == 0 {
		b.WriteString("  none\n")
	} else {
		fmt.Fprintf(&b, "  %8s  %-12s  %s\n", "SIZE", "IMAGES", "COMMAND")
		for _, l := range u.SharedLayers {
			ids := make([]string, len(l.Images))
			for i, n := range l.Images {
				ids[i] = strconv.Itoa(n + 1)
			}
			line := fmt.Sprintf("  %8s  %-12s  %s", units.Bytes(l.SizeBytes), strings.Join(ids, ","), truncate(displayCommand(l.Command), width-26))
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
