package imagetest

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

//go:generate go run ./cmd/gentiny ../../testdata/tiny.tar

// TinyTag is the RepoTag of the bundled tiny image.
const TinyTag = "strata/tiny:latest"

// Tiny returns the small image bundled as testdata/tiny.tar: five layers
// shaped like a typical Alpine-based build, with an ENV and a CMD that add
// no layer. It wastes space on purpose: the apk cache is written and then
// removed (a whiteout), /etc/passwd is rewritten, and /app/tmp is emptied
// with an opaque directory.
func Tiny() (v1.Image, error) {
	layers := [][]Entry{
		// ADD alpine-minirootfs.tar.gz /
		{
			Dir("bin"), Dir("etc"), Dir("lib"), Dir("usr"), Dir("usr/bin"),
			Dir("var"), Dir("var/cache"), Dir("var/cache/apk"),
			SizedFile("bin/busybox", 1200),
			Symlink("bin/sh", "busybox"),
			Symlink("bin/ls", "busybox"),
			File("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n"),
			File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
			SizedFile("lib/ld-musl-x86_64.so.1", 800),
			Hardlink("lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1"),
		},
		// RUN apk add curl
		{
			SizedFile("usr/bin/curl", 600),
			SizedFile("lib/libcurl.so.4", 400),
			SizedFile("var/cache/apk/APKINDEX.5022a8a2.tar.gz", 900),
			File("etc/apk/world", "alpine-baselayout\nbusybox\ncurl\n"),
		},
		// RUN rm -rf /var/cache/apk/* && adduser -D app
		{
			Whiteout("var/cache/apk/APKINDEX.5022a8a2.tar.gz"),
			File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
			Entry{Name: "home/app", Type: '5', UID: 1000, GID: 1000},
		},
		// COPY app /app
		{
			Dir("app"),
			Entry{Name: "app/server", Size: 700, Mode: 0o755},
			File("app/config.yaml", "listen: :8080\nlog: info\n"),
			Dir("app/tmp"),
			SizedFile("app/tmp/build.log", 300),
		},
		// RUN rm -rf /app/tmp && mkdir /app/tmp
		{
			Dir("app/tmp"),
			Opaque("app/tmp"),
		},
	}
	history := []v1.History{
		{CreatedBy: "/bin/sh -c #(nop) ADD file:5b1e2f1c in / "},
		{CreatedBy: "/bin/sh -c apk add --no-progress curl"},
		{CreatedBy: "/bin/sh -c rm -rf /var/cache/apk/* && adduser -D app"},
		{CreatedBy: "/bin/sh -c #(nop)  ENV APP_ENV=production", EmptyLayer: true},
		{CreatedBy: "COPY app /app # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: "RUN /bin/sh -c rm -rf /app/tmp && mkdir /app/tmp # buildkit", Comment: "buildkit.dockerfile.v0"},
		{CreatedBy: "CMD [\"/app/server\"]", Comment: "buildkit.dockerfile.v0", EmptyLayer: true},
	}
	for i := range history {
		history[i].Created = v1.Time{Time: Epoch.Add(time.Duration(i) * time.Minute)}
	}
	ls := make([]v1.Layer, len(layers))
	for i, entries := range layers {
		l, err := Layer(Tar(entries...), Uncompressed)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		ls[i] = l
	}
	return Image(ls, history, nil)
}

// WriteTiny writes the tiny image as a classic docker-archive at path.
func WriteTiny(path string) error {
	img, err := Tiny()
	if err != nil {
		return err
	}
	return WriteDockerArchive(path, img, TinyTag)
}
