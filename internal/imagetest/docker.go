package imagetest

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// dockerManifestEntry is one element of a docker-save manifest.json.
type dockerManifestEntry struct {
	Config       string
	RepoTags     []string
	Layers       []string
	LayerSources map[v1.Hash]v1.Descriptor `json:",omitempty"`
}

// layerData is what the docker writers need from each layer.
type layerData struct {
	diffID v1.Hash
	raw    []byte
}

func uncompressedLayers(img v1.Image) ([]layerData, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	out := make([]layerData, 0, len(layers))
	for i, l := range layers {
		diffID, err := l.DiffID()
		if err != nil {
			return nil, fmt.Errorf("layer %d: diffid: %w", i, err)
		}
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, fmt.Errorf("layer %d: opening: %w", i, err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("layer %d: reading: %w", i, err)
		}
		out = append(out, layerData{diffID: diffID, raw: raw})
	}
	return out, nil
}

// archiveParts returns what both docker-archive layouts hold: the
// uncompressed layers, the raw config and its name.
func archiveParts(img v1.Image) (layers []layerData, rawCfg []byte, cfgName v1.Hash, err error) {
	if layers, err = uncompressedLayers(img); err != nil {
		return nil, nil, v1.Hash{}, err
	}
	if rawCfg, err = img.RawConfigFile(); err != nil {
		return nil, nil, v1.Hash{}, fmt.Errorf("reading config: %w", err)
	}
	if cfgName, err = img.ConfigName(); err != nil {
		return nil, nil, v1.Hash{}, fmt.Errorf("reading config name: %w", err)
	}
	return layers, rawCfg, cfgName, nil
}

// WriteDockerArchive writes img to path in the classic `docker save` layout
// of Docker 24 and earlier: one directory per layer holding an uncompressed
// layer.tar (plus VERSION and json), the config as <hex>.json, manifest.json
// and, when tag is set, repositories.
func WriteDockerArchive(path string, img v1.Image, tag string) error {
	layers, rawCfg, cfgName, err := archiveParts(img)
	if err != nil {
		return err
	}

	return writeTarFile(path, func(tw *tarWriter) error {
		entry := dockerManifestEntry{Config: cfgName.Hex + ".json"}
		parent := ""
		for _, l := range layers {
			// Docker's legacy v1 ids chain the parent's id with the layer's
			// diffID; any stable, unique-per-position id does here.
			sum := sha256.Sum256([]byte(parent + "\n" + l.diffID.String()))
			id := hex.EncodeToString(sum[:])
			v1json, err := json.Marshal(struct {
				ID     string `json:"id"`
				Parent string `json:"parent,omitempty"`
			}{id, parent})
			if err != nil {
				return err
			}
			tw.dir(id + "/")
			tw.file(id+"/VERSION", []byte("1.0"))
			tw.file(id+"/json", v1json)
			tw.file(id+"/layer.tar", l.raw)
			entry.Layers = append(entry.Layers, id+"/layer.tar")
			parent = id
		}
		tw.file(entry.Config, rawCfg)
		if tag != "" {
			entry.RepoTags = []string{tag}
		}
		mj, err := json.Marshal([]dockerManifestEntry{entry})
		if err != nil {
			return err
		}
		tw.file("manifest.json", mj)
		if tag != "" {
			repo, t := splitTag(tag)
			rj, err := json.Marshal(map[string]map[string]string{repo: {t: parent}})
			if err != nil {
				return err
			}
			tw.file("repositories", rj)
		}
		return nil
	})
}

// WriteDocker25Archive writes img to path the way `docker save` does since
// Docker 25: an OCI layout (oci-layout, index.json, blobs/sha256/...) whose
// layers are uncompressed tars, plus a manifest.json whose Config and Layers
// are blob paths and whose LayerSources map each diffID to its descriptor.
func WriteDocker25Archive(path string, img v1.Image, tag string) error {
	layers, rawCfg, cfgName, err := archiveParts(img)
	if err != nil {
		return err
	}

	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config: v1.Descriptor{
			MediaType: types.OCIConfigJSON,
			Size:      int64(len(rawCfg)),
			Digest:    cfgName,
		},
	}
	entry := dockerManifestEntry{
		Config:       "blobs/sha256/" + cfgName.Hex,
		LayerSources: map[v1.Hash]v1.Descriptor{},
	}
	for _, l := range layers {
		d := v1.Descriptor{MediaType: types.OCIUncompressedLayer, Size: int64(len(l.raw)), Digest: l.diffID}
		m.Layers = append(m.Layers, d)
		entry.Layers = append(entry.Layers, "blobs/sha256/"+l.diffID.Hex)
		entry.LayerSources[l.diffID] = d
	}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return err
	}
	manifestDigest := sha256Hash(rawManifest)

	desc := v1.Descriptor{
		MediaType: types.OCIManifestSchema1,
		Size:      int64(len(rawManifest)),
		Digest:    manifestDigest,
	}
	if tag != "" {
		entry.RepoTags = []string{tag}
		_, t := splitTag(tag)
		desc.Annotations = map[string]string{
			"io.containerd.image.name": tag,
			RefNameAnnotation:          t,
		}
	}
	index := v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests:     []v1.Descriptor{desc},
	}
	rawIndex, err := json.Marshal(index)
	if err != nil {
		return err
	}
	mj, err := json.Marshal([]dockerManifestEntry{entry})
	if err != nil {
		return err
	}

	return writeTarFile(path, func(tw *tarWriter) error {
		tw.dir("blobs/")
		tw.dir("blobs/sha256/")
		written := map[v1.Hash]bool{}
		for _, l := range layers {
			if written[l.diffID] {
				continue
			}
			written[l.diffID] = true
			tw.file("blobs/sha256/"+l.diffID.Hex, l.raw)
		}
		tw.file("blobs/sha256/"+cfgName.Hex, rawCfg)
		tw.file("blobs/sha256/"+manifestDigest.Hex, rawManifest)
		tw.file("index.json", rawIndex)
		tw.file("manifest.json", mj)
		tw.file("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
		if tag != "" {
			repo, t := splitTag(tag)
			rj, err := json.Marshal(map[string]map[string]string{repo: {t: manifestDigest.Hex}})
			if err != nil {
				return err
			}
			tw.file("repositories", rj)
		}
		return nil
	})
}

// splitTag splits "repo:tag" into its parts; the tag defaults to latest.
func splitTag(ref string) (repo, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}

// tarWriter writes deterministic archive members and remembers the first
// error, so that writers read as a flat list of members.
type tarWriter struct {
	tw  *tar.Writer
	err error
}

func (w *tarWriter) header(hdr *tar.Header, body []byte) {
	if w.err != nil {
		return
	}
	hdr.ModTime = Epoch
	hdr.Format = tar.FormatPAX
	if err := w.tw.WriteHeader(hdr); err != nil {
		w.err = fmt.Errorf("writing %s: %w", hdr.Name, err)
		return
	}
	if _, err := w.tw.Write(body); err != nil {
		w.err = fmt.Errorf("writing %s: %w", hdr.Name, err)
	}
}

func (w *tarWriter) file(name string, body []byte) {
	w.header(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))}, body)
}

func (w *tarWriter) dir(name string) {
	w.header(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755}, nil)
}

func (w *tarWriter) symlink(name, target string) {
	w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}, nil)
}

// writeTarFile creates path and fills it with the members fill writes.
func writeTarFile(path string, fill func(*tarWriter) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriter(f)
	tw := &tarWriter{tw: tar.NewWriter(bw)}
	if err := fill(tw); err != nil {
		return err
	}
	if tw.err != nil {
		return tw.err
	}
	if err := tw.tw.Close(); err != nil {
		return fmt.Errorf("closing tar %s: %w", path, err)
	}
	return bw.Flush()
}
