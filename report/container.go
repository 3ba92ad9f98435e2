package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/strata-cli/strata/analyze"
	"github.com/strata-cli/strata/internal/units"
)

// JSONContainerReport is the container --json document: the root
// command's document, plus what the container is.
type JSONContainerReport struct {
	JSONReport
	Container JSONContainer `json:"container"`
}

type JSONContainer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Image    string `json:"image"`    // image ID
	ImageRef string `json:"imageRef"` // the name it was created from
	State    string `json:"state"`
	// LayerIndex is the writable layer's index in layers.
	LayerIndex int `json:"layerIndex"`
	// SizeRw is the daemon's size of the writable layer (docker ps -s);
	// null when the daemon did not report one.
	SizeRw *int64 `json:"sizeRw"`
	// SymlinkBytes adds up the target lengths of the layer's symbolic
	// links, which SizeRw counts and sizeBytes does not.
	SymlinkBytes int64 `json:"symlinkBytes"`
	// Diff counts the paths docker diff lists, directories included.
	Diff JSONContainerDiff `json:"diff"`
}

type JSONContainerDiff struct {
	Added   int `json:"added"`
	Changed int `json:"changed"`
	Deleted int `json:"deleted"`
}

// Container is what the container commands know of the container whose
// writable layer tops the analysed image.
type Container struct {
	ID, Name        string
	Image, ImageRef string // the image's ID, and the name it was created from
	State           string
	// SizeRw is the daemon's size of the writable layer (docker ps -s),
	// which counts symbolic links at their target's length; HasSizeRw is
	// false when the daemon gave none.
	SizeRw    int64
	HasSizeRw bool
	// Added, Changed and Deleted count the paths docker diff lists.
	Added, Changed, Deleted int
	// Layer is the index of the writable layer: the image's last.
	Layer int
}

// ContainerReference names the analysed image: the container on top of
// the image it was created from.
func ContainerReference(info Container) string {
	return fmt.Sprintf("container %s (%s) on %s", info.Name, shortHex(info.ID), orDash(info.ImageRef))
}

func shortHex(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// symlinkBytes adds up the target lengths of layer's symbolic links.
func symlinkBytes(res *analyze.Result, layer int) int64 {
	if res.Tree == nil || layer < 0 || layer >= len(res.Layers) {
		return 0
	}
	var n int64
	for _, en := range res.Layers[layer].Entries {
		if en.Kind == analyze.KindSymlink && en.Change != analyze.ChangeRemoved {
			n += int64(len(res.Tree.LinkTarget(en)))
		}
	}
	return n
}

// ContainerJSON is the container part of the --json document.
func ContainerJSON(res *analyze.Result, info Container) JSONContainer {
	jc := JSONContainer{
		ID: info.ID, Name: info.Name, Image: info.Image, ImageRef: info.ImageRef, State: info.State,
		LayerIndex:   info.Layer,
		SymlinkBytes: symlinkBytes(res, info.Layer),
		Diff:         JSONContainerDiff{Added: info.Added, Changed: info.Changed, Deleted: info.Deleted},
	}
	if info.HasSizeRw {
		n := info.SizeRw
		jc.SizeRw = &n
	}
	return jc
}

// WriteContainerHeader says which container the report is about and how
// its writable layer compares with the daemon's own count.
func WriteContainerHeader(w io.Writer, res *analyze.Result, info Container) error {
	var b strings.Builder
	field := func(name, value string) { fmt.Fprintf(&b, "%-13s%s\n", name+":", value) }
	field("Container", fmt.Sprintf("%s (%s), %s", printable(info.Name), shortHex(info.ID), orDash(info.State)))
	field("From image", fmt.Sprintf("%s (%s)", printable(orDash(info.ImageRef)), shortHex(info.Image)))
	if info.Layer < len(res.Layers) {
		l := res.Layers[info.Layer]
		field("Writable", fmt.Sprintf("layer %d: %s in %d files; %d added, %d modified, %d removed",
			l.Index, units.BytesExact(l.SizeBytes), l.FileCount, l.Added, l.Modified, l.Removed))
		if info.HasSizeRw {
			sl := symlinkBytes(res, info.Layer)
			note := "the same count"
			switch d := info.SizeRw - l.SizeBytes; {
			case d == sl && sl > 0:
				note = fmt.Sprintf("the same files plus %s of symlink targets, which strata counts as 0", units.BytesExact(sl))
			case d != 0:
				note = fmt.Sprintf("%s more than strata; symlink targets account for %s", units.BytesExact(d), units.BytesExact(sl))
			}
			field("SizeRw", fmt.Sprintf("%s (docker ps -s): %s", units.BytesExact(info.SizeRw), note))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
