package main

import (
	"fmt"
	"strings"
)

const (
	aptRun = "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends %s # buildkit"
)

var imageNames = []string{"smoke", "medium", "large", "cleanup", "manyfiles", "onelayer", "longhistory"}

// longHistorySteps is how many empty steps the longhistory image records:
// as many as fit, with the three layers' steps, in a config under the
// 64 MiB metadata bound.
const longHistorySteps = 1_000_000

// planImage builds the plan of one image. variant > 0 changes only the
// top layer.
func planImage(name string, variant int) (*imagePlan, error) {
	im := &imagePlan{name: name}
	top := func(i, n int) string { // salt: only the top layer sees the variant
		if i == n-1 && variant > 0 {
			return fmt.Sprintf("variant-%d", variant)
		}
		return ""
	}
	base := "/bin/sh -c #(nop) ADD file:5d31e3b0c4a1f0e8e2b7c1f7a4a8b43f5e2c38f3cf3c1bde6d6b3a6f27e1a0c2 in / "
	switch name {
	case "smoke":
		const n = 3
		im.scale = 0.03
		im.layer(base, top(0, n), func(p *lp) { p.debianBase(1200, 3*MiB) })
		im.empty(`/bin/sh -c #(nop)  CMD ["bash"]`)
		im.layer(fmt.Sprintf(aptRun, "curl ca-certificates"), top(1, n), func(p *lp) { p.aptInstall(1000, 600, 2*MiB, 500*KiB) })
		im.empty("WORKDIR /app")
		im.layer("RUN /bin/sh -c rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb && cp -r . /app # buildkit", top(2, n), func(p *lp) {
			p.opaque("var/lib/apt/lists")
			p.file("var/lib/apt/lists/lock", 0)
			p.deleteFiles(60, "var/cache/apt/archives/", "usr/share/doc/")
			p.overwrite("etc/", 10)
			p.appSource("app", 150, 500*KiB)
		})
	case "medium":
		const n = 4
		im.layer(base, top(0, n), func(p *lp) { p.debianBase(6500, 120*MiB) })
		im.empty(`/bin/sh -c #(nop)  CMD ["bash"]`)
		im.layer(fmt.Sprintf(aptRun, "python3 python3-pip build-essential"), top(1, n), func(p *lp) { p.aptInstall(1000, 3500, 200*MiB, 60*MiB) })
		im.empty("ENV PYTHONDONTWRITEBYTECODE=1")
		im.layer("RUN /bin/sh -c pip install -r requirements.txt # buildkit", top(2, n), func(p *lp) {
			p.sitePackages("usr/local/lib/python3.12/site-packages", 900, 60*MiB)
			p.pipCache(p.n()+100, p.L.bytes+20*MiB)
		})
		im.empty("WORKDIR /app")
		im.layer("COPY . /app # buildkit", top(3, n), func(p *lp) {
			p.appSource("app", 200, 10*MiB)
			p.overwrite("usr/local/lib/python3.12/site-packages/", 20)
			p.deleteFiles(40, "var/cache/apt/archives/")
			p.opaque("var/lib/apt/lists")
		})
		im.empty(`CMD ["python3", "-m", "app"]`)
	case "large":
		const n = 16
		i := 0
		next := func() string { s := top(i, n); i++; return s }
		im.layer(base, next(), func(p *lp) { p.debianBase(7000, 120*MiB) })
		im.empty(`/bin/sh -c #(nop)  CMD ["bash"]`)
		im.layer(fmt.Sprintf(aptRun, "build-essential git libssl-dev pkg-config"), next(), func(p *lp) { p.aptInstall(1000, 12000, 380*MiB, 130*MiB) })
		im.empty("ENV GOLANG_VERSION=1.22.5")
		im.layer("RUN /bin/sh -c set -eux; curl -fsSL https://go.dev/dl/go1.22.5.linux-amd64.tar.gz | tar -C /usr/local -xz # buildkit", next(), func(p *lp) { p.goRoot("usr/local/go", 14000, 260*MiB) })
		im.empty("ENV PATH=/usr/local/go/bin:/usr/local/node/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		im.layer("RUN /bin/sh -c curl -fsSL https://nodejs.org/dist/v20.15.0/node-v20.15.0-linux-x64.tar.xz | tar -C /usr/local -xJ # buildkit", next(), func(p *lp) {
			p.fileMode("usr/local/bin/node", 92*MiB, 0o755)
			p.nodeModules("usr/local/lib", 3000, 100*MiB)
		})
		im.empty("WORKDIR /src")
		im.layer("RUN /bin/sh -c npm ci # buildkit", next(), func(p *lp) { p.nodeModules("src/web", 45000, 300*MiB) })
		im.layer(fmt.Sprintf(aptRun, "python3 python3-pip python3-venv"), next(), func(p *lp) {
			p.sitePackages("usr/local/lib/python3.12/site-packages", 15000, 330*MiB)
		})
		im.layer("RUN /bin/sh -c pip install -r requirements.txt # buildkit", next(), func(p *lp) { p.pipCache(2000, 250*MiB) })
		im.layer("RUN /bin/sh -c go mod download && go build ./... # buildkit", next(), func(p *lp) { p.goBuildCache(8000, 300*MiB) })
		im.layer("COPY . /src # buildkit", next(), func(p *lp) { p.appSource("src", 5000, 60*MiB) })
		im.layer("RUN /bin/sh -c make build # buildkit", next(), func(p *lp) {
			for _, b := range []string{"server", "worker", "migrate", "cli"} {
				p.fileMode("src/bin/"+b, 20*MiB+p.r.Int64N(30*MiB), 0o755)
			}
			p.fill(150*MiB, func(int) string { return "src/web/dist/assets/" + p.word(2) + "-" + p.hex(8) + ".js" })
		})
		im.layer("RUN /bin/sh -c ./scripts/patch-deps.sh # buildkit", next(), func(p *lp) {
			p.overwrite("usr/lib/", 150)
			p.overwrite("src/web/node_modules/", 300)
			p.overwrite("etc/", 50)
			p.fill(p.L.bytes+40*MiB, p.libName)
		})
		im.layer("RUN /bin/sh -c apt-get purge -y --auto-remove && rm -f /var/cache/apt/archives/*.deb && rm -rf /var/lib/apt/lists/* # buildkit", next(), func(p *lp) {
			p.deleteFiles(600, "var/cache/apt/archives/")
			p.opaque("var/lib/apt/lists")
		})
		im.empty("USER app")
		im.layer("RUN /bin/sh -c useradd -m app # buildkit", next(), func(p *lp) {
			for _, f := range []string{"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/passwd-", "etc/group-", "etc/subuid", "etc/subgid"} {
				p.file(f, p.ln(800, 0.4, 100, 4*KiB))
			}
			p.file("home/app/.bashrc", 3526)
			p.file("home/app/.profile", 807)
			p.file("var/log/lastlog", 292*KiB)
		})
		im.layer("COPY assets /srv/assets # buildkit", next(), func(p *lp) { p.appSource("srv/assets", 3000, 60*MiB) })
		im.layer("RUN /bin/sh -c rm -rf /root/.cache /src/web/node_modules/.cache # buildkit", next(), func(p *lp) {
			p.whiteout("root/.cache")
			p.deleteFiles(200, "src/web/node_modules/")
		})
		im.layer("COPY config /etc/app # buildkit", next(), func(p *lp) {
			for range 12 {
				p.file("etc/app/"+p.word(2)+".yaml", p.ln(2*KiB, 1.0, 100, 50*KiB))
			}
		})
		im.empty(`ENTRYPOINT ["/src/bin/server"]`)
	case "cleanup":
		const n = 6
		i := 0
		next := func() string { s := top(i, n); i++; return s }
		im.layer(base, next(), func(p *lp) { p.debianBase(7000, 120*MiB) })
		im.empty(`/bin/sh -c #(nop)  CMD ["bash"]`)
		im.layer(fmt.Sprintf(aptRun, "build-essential python3-dev golang"), next(), func(p *lp) {
			p.aptInstall(1000, 16000, 300*MiB, 100*MiB)
			p.goRoot("usr/lib/go-1.22", p.n()+15000, p.L.bytes+250*MiB)
		})
		im.layer("RUN /bin/sh -c npm ci # buildkit", next(), func(p *lp) { p.nodeModules("app/frontend", 25000, 300*MiB) })
		im.layer("RUN /bin/sh -c pip install -r requirements.txt && go build ./... # buildkit", next(), func(p *lp) {
			p.pipCache(1500, 200*MiB)
			p.goBuildCache(p.n()+1500, p.L.bytes+150*MiB)
		})
		im.layer("RUN /bin/sh -c find / -xdev \\( -name '*.deb' -o -name '*.pyc' -o -name '*.map' -o -path '*/.cache/*' \\) -delete # buildkit", next(), func(p *lp) {
			p.deleteFiles(10000, "var/cache/apt/archives/", "root/.cache/", "app/frontend/node_modules/", "usr/share/doc/", "usr/lib/go-1.22/test/")
		})
		im.empty("WORKDIR /app")
		im.layer("COPY . /app # buildkit", next(), func(p *lp) { p.appSource("app/src", 500, 50*MiB) })
		im.empty(`CMD ["/app/start.sh"]`)
	case "manyfiles":
		const n = 3
		im.layer(base, top(0, n), func(p *lp) {
			p.debianBase(6000, 60*MiB)
			p.tinyTree("usr/lib/python3/dist-packages", 400000)
		})
		im.empty("WORKDIR /repo")
		im.layer("RUN /bin/sh -c yarn install --frozen-lockfile # buildkit", top(1, n), func(p *lp) { p.tinyTree("repo/node_modules", 350000) })
		im.layer("COPY . /repo # buildkit", top(2, n), func(p *lp) { p.tinyTree("repo/packages", 250000) })
	case "onelayer":
		// A squashed image: about 1.5 GB in one layer, as CUDA and ML
		// bases and docker export | import images are. It leaves a core
		// with nothing to inflate, so it shows what the other core does.
		im.layer(base, top(0, 1), func(p *lp) {
			p.debianBase(7000, 120*MiB)
			p.goRoot("usr/local/go", p.n()+14000, p.L.bytes+260*MiB)
			p.nodeModules("usr/local/lib", p.n()+30000, p.L.bytes+400*MiB)
			p.sitePackages("usr/local/lib/python3.12/site-packages", p.n()+15000, p.L.bytes+430*MiB)
			p.fill(p.L.bytes+300*MiB, p.libName)
		})
		im.empty(`CMD ["python3"]`)
	case "longhistory":
		// A hostile config rather than a build: a few small layers and a
		// million distinct empty steps, which only the history holds.
		const n = 3
		im.scale = 0.03
		im.bareEmpty = true
		im.layer(base, top(0, n), func(p *lp) { p.debianBase(1200, 3*MiB) })
		for i := range longHistorySteps / 2 {
			im.empty(fmt.Sprintf("ENV S%d=1", i))
		}
		im.layer("COPY . /app # buildkit", top(1, n), func(p *lp) { p.appSource("app", 150, 500*KiB) })
		for i := longHistorySteps / 2; i < longHistorySteps; i++ {
			im.empty(fmt.Sprintf("ENV S%d=1", i))
		}
		im.layer("RUN /bin/sh -c make # buildkit", top(2, n), func(p *lp) { p.appSource("app/bin", 20, 200*KiB) })
	default:
		return nil, fmt.Errorf("unknown image %q (want %s or all)", name, strings.Join(imageNames, ", "))
	}
	return im, nil
}
