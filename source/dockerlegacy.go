package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The `docker save` layout before Docker 1.10 has no manifest.json. Every
// layer is a directory named by its v1 id, holding json (the id, the
// parent's id and, for the top layer, the image's config), layer.tar
// (uncompressed) and VERSION; `repositories` maps {"repo": {"tag": id}} to
// the top layer. The order of the layers is the parent chain from the top
// down, and there is no config blob and no diff_id: both are made here.

// legacyLayerJSON is the part of a pre-1.10 <id>/json that strata reads.
type legacyLayerJSON struct {
	ID              string     `json:"id"`
	Parent          string     `json:"parent,omitempty"`
	Created         v1.Time    `json:"created"`
	Author          string     `json:"author,omitempty"`
	Comment         string     `json:"comment,omitempty"`
	Container       string     `json:"container,omitempty"`
	DockerVersion   string     `json:"docker_version,omitempty"`
	Config          *v1.Config `json:"config,omitempty"`
	ContainerConfig *v1.Config `json:"container_config,omitempty"`
	Architecture    string     `json:"architecture,omitempty"`
	OS              string     `json:"os,omitempty"`
}

// parseLegacyLayerJSON parses the json of the layer directory dir.
func parseLegacyLayerJSON(raw []byte, dir string) (*legacyLayerJSON, error) {
	var j legacyLayerJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%s/json: %w: %w", dir, ErrInvalid, err)
	}
	if j.ID != "" && j.ID != dir {
		return nil, fmt.Errorf("%s/json: %w: it names itself %q", dir, ErrInvalid, j.ID)
	}
	if j.Parent != "" && !legacyID(j.Parent) {
		return nil, fmt.Errorf("%s/json: %w: parent %q is not a layer id", dir, ErrInvalid, j.Parent)
	}
	return &j, nil
}

// legacyID reports whether id can name a layer directory: one path
// component.
func legacyID(id string) bool {
	return id != "" && id != "." && id != ".." && !strings.ContainsAny(id, `/\`)
}

// parseRepositories parses `repositories` into its tags, "repo:tag", each
// with the id of its top layer, sorted by tag.
func parseRepositories(raw []byte) ([]legacyTag, error) {
	var repos map[string]map[string]string
	if err := json.Unmarshal(raw, &repos); err != nil {
		return nil, fmt.Errorf("repositories: %w: %w", ErrInvalid, err)
	}
	var tags []legacyTag
	for repo, ts := range repos {
		for tag, id := range ts {
			if !legacyID(id) {
				return nil, fmt.Errorf("repositories: %w: %s:%s names %q, not a layer id", ErrInvalid, repo, tag, id)
			}
			tags = append(tags, legacyTag{name: repo + ":" + tag, id: id})
		}
	}
	slices.SortFunc(tags, func(a, b legacyTag) int { return strings.Compare(a.name, b.name) })
	return tags, nil
}

type legacyTag struct{ name, id string }

// pickLegacyTop chooses the top layer: the one the given tag names, or the
// one every tag names.
func pickLegacyTop(tags []legacyTag, tag, where string) (legacyTag, error) {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.name
	}
	if len(tags) == 0 {
		return legacyTag{}, fmt.Errorf("repositories in %s lists no images: %w", where, ErrNotFound)
	}
	if tag == "" {
		for _, t := range tags[1:] {
			if t.id != tags[0].id {
				return legacyTag{}, fmt.Errorf("%s holds %d images; pick one with docker-archive:%s:TAG (tags: %s)",
					where, len(tags), where, strings.Join(names, ", "))
			}
		}
		return tags[0], nil
	}
	want := normalizeTag(tag)
	for _, t := range tags {
		if t.name == tag || normalizeTag(t.name) == want {
			return t, nil
		}
	}
	return legacyTag{}, fmt.Errorf("tag %q in %s: %w (tags: %s)", tag, where, ErrNotFound, strings.Join(names, ", "))
}

// legacyChain follows the parent chain down from top and returns the
// layers' jsons and ids, bottom first.
func legacyChain(idx *tarIndex, top string) ([]string, []*legacyLayerJSON, error) {
	var ids []string
	var jsons []*legacyLayerJSON
	seen := map[string]bool{}
	for id, child := top, ""; id != ""; {
		if seen[id] {
			return nil, nil, fmt.Errorf("layer chain in %s: %w: %s/json names %s as its parent, which is above it: a cycle", idx.path, ErrInvalid, child, id)
		}
		seen[id] = true
		raw, err := idx.readFile(id + "/json")
		if err != nil {
			if child == "" {
				return nil, nil, fmt.Errorf("top layer %s in %s: %w", id, idx.path, memberErr(err))
			}
			return nil, nil, fmt.Errorf("layer %s in %s, parent of %s: %w", id, idx.path, child, memberErr(err))
		}
		j, err := parseLegacyLayerJSON(raw, id)
		if err != nil {
			return nil, nil, fmt.Errorf("layer chain in %s: %w", idx.path, err)
		}
		ids, jsons = append(ids, id), append(jsons, j)
		child, id = id, j.Parent
	}
	slices.Reverse(ids)
	slices.Reverse(jsons)
	return ids, jsons, nil
}

// openLegacyDockerArchive reads a pre-1.10 docker save tar. Its config is
// made from the top layer's json, with one history step per layer, and its
// diff_ids by hashing every layer.tar once, now: analyze needs them before
// any layer is read.
func openLegacyDockerArchive(ctx context.Context, ref string, idx *tarIndex, sel selector, opts Options) (v1.Image, error) {
	raw, err := idx.readFile("repositories")
	if err != nil {
		return nil, fmt.Errorf("reading repositories in %s: %w", idx.path, memberErr(err))
	}
	tags, err := parseRepositories(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", idx.path, err)
	}
	top, err := pickLegacyTop(tags, sel.tag, idx.path)
	if err != nil {
		return nil, err
	}
	ids, jsons, err := legacyChain(idx, top.id)
	if err != nil {
		return nil, err
	}
	cfg := legacyConfig(jsons)
	entry := &tarball.Descriptor{RepoTags: []string{top.name}}
	for _, id := range ids {
		name := id + "/layer.tar"
		d, err := legacyDiffID(ctx, idx, name)
		if err != nil {
			return nil, fmt.Errorf("reading layer %s in %s: %w", id, idx.path, err)
		}
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d)
		entry.Layers = append(entry.Layers, name)
	}
	rawConfig, err := json.Marshal(struct {
		*v1.ConfigFile
		ContainerConfig *v1.Config `json:"container_config,omitempty"`
	}{cfg, jsons[len(jsons)-1].ContainerConfig})
	if err != nil {
		return nil, fmt.Errorf("writing the config of %s: %w", idx.path, err)
	}
	sum := sha256.Sum256(rawConfig)
	img, err := synthesizedImage(idx, entry, cfg, rawConfig, v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])})
	if err != nil {
		return nil, err
	}
	return img, checkPlatform(img, ref, opts)
}

// legacyConfig makes an image config from the layers' jsons, bottom
// first: the top one's config and platform, a history step per layer
// whose command is its build container's Cmd, joined as Docker did when
// it converted these images.
func legacyConfig(jsons []*legacyLayerJSON) *v1.ConfigFile {
	top := jsons[len(jsons)-1]
	cfg := &v1.ConfigFile{
		Architecture:  top.Architecture,
		OS:            top.OS,
		Created:       top.Created,
		Author:        top.Author,
		Container:     top.Container,
		DockerVersion: top.DockerVersion,
		RootFS:        v1.RootFS{Type: "layers"},
	}
	if top.Config != nil {
		cfg.Config = *top.Config
	}
	for _, j := range jsons {
		h := v1.History{Created: j.Created, Author: j.Author, Comment: j.Comment}
		if j.ContainerConfig != nil {
			h.CreatedBy = strings.Join(j.ContainerConfig.Cmd, " ")
		}
		cfg.History = append(cfg.History, h)
	}
	return cfg
}

// legacyDiffID hashes the uncompressed content of member name, streaming.
func legacyDiffID(ctx context.Context, idx *tarIndex, name string) (v1.Hash, error) {
	m, err := idx.lookup(name)
	if err != nil {
		return v1.Hash{}, memberErr(err)
	}
	l := &layer{open: func() (io.ReadCloser, error) { return idx.openMember(m) }}
	rc, err := l.Uncompressed()
	if err != nil {
		return v1.Hash{}, err
	}
	defer rc.Close()
	h, _, err := v1.SHA256(ctxReader{ctx, rc})
	return h, err
}

// ctxReader stops a read once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
