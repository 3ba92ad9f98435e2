package source

import (
	"archive/tar"
	"cmp"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// maxSpottedConfig bounds the member read as a possible config: a long
// history makes a config of megabytes, never of hundreds.
const maxSpottedConfig = 64 << 20

// copySpotting copies the tar on r to w, as io.Copy does, and calls
// config with the image config as soon as it has streamed by, so that a
// daemon's save or a pipe can show the history long before its end: a
// save puts manifest.json, which says which member is the config, last.
// The config is recognised by its name (blobs/sha256/<hex>, or <hex>.json
// in a classic save) and its content (a rootfs of layers); only the first
// is reported, so for a stream holding several images it is a guess the
// opened image may contradict. A stream that is no tar, or breaks, is
// copied all the same: indexing it afterwards says what is wrong.
func copySpotting(w io.Writer, r io.Reader, config func(*v1.ConfigFile)) (int64, error) {
	sr := &stickyReader{r: r}
	cw := &spoolCounter{w: w}
	tee := io.TeeReader(sr, cw)
	tr := tar.NewReader(tee)
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		if hdr.Typeflag != tar.TypeReg || hdr.Size < 2 || hdr.Size > maxSpottedConfig || !savedConfigName(hdr.Name) {
			continue
		}
		var head [1]byte
		if _, err := io.ReadFull(tr, head[:]); err != nil || head[0] != '{' {
			continue // a layer (a tar or gzip stream) is passed over unread
		}
		rest, err := io.ReadAll(tr)
		if err != nil {
			break
		}
		if cfg, ok := parseSpotted(append(head[:], rest...)); ok {
			config(cfg)
			break
		}
	}
	if err := cmp.Or(sr.err, cw.err); err != nil {
		return cw.n, err
	}
	_, err := io.Copy(io.Discard, tee)
	return cw.n, cmp.Or(err, sr.err, cw.err)
}

// isSHA256 reports whether hex is a sha256 digest's hex, as
// go-containerregistry parses one.
func isSHA256(hex string) bool {
	_, err := v1.NewHash("sha256:" + hex)
	return err == nil
}

// savedConfigName reports a member name a save stores a config under.
func savedConfigName(name string) bool {
	name = strings.TrimPrefix(path.Clean(name), "./")
	if hex, ok := strings.CutPrefix(name, "blobs/sha256/"); ok {
		return isSHA256(hex)
	}
	hex, ok := strings.CutSuffix(name, ".json")
	return ok && isSHA256(hex)
}

// parseSpotted reads raw as an image config: one with a rootfs of layers.
// Manifests, indexes and attestations have none.
func parseSpotted(raw []byte) (*v1.ConfigFile, bool) {
	cfg, err := parseConfig(raw) // the parse Open uses, lean on long histories
	if err != nil {
		return nil, false
	}
	return cfg, cfg.RootFS.Type == "layers" && len(cfg.RootFS.DiffIDs) > 0
}

// stickyReader keeps the first error of r: the tar reader above it may
// swallow it, and a stream's error must end the copy.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// spoolCounter counts what reaches w and keeps its first error, which the
// tar reader above the tee would otherwise swallow.
type spoolCounter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *spoolCounter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
