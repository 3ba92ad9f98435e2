package cli

import (
	"net/url"
	"path/filepath"
	"strings"
)

// dockerfileURI is path as a SARIF artifact URI: relative to wd (the
// working directory, where code scanning resolves it against the
// checkout) when it is under wd, else an absolute file URI. A relative
// path is taken as relative to wd already; wd "" leaves absolute paths
// absolute.
func dockerfileURI(path, wd string) string {
	p := filepath.Clean(path)
	if filepath.IsAbs(p) && wd != "" {
		if rel, err := filepath.Rel(wd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p = rel
		}
	}
	if filepath.IsAbs(p) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	return (&url.URL{Path: filepath.ToSlash(p)}).String()
}
