package imagetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// legacyLayerJSON is a layer's json in the pre-1.10 `docker save` layout.
type legacyLayerJSON struct {
	ID              string     `json:"id"`
	Parent          string     `json:"parent,omitempty"`
	Created         v1.Time    `json:"created"`
	Author          string     `json:"author,omitempty"`
	Comment         string     `json:"comment,omitempty"`
	ContainerConfig v1.Config  `json:"container_config"`
	Config          *v1.Config `json:"config,omitempty"`
	Architecture    string     `json:"architecture,omitempty"`
	OS              string     `json:"os,omitempty"`
	DockerVersion   string     `json:"docker_version,omitempty"`
}

// WriteLegacyDockerArchive writes img to path as `docker save` did before
// Docker 1.10: no manifest.json and no config blob; one directory per
// layer, named by its v1 id, with VERSION, layer.tar and a json holding the
// id, the parent's id and the build step (its history entry's created_by
// as the build container's Cmd); the top layer's json also carries the
// image's config and platform; repositories names the top layer for tag.
// img must have one non-empty history entry per layer.
func WriteLegacyDockerArchive(path string, img v1.Image, tag string) error {
	layers, err := uncompressedLayers(img)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading config: %w", err)
	}
	var steps []v1.History
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			steps = append(steps, h)
		}
	}
	if len(steps) != len(layers) {
		return fmt.Errorf("%d history steps for %d layers", len(steps), len(layers))
	}
	return writeTarFile(path, func(tw *tarWriter) error {
		parent := ""
		// Written top first, as the ids chain downwards: the reader must
		// follow parents, not the order of the archive.
		var dirs []func()
		for i, l := range layers {
			sum := sha256.Sum256([]byte("legacy\n" + parent + "\n" + l.diffID.String()))
			id := hex.EncodeToString(sum[:])
			j := legacyLayerJSON{ID: id, Parent: parent, Created: steps[i].Created, Author: steps[i].Author, Comment: steps[i].Comment,
				ContainerConfig: v1.Config{Cmd: []string{steps[i].CreatedBy}}}
			if i == len(layers)-1 {
				j.Config, j.Architecture, j.OS, j.DockerVersion = &cfg.Config, cfg.Architecture, cfg.OS, "1.9.1"
			}
			raw, err := json.Marshal(j)
			if err != nil {
				return err
			}
			dirs = append(dirs, func() {
				tw.dir(id + "/")
				tw.file(id+"/VERSION", []byte("1.0"))
				tw.file(id+"/json", raw)
				tw.file(id+"/layer.tar", l.raw)
			})
			parent = id
		}
		for _, d := range slices.Backward(dirs) {
			d()
		}
		repo, t := splitTag(tag)
		rj, err := json.Marshal(map[string]map[string]string{repo: {t: parent}})
		if err != nil {
			return err
		}
		tw.file("repositories", rj)
		return nil
	})
}
