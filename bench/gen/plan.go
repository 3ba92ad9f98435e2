package main

import (
	"archive/tar"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path"
	"strings"
)

const (
	KiB = 1 << 10
	MiB = 1 << 20
)

// entry is one planned tar member. Names have no leading slash; a
// directory's name ends in "/".
type entry struct {
	name string
	link string
	size int64
	seed uint64
	mode int32
	typ  byte
}

type layerPlan struct {
	createdBy string
	entries   []entry
	bytes     int64 // regular file content
}

type histItem struct {
	createdBy string
	empty     bool
}

type imagePlan struct {
	name    string
	layers  []*layerPlan
	history []histItem
	// scale multiplies every drawn or fixed file size (1 if zero); the
	// smoke image uses it to stay a few MB.
	scale float64
	// bareEmpty writes empty steps with created_by and empty_layer only
	// (no created time, no comment), so that a million fit in a config.
	bareEmpty bool
}

// lp plans one layer.
type lp struct {
	img  *imagePlan
	L    *layerPlan
	r    *rand.Rand
	dirs map[string]bool
	// names holds the non-directory names of this layer, so that no
	// path is written twice and no file sits where a directory goes.
	names map[string]bool
}

func seedFor(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func (im *imagePlan) empty(createdBy string) {
	im.history = append(im.history, histItem{createdBy, true})
}

// layer plans a new layer with its own random stream, so that changing
// one layer (the -variant top layer) leaves the others byte-identical.
func (im *imagePlan) layer(createdBy string, salt string, build func(p *lp)) {
	idx := len(im.layers)
	L := &layerPlan{createdBy: createdBy}
	p := &lp{img: im, L: L, dirs: map[string]bool{}, names: map[string]bool{},
		r: rand.New(rand.NewPCG(seedFor(im.name, fmt.Sprint(idx), salt), 42))}
	build(p)
	im.layers = append(im.layers, L)
	im.history = append(im.history, histItem{createdBy, false})
}

func (p *lp) add(e entry) {
	p.L.entries = append(p.L.entries, e)
	if e.typ == tar.TypeReg {
		p.L.bytes += e.size
	}
}

func (p *lp) dir(d string) {
	d = strings.Trim(d, "/")
	if d == "" || d == "." || p.dirs[d] {
		return
	}
	p.dir(path.Dir(d))
	if p.names[d] {
		panic("gen: directory " + d + " is already a file in this layer")
	}
	p.dirs[d] = true
	p.add(entry{name: d + "/", typ: tar.TypeDir, mode: 0o755})
}

func (p *lp) file(name string, size int64) {
	p.fileMode(name, size, 0o644)
}

// unique returns name, or name with a suffix if this layer already
// holds that path.
func (p *lp) unique(name string) string {
	for i := 2; p.names[name] || p.dirs[name]; i++ {
		name = fmt.Sprintf("%s_%d", strings.TrimSuffix(name, fmt.Sprintf("_%d", i-1)), i)
	}
	p.names[name] = true
	return name
}

func (p *lp) fileMode(name string, size int64, mode int32) {
	p.dir(path.Dir(name))
	name = p.unique(name)
	p.add(entry{name: name, typ: tar.TypeReg, size: size, mode: mode, seed: p.r.Uint64()})
}

func (p *lp) symlink(name, target string) {
	p.dir(path.Dir(name))
	if p.names[name] || p.dirs[name] {
		return
	}
	p.names[name] = true
	p.add(entry{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777})
}

func (p *lp) hardlink(name, target string) {
	p.dir(path.Dir(name))
	name = p.unique(name)
	p.add(entry{name: name, typ: tar.TypeLink, link: target, mode: 0o755})
}

// whiteout deletes name (file or directory) from the lower layers.
func (p *lp) whiteout(name string) {
	name = strings.TrimSuffix(name, "/")
	d := path.Dir(name)
	p.dir(d)
	p.add(entry{name: path.Join(d, ".wh."+path.Base(name)), typ: tar.TypeReg, mode: 0o644})
}

// opaque hides everything the lower layers had under dir.
func (p *lp) opaque(dir string) {
	p.dir(dir)
	p.add(entry{name: path.Join(strings.Trim(dir, "/"), ".wh..wh..opq"), typ: tar.TypeReg, mode: 0o644})
}

func (p *lp) n() int { return len(p.L.entries) }

// ln draws a log-normal size around median, clamped to [lo, hi].
func (p *lp) ln(median float64, sigma float64, lo, hi int64) int64 {
	v := int64(median * math.Exp(sigma*p.r.NormFloat64()))
	return p.sz(max(lo, min(hi, v)))
}

// sz scales a fixed size by the image's scale.
func (p *lp) sz(n int64) int64 {
	if p.img.scale == 0 {
		return n
	}
	return int64(float64(n) * p.img.scale)
}

func (p *lp) pick(xs []string) string { return xs[p.r.IntN(len(xs))] }

var syllables = []string{"ac", "bz", "cap", "dbus", "ext", "ffi", "gcc", "gdk", "hb", "icu", "jpeg",
	"krb", "lz", "mpc", "nss", "ogg", "pam", "pcre", "qt", "rtm", "sasl", "sql", "tiff", "udev",
	"va", "web", "xcb", "xml", "yaml", "z", "ssl", "curl", "gnu", "tls", "font", "glib", "uv",
	"event", "pango", "cairo", "ssh", "idn", "crypt", "audit", "sel", "sys", "std", "util", "core"}

func (p *lp) word(n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(p.pick(syllables))
	}
	return b.String()
}

func (p *lp) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[p.r.IntN(16)]
	}
	return string(b)
}

func (p *lp) ver() string {
	return fmt.Sprintf("%d.%d.%d", p.r.IntN(4), p.r.IntN(30), p.r.IntN(20))
}

// pkgName gives the i-th Debian-like package name of an image; the same
// i gives the same name in every layer.
func pkgName(i int) string {
	r := rand.New(rand.NewPCG(uint64(i), 99))
	s := ""
	for range 1 + r.IntN(2) {
		s += syllables[r.IntN(len(syllables))]
	}
	pre := []string{"", "lib", "lib", "python3-", "", "x11-", "fonts-", ""}[r.IntN(8)]
	suf := []string{"", "", "1", "2", "6", "-bin", "-common", "-data", "-dev", "0"}[r.IntN(10)]
	return fmt.Sprintf("%s%s%s-%d", pre, s, suf, i)
}

var locales = []string{"de", "fr", "es", "it", "ja", "ko", "pt_BR", "ru", "zh_CN", "zh_TW", "pl", "nl",
	"sv", "cs", "da", "fi", "hu", "tr", "uk", "ca", "el", "he", "id", "ro", "sk", "sr", "vi", "eu"}

// debPackage installs one Debian-like package of about nfiles files.
func (p *lp) debPackage(pkg string, nfiles int, libHeavy bool) {
	short := strings.TrimPrefix(strings.TrimPrefix(pkg, "lib"), "python3-")
	p.file("usr/share/doc/"+pkg+"/copyright", p.ln(1800, 0.9, 200, 40*KiB))
	p.file("usr/share/doc/"+pkg+"/changelog.Debian.gz", p.ln(2500, 1.0, 300, 200*KiB))
	p.file("var/lib/dpkg/info/"+pkg+".list", int64(40*nfiles+p.r.IntN(200)))
	p.file("var/lib/dpkg/info/"+pkg+".md5sums", int64(70*nfiles+p.r.IntN(200)))
	if p.r.IntN(3) == 0 {
		p.fileMode("var/lib/dpkg/info/"+pkg+".postinst", p.ln(900, 0.6, 100, 8*KiB), 0o755)
	}
	for i := 0; i < nfiles-4; i++ {
		k := p.r.IntN(100)
		if libHeavy {
			k = (k + 35) % 100
		}
		switch {
		case k < 12:
			p.fileMode("usr/bin/"+short+p.word(1), p.ln(20*KiB, 1.3, 2*KiB, 5*MiB), 0o755)
		case k < 16:
			p.fileMode("usr/sbin/"+short+p.word(1), p.ln(20*KiB, 1.2, 2*KiB, 3*MiB), 0o755)
		case k < 30:
			so := fmt.Sprintf("usr/lib/x86_64-linux-gnu/lib%s%s.so", short, p.word(1))
			maj := p.r.IntN(9)
			full := fmt.Sprintf("%s.%d.%d.%d", so, maj, p.r.IntN(20), p.r.IntN(9))
			p.file(full, p.ln(60*KiB, 1.3, 4*KiB, 5*MiB))
			p.symlink(fmt.Sprintf("%s.%d", so, maj), path.Base(full))
		case k < 42:
			p.file(fmt.Sprintf("usr/share/locale/%s/LC_MESSAGES/%s.mo", p.pick(locales), short), p.ln(9*KiB, 1.0, 500, 400*KiB))
		case k < 52:
			sec := p.pick([]string{"1", "1", "3", "5", "8"})
			p.file(fmt.Sprintf("usr/share/man/man%s/%s.%s.gz", sec, short+p.word(1), sec), p.ln(1800, 0.9, 200, 60*KiB))
		case k < 58:
			p.file(fmt.Sprintf("etc/%s/%s.conf", short, p.word(1)), p.ln(900, 1.0, 50, 30*KiB))
		case k < 70:
			p.file(fmt.Sprintf("usr/include/%s/%s.h", short, p.word(2)), p.ln(5*KiB, 1.1, 200, 300*KiB))
		default:
			depth := 1 + p.r.IntN(3)
			d := "usr/share/" + short
			for range depth {
				d += "/" + p.word(1)
			}
			p.file(d+"/"+p.word(2)+p.pick([]string{".txt", ".xml", ".json", ".png", ".svg", ".py", ".pl", ".dat"}), p.ln(2500, 1.3, 0, 2*MiB))
		}
	}
}

// fill adds large files until the layer holds target content bytes:
// mostly 100 KiB - 5 MiB, with the odd 20 - 60 MiB one.
func (p *lp) fill(target int64, name func(i int) string) {
	for i := 0; p.L.bytes < target; i++ {
		rem := target - p.L.bytes
		var sz int64
		if rem > 80*MiB && p.r.IntN(12) == 0 {
			sz = 20*MiB + p.r.Int64N(40*MiB)
		} else {
			sz = p.ln(700*KiB, 1.0, 100*KiB, 5*MiB)
		}
		p.file(name(i), min(sz, rem))
	}
}

func (p *lp) libName(int) string {
	return fmt.Sprintf("usr/lib/x86_64-linux-gnu/lib%s.so.%d.%d", p.word(2), p.r.IntN(20), p.r.IntN(9))
}

// debianBase is a Debian-like rootfs of about n entries.
func (p *lp) debianBase(n int, bytes int64) {
	for _, d := range []string{"boot", "dev", "home", "media", "mnt", "opt", "proc", "root", "run", "srv", "sys", "tmp", "var/tmp", "var/log", "var/mail", "usr/local/bin", "usr/local/lib"} {
		p.dir(d)
	}
	for _, l := range [][2]string{{"bin", "usr/bin"}, {"sbin", "usr/sbin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}} {
		p.symlink(l[0], l[1])
	}
	p.file("etc/passwd", 926)
	p.file("etc/group", 446)
	p.file("etc/os-release", 267)
	p.file("var/lib/dpkg/status", p.sz(70*KiB))
	p.file("etc/ld.so.cache", p.sz(12*KiB))
	p.fileMode("usr/bin/perl", p.sz(3900*KiB), 0o755)
	p.hardlink("usr/bin/perl5.36.0", "usr/bin/perl")
	p.fileMode("usr/bin/bash", p.sz(1234*KiB), 0o755)
	p.hardlink("usr/bin/rbash", "usr/bin/bash")
	for i := 0; p.n() < n; i++ {
		p.debPackage(pkgName(i), 5+int(p.ln(10, 1.0, 0, 300)), false)
	}
	p.fill(bytes, p.libName)
}

// aptInstall installs packages from index first onwards, rewrites the
// dpkg status files of the lower layer and leaves the apt cache behind.
func (p *lp) aptInstall(first, n int, bytes int64, debBytes int64) {
	p.file("var/lib/dpkg/status", p.sz(90*KiB+p.r.Int64N(40*KiB)))
	p.file("var/lib/dpkg/status-old", p.sz(70*KiB))
	p.file("etc/ld.so.cache", p.sz(20*KiB+p.r.Int64N(20*KiB)))
	for _, l := range []string{"deb.debian.org_debian_dists_bookworm_InRelease", "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", "deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.lz4", "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.lz4"} {
		p.file("var/lib/apt/lists/"+l, p.ln(2*MiB, 1.5, 10*KiB, 9*MiB))
	}
	p.file("var/lib/apt/lists/lock", 0)
	p.dir("var/lib/apt/lists/partial")
	p.file("var/cache/apt/archives/lock", 0)
	p.dir("var/cache/apt/archives/partial")
	p.file("var/cache/apt/pkgcache.bin", p.sz(28*MiB))
	p.file("var/cache/apt/srcpkgcache.bin", p.sz(28*MiB))
	var pkgs []string
	for i := first; p.n() < n; i++ {
		pkg := pkgName(i)
		pkgs = append(pkgs, pkg)
		p.debPackage(pkg, 5+int(p.ln(12, 1.1, 0, 400)), i%3 == 0)
	}
	debStart := p.L.bytes
	for i := 0; p.L.bytes-debStart < debBytes; i++ {
		pkg := pkgs[i%len(pkgs)]
		p.file(fmt.Sprintf("var/cache/apt/archives/%s_%s-1_amd64.deb", pkg, p.ver()), p.ln(250*KiB, 1.4, 2*KiB, 40*MiB))
	}
	p.fill(bytes, p.libName)
}

// goRoot is a Go-toolchain-like tree.
func (p *lp) goRoot(root string, n int, bytes int64) {
	p.fileMode(root+"/bin/go", 14*MiB+p.r.Int64N(MiB), 0o755)
	p.fileMode(root+"/bin/gofmt", 3*MiB, 0o755)
	for _, t := range []string{"asm", "cgo", "compile", "cover", "link", "vet", "pprof", "trace", "buildid", "covdata", "nm", "objdump", "pack", "addr2line", "dist", "fix", "test2json"} {
		p.fileMode(root+"/pkg/tool/linux_amd64/"+t, p.ln(5*MiB, 0.8, 2*MiB, 20*MiB), 0o755)
	}
	p.file(root+"/lib/time/zoneinfo.zip", 400*KiB)
	p.file(root+"/VERSION", 40)
	for i := 0; p.n() < n; i++ {
		top := p.pick([]string{"src", "src", "src", "src", "src/cmd", "src/vendor/golang.org/x", "src/cmd/vendor/golang.org/x", "test", "misc", "api"})
		d := root + "/" + top
		for range 1 + p.r.IntN(3) {
			d += "/" + p.word(1)
		}
		files := 2 + p.r.IntN(25)
		for j := 0; j < files && p.n() < n; j++ {
			base := p.word(1 + p.r.IntN(2))
			switch k := p.r.IntN(10); {
			case k < 6:
				p.file(d+"/"+base+".go", p.ln(7*KiB, 1.1, 100, 400*KiB))
			case k < 9:
				p.file(d+"/"+base+"_test.go", p.ln(9*KiB, 1.1, 100, 400*KiB))
			default:
				p.file(d+"/testdata/"+base+p.pick([]string{".txt", ".golden", ".s", ".json"}), p.ln(2*KiB, 1.8, 0, 2*MiB))
			}
		}
	}
	p.fill(bytes, func(int) string { return root + "/pkg/" + p.word(2) + ".a" })
}

// nodeModules is an npm-installed tree: deep, many tiny files.
func (p *lp) nodeModules(root string, n int, bytes int64) {
	var pkg func(dir string, depth int)
	pkg = func(dir string, depth int) {
		p.file(dir+"/package.json", p.ln(1200, 0.7, 200, 20*KiB))
		p.file(dir+"/README.md", p.ln(4*KiB, 1.2, 100, 100*KiB))
		p.file(dir+"/LICENSE", 1070+int64(p.r.IntN(30)))
		p.file(dir+"/index.js", p.ln(600, 1.3, 20, 50*KiB))
		for range p.r.IntN(12) {
			sub := p.pick([]string{"lib", "dist", "src", "lib/internal", "dist/esm", "dist/cjs", "types", "build"})
			b := p.word(1 + p.r.IntN(2))
			p.file(dir+"/"+sub+"/"+b+p.pick([]string{".js", ".js", ".d.ts", ".js.map", ".mjs", ".cjs", ".json"}), p.ln(2500, 1.4, 0, 2*MiB))
		}
		if depth < 3 && p.r.IntN(5) == 0 {
			for range 1 + p.r.IntN(3) {
				pkg(dir+"/node_modules/"+p.word(2), depth+1)
			}
		}
	}
	for p.n() < n {
		name := p.word(1 + p.r.IntN(2))
		if p.r.IntN(6) == 0 {
			name = "@" + p.word(1) + "/" + name
		}
		pkg(root+"/node_modules/"+name, 0)
	}
	p.fill(bytes, func(int) string {
		return root + "/node_modules/" + p.word(2) + "/dist/" + p.word(1) + p.pick([]string{".node", ".wasm", ".min.js"})
	})
}

// sitePackages is a pip-installed tree: .py, __pycache__, some big .so.
func (p *lp) sitePackages(root string, n int, bytes int64) {
	for p.n() < n {
		pkg := p.word(1 + p.r.IntN(2))
		ver := p.ver()
		di := fmt.Sprintf("%s/%s-%s.dist-info", root, pkg, ver)
		for _, f := range []string{"METADATA", "RECORD", "WHEEL", "INSTALLER", "top_level.txt", "LICENSE"} {
			p.file(di+"/"+f, p.ln(1500, 1.0, 4, 100*KiB))
		}
		mods := 3 + int(p.ln(15, 1.2, 0, 400))
		for j := 0; j < mods && p.n() < n; j++ {
			d := root + "/" + pkg
			for range p.r.IntN(3) {
				d += "/" + p.word(1)
			}
			m := p.word(1)
			p.file(d+"/"+m+".py", p.ln(6*KiB, 1.2, 0, 500*KiB))
			p.file(d+"/__pycache__/"+m+".cpython-312.pyc", p.ln(6*KiB, 1.2, 100, 500*KiB))
			if p.r.IntN(40) == 0 {
				p.file(d+"/_"+m+".cpython-312-x86_64-linux-gnu.so", p.ln(400*KiB, 1.5, 20*KiB, 30*MiB))
			}
		}
	}
	p.fill(bytes, func(int) string {
		return fmt.Sprintf("%s/%s.libs/lib%s-%s.so.%d", root, p.word(1), p.word(1), p.hex(8), p.r.IntN(9))
	})
}

func (p *lp) pipCache(n int, bytes int64) {
	for p.n() < n {
		h := p.hex(56)
		d := fmt.Sprintf("root/.cache/pip/http-v2/%s/%s/%s/%s/%s", h[0:1], h[1:2], h[2:3], h[3:4], h[4:5])
		p.file(d+"/"+h, p.ln(300, 0.5, 50, 4*KiB))
		p.file(d+"/"+h+".body", p.ln(60*KiB, 2.0, 100, 30*MiB))
	}
	p.fill(bytes, func(int) string {
		return fmt.Sprintf("root/.cache/pip/wheels/%s/%s/%s/%s-%s-cp312-cp312-linux_x86_64.whl", p.hex(2), p.hex(2), p.hex(52), p.word(1), p.ver())
	})
}

func (p *lp) goBuildCache(n int, bytes int64) {
	p.file("root/.cache/go-build/README", 0x1ff)
	p.file("root/.cache/go-build/trim.txt", 10)
	for p.n() < n {
		h := p.hex(64)
		p.file("root/.cache/go-build/"+h[:2]+"/"+h+"-a", 166)
		p.file("root/.cache/go-build/"+h[:2]+"/"+p.hex(64)+"-d", p.ln(12*KiB, 2.0, 0, 10*MiB))
	}
	p.fill(bytes, func(int) string { h := p.hex(64); return "root/.cache/go-build/" + h[:2] + "/" + h + "-d" })
}

// appSource is a checked-out repository with its .git directory.
func (p *lp) appSource(root string, n int, bytes int64) {
	for p.n() < n {
		if p.r.IntN(3) == 0 {
			h := p.hex(40)
			p.file(root+"/.git/objects/"+h[:2]+"/"+h[2:], p.ln(700, 1.3, 30, 200*KiB))
			continue
		}
		d := root + "/" + p.pick([]string{"cmd", "internal", "pkg", "web/src", "web/src/components", "docs", "scripts", "testdata"})
		for range p.r.IntN(3) {
			d += "/" + p.word(1)
		}
		p.file(d+"/"+p.word(2)+p.pick([]string{".go", ".go", ".ts", ".tsx", ".md", ".json", ".yaml", ".sh"}), p.ln(4*KiB, 1.2, 0, 300*KiB))
	}
	p.fill(bytes, func(int) string { return root + "/.git/objects/pack/pack-" + p.hex(40) + ".pack" })
}

// overwrite rewrites count regular files of the lower layers, chosen
// among those whose name has prefix.
func (p *lp) overwrite(prefix string, count int) {
	var cands []string
	for _, L := range p.img.layers {
		for _, e := range L.entries {
			if e.typ == tar.TypeReg && strings.HasPrefix(e.name, prefix) && !strings.Contains(e.name, ".wh.") {
				cands = append(cands, e.name)
			}
		}
	}
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, c := range cands[:min(count, len(cands))] {
		p.file(c, p.ln(20*KiB, 2.0, 0, 20*MiB))
	}
}

// deleteFiles whites out count distinct regular files of the lower
// layers whose names have one of prefixes, one .wh. entry each.
func (p *lp) deleteFiles(count int, prefixes ...string) {
	seen := map[string]bool{}
	var cands []string
	for _, L := range p.img.layers {
		for _, e := range L.entries {
			if e.typ != tar.TypeReg || strings.Contains(e.name, ".wh.") || seen[e.name] {
				continue
			}
			for _, pre := range prefixes {
				if strings.HasPrefix(e.name, pre) {
					seen[e.name] = true
					cands = append(cands, e.name)
					break
				}
			}
		}
	}
	p.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, c := range cands[:min(count, len(cands))] {
		p.whiteout(c)
	}
}

// tinyTree is for the manyfiles image: a deep tree of mostly empty or
// tiny files, like a monorepo's node_modules or a Python venv.
func (p *lp) tinyTree(root string, n int) {
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		files := 3 + p.r.IntN(14)
		for range files {
			var sz int64
			if p.r.IntN(10) < 4 {
				sz = 0
			} else {
				sz = p.ln(180, 1.2, 1, 16*KiB)
			}
			p.file(dir+"/"+p.word(1)+p.pick([]string{".js", ".d.ts", ".py", ".json", ".cjs", ".md", ".map"}), sz)
		}
		if depth < 4 {
			for range p.r.IntN(4) {
				walk(dir+"/"+p.word(1), depth+1)
			}
		}
	}
	for p.n() < n {
		walk(root+"/"+p.word(1)+"/"+p.word(1), 0)
	}
}
