package report

import (
	"encoding/json"
	"io"
	"io/fs"
	"time"

	"github.com/strata-cli/strata/analyze"
)

// JSONSchemaVersion is bumped on any change that could break a script
// reading the output; adding a field is not such a change.
const JSONSchemaVersion = 1

// The json* types are the --json contract. They are kept apart from the
// analyze types so that the library can change without breaking scripts.
type JSONReport struct {
	SchemaVersion int              `json:"schemaVersion"`
	Image         JSONImage        `json:"image"`
	Layers        []JSONLayer      `json:"layers"`
	History       []JSONHistory    `json:"history"`
	WastedFiles   []JSONWastedFile `json:"wastedFiles"`
	// Packages lists every package installed in the final filesystem,
	// largest first; empty when the image holds no dpkg, apk or rpm database.
	Packages []JSONPackage `json:"packages"`
	// Secrets lists the files in any layer that look like credentials
	// (see JSONSecret); [] when there are none.
	Secrets []JSONSecret `json:"secrets"`
	// Advice explains the waste and suggests fixes (see advice_out.go).
	Advice []JSONAdvice `json:"advice"`
	// Dockerfile is present only with --dockerfile.
	Dockerfile *JSONDockerfile `json:"dockerfile,omitempty"`
}

type JSONImage struct {
	Reference string `json:"reference"`
	// Source is the kind of source the image was read from: docker,
	// podman, registry, docker-archive, oci or oci-archive.
	Source              string  `json:"source"`
	Digest              string  `json:"digest"`
	ConfigDigest        string  `json:"configDigest"`
	Platform            string  `json:"platform"`
	SizeBytes           int64   `json:"sizeBytes"`
	CompressedSizeBytes int64   `json:"compressedSizeBytes"`
	FileCount           int     `json:"fileCount"`
	WastedBytes         int64   `json:"wastedBytes"`
	Efficiency          float64 `json:"efficiency"`
	UserWastedBytes     int64   `json:"userWastedBytes"`
	UserWastedPercent   float64 `json:"userWastedPercent"`
}

type JSONLayer struct {
	Index               int    `json:"index"`
	Digest              string `json:"digest"`
	DiffID              string `json:"diffID"`
	Command             string `json:"command"`
	SizeBytes           int64  `json:"sizeBytes"`
	CompressedSizeBytes int64  `json:"compressedSizeBytes"`
	FileCount           int    `json:"fileCount"`
	Added               int    `json:"added"`
	Modified            int    `json:"modified"`
	Removed             int    `json:"removed"`
	WastedBytes         int64  `json:"wastedBytes"`
	// PackagedBytes are the layer's file bytes some package owns,
	// UnpackagedBytes the rest; both 0 when the image holds no package
	// database.
	PackagedBytes   int64 `json:"packagedBytes"`
	UnpackagedBytes int64 `json:"unpackagedBytes"`
	// Packages are those the layer added, removed, upgraded, reinstalled
	// or wrote files of, largest first.
	Packages []JSONLayerPackage `json:"packages"`
	// Files is present only with --files; a pointer so that a layer
	// without entries still prints "files": [].
	Files *[]JSONFile `json:"files,omitempty"`
}

type JSONFile struct {
	Path       string `json:"path"`
	Kind       string `json:"kind"`
	SizeBytes  int64  `json:"sizeBytes"`
	Mode       uint32 `json:"mode"`
	UID        uint32 `json:"uid"`
	GID        uint32 `json:"gid"`
	LinkTarget string `json:"linkTarget"` // "" for every kind but a link: scripts may rely on the field being there
	Change     string `json:"change"`
}

type JSONHistory struct {
	CreatedBy  string  `json:"createdBy"`
	Created    *string `json:"created"` // RFC 3339; null when the image does not say
	EmptyLayer bool    `json:"emptyLayer"`
	LayerIndex *int    `json:"layerIndex"` // null for a step that made no layer
}

type JSONWastedFile struct {
	Path        string `json:"path"`
	WastedBytes int64  `json:"wastedBytes"`
	// Layers stored a hidden copy; HiddenBy hid them (the explorer's
	// "Stored in" and "Hidden by").
	Layers   []int `json:"layers"`
	HiddenBy []int `json:"hiddenBy"`
}

// NewJSONReport converts a result. With files set, every layer lists its
// entries, which needs res.Tree. It builds the whole document, for tests
// and small images; WriteJSONReport writes the same bytes without holding
// it.
func NewJSONReport(res *analyze.Result, files bool) JSONReport {
	r := JSONReport{
		SchemaVersion: JSONSchemaVersion,
		Image:         jsonImage(res),
		Layers:        make([]JSONLayer, 0, len(res.Layers)),
		History:       make([]JSONHistory, 0, len(res.History)),
		WastedFiles:   make([]JSONWastedFile, 0, len(res.WastedFiles)),
		Packages:      jsonPackages(res.Packages),
		Secrets:       jsonSecrets(res),
		Advice:        adviceJSON(res),
		Dockerfile:    jsonDockerfile(res),
	}
	for i, l := range res.Layers {
		jl := jsonLayer(l)
		if files && res.Tree != nil {
			fl := make([]JSONFile, 0, len(l.Entries))
			for j := range l.Entries {
				fl = append(fl, jsonFile(res, i, j))
			}
			jl.Files = &fl
		}
		r.Layers = append(r.Layers, jl)
	}
	for _, h := range res.History {
		r.History = append(r.History, jsonHistory(h))
	}
	for _, w := range res.WastedFiles {
		r.WastedFiles = append(r.WastedFiles, jsonWasted(w))
	}
	return r
}

func jsonImage(res *analyze.Result) JSONImage {
	s := res.Image
	return JSONImage{
		Reference:           cleanString(s.Reference),
		Digest:              s.Digest,
		ConfigDigest:        s.ConfigDigest,
		Platform:            s.Platform,
		SizeBytes:           s.SizeBytes,
		CompressedSizeBytes: s.CompressedSizeBytes,
		FileCount:           s.FileCount,
		WastedBytes:         s.WastedBytes,
		Efficiency:          s.Efficiency,
		UserWastedBytes:     s.UserWastedBytes,
		UserWastedPercent:   s.UserWastedPercent,
	}
}

func jsonLayer(l analyze.Layer) JSONLayer {
	return JSONLayer{
		Index:               l.Index,
		Digest:              l.Digest,
		DiffID:              l.DiffID,
		Command:             cleanString(l.Command),
		SizeBytes:           l.SizeBytes,
		CompressedSizeBytes: l.CompressedSizeBytes,
		FileCount:           l.FileCount,
		Added:               l.Added,
		Modified:            l.Modified,
		Removed:             l.Removed,
		WastedBytes:         l.WastedBytes,
		PackagedBytes:       l.PackagedBytes,
		UnpackagedBytes:     l.UnpackagedBytes,
		Packages:            jsonLayerPackages(l.Packages),
	}
}

// jsonFile is entry j of layer i.
func jsonFile(res *analyze.Result, i, j int) JSONFile {
	e := res.Layers[i].Entries[j]
	return JSONFile{
		Path:       cleanString(res.Tree.Path(e.Node)),
		Kind:       e.Kind.String(),
		SizeBytes:  e.Size,
		Mode:       unixMode(e.Mode),
		UID:        e.UID,
		GID:        e.GID,
		LinkTarget: cleanString(res.Tree.LinkTarget(e)),
		Change:     e.Change.String(),
	}
}

func jsonHistory(h analyze.HistoryEntry) JSONHistory {
	jh := JSONHistory{CreatedBy: cleanString(h.CreatedBy), EmptyLayer: h.EmptyLayer}
	if !h.Created.IsZero() {
		c := h.Created.UTC().Format(time.RFC3339Nano)
		jh.Created = &c
	}
	if h.LayerIndex >= 0 {
		i := h.LayerIndex
		jh.LayerIndex = &i
	}
	return jh
}

func jsonWasted(w analyze.WastedFile) JSONWastedFile {
	layers := w.Layers
	if layers == nil {
		layers = []int{}
	}
	hidden := w.HiddenBy
	if hidden == nil {
		hidden = []int{}
	}
	return JSONWastedFile{Path: cleanString(w.Path), WastedBytes: w.WastedBytes, Layers: layers, HiddenBy: hidden}
}

// unixMode turns Go's fs.FileMode into the st_mode permission bits a tar
// header carries, which is what scripts compare against (0o4755 and so on).
// Go keeps setuid, setgid and sticky in high bits of its own.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// EncodeJSON writes one of strata's JSON documents, indented: the one
// encoder every command's --json and --format json go through.
func EncodeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Paths and shell commands are full of & < >; keep them readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
