package analyze_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
)

// linkImage holds every kind of link a resolution meets. Layer 1 points
// cur elsewhere, removes bin/ash and adds the file later pointed at.
func linkImage(t *testing.T) *analyze.Result {
	t.Helper()
	l0 := it.Tar(
		it.Dir("bin"), it.File("bin/busybox", "bb"),
		it.Symlink("bin/sh", "busybox"), it.Symlink("bin/ash", "/bin/busybox"),
		it.Symlink("bin/chain1", "chain2"), it.Symlink("bin/chain2", "/bin/sh"),
		it.Dir("usr"), it.Dir("usr/lib"), it.File("usr/lib/libc.so", "libc"), it.Dir("usr/local"),
		it.Symlink("lib", "usr/lib"),
		it.Symlink("libc", "/lib/libc.so"),
		// The kernel climbs from where lib led (usr), not lexically.
		it.Symlink("local", "lib/../local"),
		it.Symlink("usr/lib/foo", "../bar"),
		it.Symlink("a", "b"), it.Symlink("b", "a"),
		it.Dir("etc"), it.File("etc/passwd", "root"),
		it.Symlink("escape", "../../../../etc/passwd"),
		it.Symlink("notdir", "bin/busybox/x"),
		it.File("opt/app/run", "run"), it.Symlink("app", "opt/app"),
		it.Symlink("cur", "bin/busybox"),
		it.Symlink("later", "new"),
	)
	l1 := it.Tar(it.Symlink("cur", "usr/lib/libc.so"), it.Whiteout("bin/ash"), it.File("new", "n"))
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, l0, it.Gzip), it.MustLayer(t, l1, it.Gzip)}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// chainOf builds a chain of n links, c0 -> c1 -> ... -> c(n-1) -> end.
func chainOf(t *testing.T, n int) *analyze.Result {
	t.Helper()
	ents := []it.Entry{it.File("end", "e")}
	for i := range n {
		next := "end"
		if i < n-1 {
			next = "c" + strconv.Itoa(i+1)
		}
		ents = append(ents, it.Symlink("c"+strconv.Itoa(i), next))
	}
	img := it.MustImage(t, []v1.Layer{it.MustLayer(t, it.Tar(ents...), it.Gzip)}, nil, nil)
	res, err := analyze.Analyze(context.Background(), img, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestResolve(t *testing.T) {
	res := linkImage(t)
	for _, tc := range []struct {
		name     string
		layer    int
		path     string
		want     string // resolved path, when it resolves
		hops     int
		entry    bool
		problem  analyze.LinkProblem
		errText  string
		wantKind analyze.Kind
	}{
		{name: "relative", layer: 1, path: "bin/sh", want: "bin/busybox", hops: 1, entry: true},
		{name: "absolute", layer: 0, path: "bin/ash", want: "bin/busybox", hops: 1, entry: true},
		{name: "chained", layer: 1, path: "bin/chain1", want: "bin/busybox", hops: 3, entry: true},
		{name: "through a directory symlink", layer: 1, path: "libc", want: "usr/lib/libc.so", hops: 2, entry: true},
		{name: "dotdot after a directory symlink", layer: 1, path: "local", want: "usr/local", hops: 2, entry: true, wantKind: analyze.KindDir},
		{name: "directory link itself", layer: 1, path: "lib", want: "usr/lib", hops: 1, entry: true, wantKind: analyze.KindDir},
		{name: "absolute climb stops at the image root", layer: 1, path: "escape", want: "etc/passwd", hops: 1, entry: true},
		{name: "implied directory", layer: 1, path: "app", want: "opt/app", hops: 1},
		{name: "not a link", layer: 1, path: "etc/passwd", want: "etc/passwd", entry: true},
		{name: "dangling", layer: 1, path: "usr/lib/foo", problem: analyze.LinkDangling, errText: "dangling: /usr/lib/foo -> ../bar"},
		{name: "loop", layer: 1, path: "a", problem: analyze.LinkLoop, errText: "symlink loop at /a"},
		{name: "not a directory", layer: 1, path: "notdir", problem: analyze.LinkNotDir, errText: "/notdir -> bin/busybox/x: /bin/busybox is not a directory"},
		{name: "replaced link, before", layer: 0, path: "cur", want: "bin/busybox", hops: 1, entry: true},
		{name: "replaced link, after", layer: 1, path: "cur", want: "usr/lib/libc.so", hops: 1, entry: true},
		{name: "removed in a later layer", layer: 1, path: "bin/ash", problem: analyze.LinkDangling, errText: "no such file: /bin/ash"},
		{name: "target added later, before", layer: 0, path: "later", problem: analyze.LinkDangling, errText: "dangling: /later -> new"},
		{name: "target added later, after", layer: 1, path: "later", want: "new", hops: 1, entry: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := res.Resolve(tc.layer, tc.path)
			if tc.problem != 0 {
				var le *analyze.LinkError
				if !errors.As(err, &le) || le.Problem != tc.problem || err.Error() != tc.errText {
					t.Fatalf("Resolve(%d, %q) = %+v, %v; want problem %d: %q", tc.layer, tc.path, r, err, tc.problem, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%d, %q): %v", tc.layer, tc.path, err)
			}
			if r.Path != tc.want || r.Hops != tc.hops || r.HasEntry != tc.entry || res.Tree.Path(r.Node) != tc.want {
				t.Fatalf("Resolve(%d, %q) = %+v, want %q after %d hops (entry %v)", tc.layer, tc.path, r, tc.want, tc.hops, tc.entry)
			}
			if !r.HasEntry {
				return
			}
			e := res.Layers[r.Entry.Layer].Entries[r.Entry.Index]
			if e.Node != r.Node || e.Kind != tc.wantKind || !e.VisibleAt(tc.layer) {
				t.Errorf("entry %+v: node %d kind %v, want node %d kind %v visible at %d", r.Entry, e.Node, e.Kind, r.Node, tc.wantKind, tc.layer)
			}
		})
	}
}

// TestResolveHopLimit: the kernel follows 40 links and no more.
func TestResolveHopLimit(t *testing.T) {
	if r, err := chainOf(t, analyze.MaxSymlinkHops).Resolve(0, "c0"); err != nil || r.Path != "end" || r.Hops != analyze.MaxSymlinkHops {
		t.Errorf("a chain of %d links: %+v, %v; want end", analyze.MaxSymlinkHops, r, err)
	}
	var le *analyze.LinkError
	if _, err := chainOf(t, analyze.MaxSymlinkHops+1).Resolve(0, "c0"); !errors.As(err, &le) || le.Problem != analyze.LinkLoop {
		t.Errorf("a chain of %d links: %v, want a loop", analyze.MaxSymlinkHops+1, err)
	}
}
