package analyze

import "testing"

func TestPathCursorMatchesInsert(t *testing.T) {
	paths := []string{"a", "a/b", "a/bc", "a/b/c", "ab", "a/b", "", "b/c/d", "b/c", "b", "b/c/d/e", "b/cd/e", "b/c/d/ef", "a"}
	tr := newTree()
	cur := &pathCursor{t: tr}
	prev := ""
	for _, p := range paths {
		n := 0
		for n < len(p) && n < len(prev) && p[n] == prev[n] {
			n++
		}
		got, err := cur.insert(p, n)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Path(got) != p {
			t.Errorf("cursor insert of %q (after %q) gave %q", p, prev, tr.Path(got))
		}
		if want, _ := tr.insert(p); p != "" && want != got {
			t.Errorf("cursor node %d for %q, insert gives %d", got, p, want)
		}
		prev = p
	}
}
