package analyze

import (
	"strings"
	"testing"
)

// TestInPackageTree: a tree counts where it starts the path or follows a
// slash, never inside a component; the component walk answers as a
// search of the whole path for each tree would.
func TestInPackageTree(t *testing.T) {
	search := func(name string) bool {
		for _, tr := range packageTrees {
			if strings.HasPrefix(name, tr) || strings.Contains(name, "/"+tr) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"usr/lib/x86_64-linux-gnu/libc.so.6", true},
		{"app/node_modules/left-pad/index.js", true},
		{"node_modules/x", true},
		{"opt/venv/lib/python3.12/site-packages/a.py", true},
		{"srv/go/pkg/mod/golang.org/x/crypto/testdata/key.pem", true},
		{"home/u/project/.git/objects/ab/cdef", true},
		{"etc/ssl/private/server.key", false},
		{"app/myvendor/config", false}, // inside a component
		{"app/usr/lib", false},         // the tree's slash is missing
		{"app/usr/lib/", true},
		{"root/.ssh/id_rsa", false},
		{"", false},
		{"/", false},
		{"vendor/", true},
	} {
		if got := inPackageTree(tc.name); got != tc.want || got != search(tc.name) {
			t.Errorf("inPackageTree(%q) = %v, want %v (search says %v)", tc.name, got, tc.want, search(tc.name))
		}
	}
}
