package advice_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/strata-cli/strata/advice"
	"github.com/strata-cli/strata/analyze"
	it "github.com/strata-cli/strata/internal/imagetest"
	"github.com/strata-cli/strata/internal/units"
)

// step is one history step: a command and the layer it made (nil: an
// empty step).
type step struct {
	cmd   string
	layer []it.Entry
}

func analyse(t *testing.T, hash bool, steps ...step) *analyze.Result {
	t.Helper()
	var ls []v1.Layer
	var hist []v1.History
	for _, s := range steps {
		h := v1.History{CreatedBy: s.cmd, EmptyLayer: s.layer == nil}
		if strings.HasPrefix(s.cmd, "container ") {
			h.Comment = analyze.ContainerComment + "0123abcd" // as strata container writes it
		}
		hist = append(hist, h)
		if s.layer != nil {
			ls = append(ls, it.MustLayer(t, it.Tar(s.layer...), it.Gzip))
		}
	}
	res, err := analyze.Analyze(context.Background(), it.MustImage(t, ls, hist, nil), analyze.Options{HashFiles: hash})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var base = step{"/bin/sh -c #(nop) ADD file:abc in / ", []it.Entry{it.Dir("bin"), it.SizedFile("bin/sh", 1000)}}

// classicDir is the digest the classic builder writes for a copied directory.
const classicDir = "dir:6f3c0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f"

func TestAdvise(t *testing.T) {
	owned := func(name string, size int64, mode int64, uid int) it.Entry {
		return it.Entry{Name: name, Size: size, Mode: mode, UID: uid}
	}
	tests := []struct {
		name  string
		hash  bool
		steps []step
		want  []advice.Advice // Message is matched by the substrings in Message, split on "|"
		// never lists text no message may hold, split on "|".
		never string
	}{
		{
			name: "apt lists stored then removed",
			steps: []step{base,
				{"RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit", []it.Entry{
					it.SizedFile("var/lib/apt/lists/deb_Packages", 4_100_000), it.SizedFile("usr/bin/curl", 200_000)}},
				{"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", []it.Entry{it.Whiteout("var/lib/apt/lists/deb_Packages")}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 4_100_000, Layers: []int{1, 2},
					Message: "RUN apt-get update && apt-get install -y curl stored 4.1 MB (1 file) that RUN rm -rf /var/lib/apt/lists/* hid: do both in one RUN"},
				{Kind: advice.KindCache, Bytes: 4_100_000, Layers: []int{1, 2},
					Message: "apt package lists: 4.1 MB stored by RUN apt-get update|deleted only by RUN rm -rf|rm -rf /var/lib/apt/lists/* to the RUN"},
			},
		},
		{
			name: "caches left in the final image",
			steps: []step{base,
				{"RUN /bin/sh -c apk add python3 && pip install flask", []it.Entry{
					it.SizedFile("var/cache/apk/APKINDEX.tar.gz", 2_000_000), it.SizedFile("root/.cache/pip/http/ab", 3_000_000),
					it.SizedFile("var/cache/apk/empty", 0)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindCache, Bytes: 3_000_000, Layers: []int{1}, Message: "pip cache: 3.0 MB left in the final image by RUN apk add|--no-cache-dir"},
				{Kind: advice.KindCache, Bytes: 2_000_000, Layers: []int{1}, Message: "apk cache: 2.0 MB left|apk add --no-cache"},
			},
		},
		{
			name: "every other package-manager cache, and an archive at the root",
			steps: []step{base,
				{"RUN /bin/sh -c make deps", []it.Entry{
					it.SizedFile("var/cache/apt/archives/curl.deb", 7_000_000),
					it.SizedFile("var/cache/dnf/repodata.xml", 6_000_000),
					it.SizedFile("var/cache/yum/x86_64/primary.sqlite", 5_000_000),
					it.SizedFile("root/.npm/_cacache/content-v2/ab", 4_000_000),
					it.SizedFile("usr/local/share/.cache/yarn/v6/pkg.tgz", 3_000_000),
					it.SizedFile("root/.cache/go-build/ab/cd-d", 2_000_000),
					it.SizedFile("go/pkg/mod/cache/download/x/@v/v1.zip", 1_000_000),
					// Not caches: look-alike directory names, and a root file.
					it.SizedFile("srv/var/cache/apt/notes", 500),
					it.SizedFile("var/cache/aptitude/notes", 300),
					it.SizedFile("home/u/cache/pip/x", 200),
					it.SizedFile("dump.tar", 400),
					// A cache inside another counts once, as the outer one.
					it.SizedFile("var/cache/apt/.cache/pip/wheel", 50)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindCache, Bytes: 7_000_050, Layers: []int{1}, Message: "apt package archives: 7.0 MB (1 .deb file) left in the final image by RUN make deps|apt-get clean"},
				{Kind: advice.KindCache, Bytes: 6_000_000, Layers: []int{1}, Message: "dnf cache: 6.0 MB|dnf clean all"},
				{Kind: advice.KindCache, Bytes: 5_000_000, Layers: []int{1}, Message: "yum cache: 5.0 MB|yum clean all"},
				{Kind: advice.KindCache, Bytes: 4_000_000, Layers: []int{1}, Message: "npm cache: 4.0 MB|npm cache clean"},
				{Kind: advice.KindCache, Bytes: 3_000_000, Layers: []int{1}, Message: "yarn cache: 3.0 MB|yarn cache clean"},
				{Kind: advice.KindCache, Bytes: 2_000_000, Layers: []int{1}, Message: "go build cache: 2.0 MB|/root/.cache/go-build"},
				{Kind: advice.KindCache, Bytes: 1_000_000, Layers: []int{1}, Message: "go module download cache: 1.0 MB|module cache"},
			},
		},
		{
			name: "archive copied, extracted and deleted",
			steps: []step{base,
				{"COPY app.tar.gz /tmp/ # buildkit", []it.Entry{it.Dir("tmp"), it.SizedFile("tmp/app.tar.gz", 5_000_000)}},
				{"RUN /bin/sh -c tar xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz # buildkit", []it.Entry{
					it.Dir("opt"), it.SizedFile("opt/app/bin", 9000), it.Whiteout("tmp/app.tar.gz")}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 5_000_000, Layers: []int{1, 2}, Message: "COPY app.tar.gz /tmp/ stored 5.0 MB (1 file) that RUN tar xzf|.dockerignore"},
				{Kind: advice.KindArchive, Bytes: 5_000_000, Layers: []int{1, 2}, Message: "archive app.tar.gz (5.0 MB) stored by COPY app.tar.gz /tmp/|extract it in a build stage"},
			},
		},
		{
			name: "archive left next to its tree",
			steps: []step{base,
				{"RUN /bin/sh -c wget -O /opt/node.tar.xz x && tar xf /opt/node.tar.xz -C /opt", []it.Entry{
					it.Dir("opt"), it.SizedFile("opt/node.tar.xz", 20_000_000), it.Dir("opt/node"), it.SizedFile("opt/node/bin/node", 6_000_000),
					it.SizedFile("opt/JDK.TGZ", 9_000_000), it.Dir("opt/JDK"), it.SizedFile("opt/JDK/bin/java", 100),
					it.SizedFile("opt/notes.txt", 10), it.Dir("opt/notes")}},
			},
			want: []advice.Advice{
				{Kind: advice.KindArchive, Bytes: 20_000_000, Layers: []int{1}, Message: "archive node.tar.xz (20 MB) is still in the image next to its extracted tree /opt/node"},
				{Kind: advice.KindArchive, Bytes: 9_000_000, Layers: []int{1}, Message: "archive JDK.TGZ (9.0 MB) is still in the image next to its extracted tree /opt/JDK"},
			},
		},
		{
			name: "chmod rewrite, content confirmed",
			hash: true,
			steps: []step{base,
				{"COPY app /app # buildkit", []it.Entry{it.Dir("app"), {Name: "app/run", Body: []byte("#!/bin/sh\necho hi\n")}, it.SizedFile("app/data", 4000)}},
				{"RUN /bin/sh -c chmod -R 755 /app && chown -R 1000 /app # buildkit", []it.Entry{
					it.Dir("app"), {Name: "app/run", Body: []byte("#!/bin/sh\necho hi\n"), Mode: 0o755}, owned("app/data", 4000, 0o755, 1000)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 4018, Layers: []int{1, 2}, Message: "COPY app /app stored 4.0 kB (2 files) that RUN chmod|still in the final image|COPY --chmod"},
				{Kind: advice.KindMetadata, Bytes: 4018, Layers: []int{1, 2}, Message: "RUN chmod -R 755 /app && chown -R 1000 /app rewrote 2 files (4.0 kB) from COPY app /app changing only mode or owner (same content)"},
			},
			// The files are needed: chmod rewrote them, it did not delete them.
			never: ".dockerignore",
		},
		{
			name: "chmod over copied files, one of them deleted",
			hash: true,
			steps: []step{base,
				{"COPY app /app # buildkit", []it.Entry{it.Dir("app"), {Name: "app/run", Body: []byte("x")}, it.SizedFile("app/data", 4000), it.SizedFile("app/tmp.log", 900)}},
				{"RUN /bin/sh -c chmod -R 755 /app && rm /app/tmp.log # buildkit", []it.Entry{
					it.Dir("app"), {Name: "app/run", Body: []byte("x"), Mode: 0o755}, {Name: "app/data", Size: 4000, Mode: 0o755}, it.Whiteout("app/tmp.log")}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 4901, Layers: []int{1, 2}, Message: "(3 files)|leave the deleted ones out of the COPY (.dockerignore); 2 are still in the final image|COPY --chmod"},
				{Kind: advice.KindMetadata, Bytes: 4001, Layers: []int{1, 2}, Message: "rewrote 2 files"},
			},
		},
		{
			name: "chmod rewrite without hashes, and a real rewrite",
			steps: []step{base,
				{"COPY app /app # buildkit", []it.Entry{it.Dir("app"), it.SizedFile("app/data", 4000), it.File("app/conf", "a=1")}},
				{"RUN /bin/sh -c chmod 600 /app/data && echo a=2 > /app/conf", []it.Entry{
					it.Dir("app"), owned("app/data", 4000, 0o600, 0), {Name: "app/conf", Body: []byte("a=2"), Mode: 0o600}}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 4003, Layers: []int{1, 2}, Message: "(2 files)"},
				// app/conf is the same size and mode change too: without
				// hashes it cannot be told apart, hence "same size".
				{Kind: advice.KindMetadata, Bytes: 4003, Layers: []int{1, 2}, Message: "rewrote 2 files|(same size)"},
			},
		},
		{
			name: "whole context copied before npm ci",
			steps: []step{base,
				{"WORKDIR /app", nil},
				{"COPY . . # buildkit", []it.Entry{it.Dir("app"), it.SizedFile("app/index.js", 300), it.File("app/package.json", "{}")}},
				{"RUN /bin/sh -c npm ci --omit=dev # buildkit", []it.Entry{it.Dir("app/node_modules"), it.SizedFile("app/node_modules/x.js", 8_000_000)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindCopyOrder, Bytes: 8_000_000, Layers: []int{1, 2}, Message: "COPY . . (step 3) comes before RUN npm ci --omit=dev (step 4)|re-pushes its 8.0 MB layer"},
			},
		},
		{
			name: "classic builder: whole context copied before npm ci",
			steps: []step{base,
				{"/bin/sh -c #(nop) WORKDIR /app", nil},
				{"/bin/sh -c #(nop) COPY " + classicDir + " in . ", []it.Entry{it.Dir("app"), it.SizedFile("app/index.js", 300), it.File("app/package.json", "{}")}},
				{"/bin/sh -c npm ci --omit=dev", []it.Entry{it.Dir("app/node_modules"), it.SizedFile("app/node_modules/x.js", 8_000_000)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindCopyOrder, Bytes: 8_000_000, Layers: []int{1, 2}, Message: "COPY dir:6f3c0a1b2c3d|(step 3) comes before RUN npm ci --omit=dev (step 4)"},
			},
			never: "/bin/sh|#(nop)",
		},
		{
			name: "classic builder: only the manifests' directory copied first",
			steps: []step{base,
				{"/bin/sh -c #(nop) COPY " + classicDir + " in /app/requirements ", []it.Entry{it.File("app/requirements/base.txt", "flask"), it.File("app/requirements/prod.txt", "-r base.txt")}},
				{"/bin/sh -c #(nop) COPY multi:0123abcd in /app/ ", []it.Entry{it.File("app/Gemfile", "gem 'x'"), it.File("app/main.rb", "")}},
				{"/bin/sh -c #(nop) COPY " + classicDir + " in /app/ ", []it.Entry{it.File("app/package.json", "{}"), it.File("app/package-lock.json", "{}")}},
				{"/bin/sh -c pip install -r /app/requirements/prod.txt && npm ci", []it.Entry{it.SizedFile("usr/lib/flask.py", 100)}},
			},
			want: []advice.Advice{},
		},
		{
			name: "custom SHELL: busybox history is cleaned",
			steps: []step{base,
				{"/bin/busybox sh -c #(nop) COPY " + classicDir + " in /app ", []it.Entry{it.Dir("app"), it.SizedFile("app/big.bin", 2_000_000), it.File("app/go.mod", "module x"), it.File("app/main.go", "package main")}},
				{"/bin/busybox sh -c go mod download && rm /app/big.bin", []it.Entry{it.Whiteout("app/big.bin"), it.SizedFile("root/go/pkg/x.go", 10)}},
			},
			want: []advice.Advice{
				{Kind: advice.KindHidden, Bytes: 2_000_000, Layers: []int{1, 2}, Message: "COPY dir:6f3c0a1b2c3d|stored 2.0 MB (1 file) that RUN go mod download && rm /app/big.bin hid|.dockerignore"},
				{Kind: advice.KindCopyOrder, Bytes: 10, Layers: []int{1, 2}, Message: "(step 2) comes before RUN go mod download"},
			},
			never: "busybox|#(nop)",
		},
		{
			name: "a container's writable layer is no build step",
			steps: []step{base,
				{"COPY app /app # buildkit", []it.Entry{it.Dir("app"), it.SizedFile("app/cache.bin", 3_000_000), it.SizedFile("app/conf", 100)}},
				{"container web (writable layer)", []it.Entry{
					it.Whiteout("app/cache.bin"), {Name: "app/conf", Size: 100, Mode: 0o600}}},
			},
			want:  []advice.Advice{},
			never: "one RUN",
		},
		{
			name: "manifests first: no copy-order advice",
			steps: []step{base,
				{"COPY package.json package-lock.json ./ # buildkit", []it.Entry{it.File("package.json", "{}")}},
				{"RUN /bin/sh -c npm ci # buildkit", []it.Entry{it.SizedFile("node_modules/x.js", 100)}},
				{"COPY . . # buildkit", []it.Entry{it.SizedFile("index.js", 300)}},
			},
			want: []advice.Advice{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := advice.Advise(analyse(t, tt.hash, tt.steps...))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), dump(got))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.Kind || g.Bytes != w.Bytes || !slices.Equal(g.Layers, w.Layers) {
					t.Errorf("finding %d = %s %d %v, want %s %d %v\n%s", i, g.Kind, g.Bytes, g.Layers, w.Kind, w.Bytes, w.Layers, g.Message)
				}
				for _, part := range strings.Split(w.Message, "|") {
					if !strings.Contains(g.Message, part) {
						t.Errorf("finding %d message %q lacks %q", i, g.Message, part)
					}
				}
			}
			for _, g := range got {
				for _, part := range strings.Split(tt.never, "|") {
					if part != "" && strings.Contains(g.Message, part) {
						t.Errorf("message %q holds %q", g.Message, part)
					}
				}
			}
		})
	}
}

func TestAdviseWithoutTree(t *testing.T) {
	res := &analyze.Result{History: []analyze.HistoryEntry{{CreatedBy: "COPY . /src", LayerIndex: 0}, {CreatedBy: "RUN go mod download", LayerIndex: 1}},
		Layers: []analyze.Layer{{SizeBytes: 10}, {SizeBytes: 20}}}
	got := advice.Advise(res)
	if len(got) != 1 || got[0].Kind != advice.KindCopyOrder || got[0].Bytes != 20 {
		t.Errorf("got %s", dump(got))
	}
}

func dump(as []advice.Advice) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString("  " + a.Kind + " " + units.Bytes(a.Bytes) + " " + a.Message + "\n")
	}
	return b.String()
}
