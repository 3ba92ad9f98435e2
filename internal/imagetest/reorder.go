package imagetest

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
)

// MoveFirst rewrites a tar archive with the first member whose name
// contains part moved to the front, the rest in their order. A `docker
// save` writes its members in name order, so the config (named by its
// digest) may come before the layers or after them; the archives written
// here put it after, and this gives the other case.
func MoveFirst(archive []byte, part string) ([]byte, error) {
	type member struct {
		hdr  *tar.Header
		body []byte
	}
	var ms []member
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		ms = append(ms, member{hdr, body})
	}
	i := slices.IndexFunc(ms, func(m member) bool { return strings.Contains(m.hdr.Name, part) })
	if i < 0 {
		return nil, errors.New("no member named like " + part)
	}
	m := ms[i]
	ms = slices.Insert(slices.Delete(ms, i, i+1), 0, m)
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for _, m := range ms {
		if err := tw.WriteHeader(m.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(m.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
