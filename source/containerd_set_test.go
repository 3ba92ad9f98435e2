package source

import (
	"fmt"
	"testing"
)

func TestReferenceMatches(t *testing.T) {
	for _, tc := range []struct {
		glob, name string
		want       bool
	}{
		{"app", "docker.io/library/app:1", true},
		{"app:1", "docker.io/library/app:1", true},
		{"app:2", "docker.io/library/app:1", false},
		{"example.com/*", "example.com/a:1", true},
		{"example.com/*", "example.com/a/b:1", false},
		{"registry.k8s.io/pause", "registry.k8s.io/pause@sha256:0123", true},
		{"bitnami/*", "docker.io/bitnami/redis:7", true},
		{"redis", "docker.io/bitnami/redis:7", false},
	} {
		if got := referenceMatches(tc.glob, tc.name); got != tc.want {
			t.Errorf("referenceMatches(%q, %q) = %v, want %v", tc.glob, tc.name, got, tc.want)
		}
	}
}

func TestContainerdTags(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		// What Kubernetes keeps for one pulled image.
		{[]string{"sha256:aaaa", "registry.k8s.io/pause@sha256:bbbb", "registry.k8s.io/pause:3.9"}, []string{"registry.k8s.io/pause:3.9"}},
		{[]string{"sha256:aaaa", "x.io/a@sha256:bbbb"}, []string{"x.io/a@sha256:bbbb"}},
		{[]string{"x.io/b:1", "x.io/a:1"}, []string{"x.io/a:1", "x.io/b:1"}},
		{[]string{"sha256:aaaa"}, nil},
	} {
		if got := containerdTags(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("containerdTags(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContainerdFilter(t *testing.T) {
	if _, err := containerdFilter([]string{"dangling=true"}); err == nil {
		t.Error("dangling= taken")
	}
	if _, err := containerdFilter([]string{"reference=["}); err == nil {
		t.Error("a bad glob taken")
	}
}
