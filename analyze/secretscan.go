package analyze

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
)

// The bounds of the secret scan. A file is read only when it is a small
// regular file, and then only its start; a layer's unnamed files stop being
// read once their bytes reach the layer's budget, so the scan costs a few
// milliseconds per layer at most, whatever the layer holds (text dense in
// '-' and '_' scans at about 1 GB/s: BenchmarkScanSignatures). Files named
// like credentials are always read (they are few and small).
const (
	maxSecretFile   = 1 << 20  // larger files are not read
	secretPrefix    = 64 << 10 // bytes read of a file named like a credential
	contentPrefix   = 16 << 10 // bytes read of any other file: keys and tokens sit near the top of what holds them
	secretBudget    = 4 << 20  // bytes of unnamed files read per layer
	binarySniffSize = 512      // a NUL in this many first bytes marks a binary
)

// secretScan is the per-layer state of the scan.
type secretScan struct {
	buf   []byte // reused for every file; allocated on first use
	spent int64  // bytes of unnamed files read so far
	found []LayerSecret
}

// check looks at the regular file just recorded as entry index of the
// layer, named name in the tar, reading the start of its data from r when
// it qualifies. It returns what it read, which the next consumer of the
// entry must be given before the rest of r.
func (sc *secretScan) check(name string, index int, size int64, r io.Reader) ([]byte, error) {
	if size <= 0 || size > maxSecretFile {
		return nil, nil // an empty file named id_rsa is a fixture, not a key
	}
	named, hint := secretName(name)
	if named == "" {
		if sc.spent >= secretBudget || inPackageTree(name) {
			return nil, nil
		}
	} else if !readsNamed(name, named) {
		return nil, nil
	}
	n := min(size, secretPrefix)
	if named == "" {
		n = min(size, contentPrefix)
	}
	if sc.buf == nil {
		sc.buf = make([]byte, secretPrefix)
	}
	b := sc.buf[:n]
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	if named == "" {
		sc.spent += n
	}
	matched := false
	if named != "" || bytes.IndexByte(b[:min(n, binarySniffSize)], 0) < 0 {
		scanSignatures(b, func(k SecretKind, secret []byte) {
			matched = true
			sc.found = append(sc.found, LayerSecret{Entry: index, Kind: k, Fingerprint: fingerprint(secret)})
		})
	}
	if !matched && named != "" && named != pemCandidate && (hint == "" || bytes.Contains(b, []byte(hint))) {
		sc.found = append(sc.found, LayerSecret{Entry: index, Kind: named, Fingerprint: fingerprint(b)})
	}
	return b, nil
}

// fingerprint is the first 8 hex digits of the sha256 of secret.
func fingerprint(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:4])
}

// pemCandidate marks a *.pem or *.key file: read, but reported only for
// a private key inside (a certificate is public).
const pemCandidate SecretKind = "pem?"

// secretName says whether a tar path names a credential file, and what
// the file must contain to count ("" when anything non-empty does): an
// .npmrc that only names a registry holds no secret.
func secretName(p string) (SecretKind, string) {
	dir, base := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i], p[i+1:]
	}
	parent := dir
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		parent = dir[i+1:]
	}
	switch base {
	case "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk":
		return SecretSSHKey, ""
	case ".npmrc", "npmrc":
		return SecretNPMRC, "_auth" // _auth, _authToken
	case ".pypirc":
		return SecretPyPIRC, "password"
	case ".netrc", "_netrc":
		return SecretNetrc, "password"
	case ".env":
		return SecretDotEnv, "="
	case ".git-credentials":
		return SecretGitCredentials, "@"
	case "kubeconfig":
		return SecretKubeconfig, "users"
	case "config":
		if parent == ".kube" {
			return SecretKubeconfig, "users"
		}
	case "config.json":
		if parent == ".docker" {
			return SecretDockerConfig, "auth" // auths.*.auth, identitytoken is beside it
		}
	case "credentials":
		if parent == ".aws" {
			return SecretAWSCredentials, "aws_secret_access_key"
		}
	}
	if strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key") {
		return pemCandidate, ""
	}
	return "", ""
}

// packageTrees are the directories package managers and toolchains fill
// with third-party files and their test data: their content is not scanned
// (credential names still are), so that a layer of node_modules does not
// spend the budget before the application's own files, and a toolchain's
// test keys do not fail every image built on it.
var packageTrees = []string{
	"node_modules/", "site-packages/", "dist-packages/", "lib/python", "gems/", "vendor/", "go/pkg/mod/", "usr/local/go/",
	"usr/share/", "usr/lib/", "usr/lib64/", "testdata/", ".git/objects/",
}

// readsNamed reports whether the scan reads a file named like a
// credential, named: always, but for a key-like name in a package tree.
// Toolchains and packages ship test keys by the hundred (Go's crypto
// testdata, CPython's test certificates): public material, and noise that
// would fail every build on them.
func readsNamed(name string, named SecretKind) bool {
	return named != pemCandidate || !inPackageTree(name)
}

// packageTreeStart marks the first bytes of packageTrees.
var packageTreeStart = func() (set [256]bool) {
	for _, t := range packageTrees {
		set[t[0]] = true
	}
	return set
}()

// inPackageTree reports whether a tar path lies in one of packageTrees:
// whether one starts the path or follows one of its slashes. Every small
// file asks, so it looks at each component's start once rather than
// searching the whole path for every tree.
func inPackageTree(name string) bool {
	for rest := name; ; {
		if packageTreeAt(rest) {
			return true
		}
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
	}
}

func packageTreeAt(s string) bool {
	if s == "" || !packageTreeStart[s[0]] {
		return false // most components: no tree starts with their byte
	}
	for _, t := range packageTrees {
		if strings.HasPrefix(s, t) {
			return true
		}
	}
	return false
}

// The signatures' fixed parts.
var (
	pemBegin  = []byte("-----BEGIN ")
	pemEnd    = []byte("-----END ")
	awsAnchor = []byte("IA") // of AKIA and ASIA
	githubPAT = []byte("github_pat_")
	gitlabPAT = []byte("glpat-")
)

// scanSignatures calls found for the first key or token of each kind in b,
// with the bytes of the key or token. Every signature wants the shape of a
// real one, not just its prefix: prose that mentions AKIA, a certificate,
// or source code that spells out a PEM header does not match.
//
// Signatures are found from a byte or two inside them rather than from
// their first: 'g' and 'x' are everywhere in text, '-', '_' and "IA" much
// rarer, and a pass over '-' serves three signatures. The scan reads each
// file's start three times, at memchr speed, whatever it holds.
func scanSignatures(b []byte, found func(SecretKind, []byte)) {
	pem, gitlab, slack := findDashSignatures(b)
	if pem != nil {
		found(SecretPrivateKey, pem)
	}
	if s := findAWSKeyID(b); s != nil {
		found(SecretAWSKeyID, s)
	}
	if s := findGitHubToken(b); s != nil {
		found(SecretGitHubToken, s)
	}
	if gitlab != nil {
		found(SecretGitLabToken, gitlab)
	}
	if slack != nil {
		found(SecretSlackToken, slack)
	}
}

// findDashSignatures returns the first PEM private key, GitLab token and
// Slack token in b, found from their dashes.
func findDashSignatures(b []byte) (pem, gitlab, slack []byte) {
	for off := 0; pem == nil || gitlab == nil || slack == nil; {
		j := bytes.IndexByte(b[off:], '-')
		if j < 0 {
			break
		}
		i := off + j
		off = i + 1
		if pem == nil && bytes.HasPrefix(b[i:], pemBegin) {
			pem = pemKeyAt(b, i)
			off = i + len(pemBegin)
			continue
		}
		if gitlab == nil && i >= 5 && string(b[i-5:i]) == "glpat" && (i == 5 || !isWord(b[i-6])) {
			if n := gitlabToken(b[i-5:]); n > 0 {
				gitlab = b[i-5 : i-5+n]
			}
		}
		if slack == nil && i >= 4 && string(b[i-4:i-1]) == "xox" && (i == 4 || !isWord(b[i-5])) {
			if n := slackToken(b[i-4:]); n > 0 {
				slack = b[i-4 : i-4+n]
			}
		}
	}
	return pem, gitlab, slack
}

// pemKeyAt returns the PEM private key block that starts at b[start:], a
// BEGIN line, or nil: the line's label must end in PRIVATE KEY, and at
// least a line of base64 must follow, up to its END line (or the end of
// what was read).
func pemKeyAt(b []byte, start int) []byte {
	off := start + len(pemBegin)
	rest := b[off:]
	eol := bytes.IndexByte(rest, '\n')
	if eol < 0 {
		return nil
	}
	label, ok := bytes.CutSuffix(bytes.TrimRight(rest[:eol], "\r"), []byte("-----"))
	if !ok || len(label) > 64 || !bytes.HasSuffix(label, []byte("PRIVATE KEY")) || !upperWords(label) {
		return nil
	}
	body := rest[eol+1:]
	end, stop := len(body), len(b)
	if j := bytes.Index(body, pemEnd); j >= 0 {
		end, stop = j, off+eol+1+j
		if nl := bytes.IndexByte(b[stop:], '\n'); nl >= 0 {
			stop += nl
		} else {
			stop = len(b)
		}
	}
	if base64Chars(body[:end]) < 64 {
		return nil // a header spelled out in documentation
	}
	for stop > start && b[stop-1] == '\r' {
		stop--
	}
	return b[start:stop]
}

// findAWSKeyID returns the first AWS access key id in b, found from the
// IA of AKIA or ASIA.
func findAWSKeyID(b []byte) []byte {
	for off := 0; ; {
		j := bytes.Index(b[off:], awsAnchor)
		if j < 0 {
			return nil
		}
		i := off + j
		off = i + 1
		if i < 2 || b[i-2] != 'A' || (b[i-1] != 'K' && b[i-1] != 'S') || (i > 2 && isWord(b[i-3])) {
			continue
		}
		if n := awsKeyID(b[i-2:]); n > 0 {
			return b[i-2 : i-2+n]
		}
	}
}

// findGitHubToken returns the first GitHub token in b, found from its
// first underscore: gh[pousr]_ or github_pat_.
func findGitHubToken(b []byte) []byte {
	for off := 0; ; {
		j := bytes.IndexByte(b[off:], '_')
		if j < 0 {
			return nil
		}
		i := off + j
		off = i + 1
		if i >= 3 && b[i-3] == 'g' && b[i-2] == 'h' && (i == 3 || !isWord(b[i-4])) {
			if n := githubToken(b[i-3:]); n > 0 {
				return b[i-3 : i-3+n]
			}
		}
		if i >= 6 && bytes.HasPrefix(b[i-6:], githubPAT) && (i == 6 || !isWord(b[i-7])) {
			if n := githubToken(b[i-6:]); n > 0 {
				return b[i-6 : i-6+n]
			}
		}
	}
}

func upperWords(b []byte) bool {
	for _, c := range b {
		if (c < 'A' || c > 'Z') && c != ' ' {
			return false
		}
	}
	return true
}

func base64Chars(b []byte) int {
	n := 0
	for _, c := range b {
		if isAlnum(c) || c == '+' || c == '/' || c == '=' {
			n++
		}
	}
	return n
}

// awsKeyID: AKIA or ASIA and 16 upper-case letters or digits, standing
// alone. AWS's own documentation key (…EXAMPLE) is not one.
func awsKeyID(b []byte) int {
	const n = 20
	if len(b) < n || (len(b) > n && isAlnum(b[n])) {
		return 0
	}
	for _, c := range b[4:n] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return 0
		}
	}
	if bytes.HasSuffix(b[:n], []byte("EXAMPLE")) {
		return 0
	}
	return n
}

// githubToken: gh[pousr]_ and 36 or more letters and digits, or
// github_pat_ and 40 or more word characters (found by its own prefix).
func githubToken(b []byte) int {
	if rest, ok := bytes.CutPrefix(b, []byte("github_pat_")); ok {
		if n := run(rest, isWord); n >= 40 {
			return len("github_pat_") + n
		}
		return 0
	}
	if len(b) < 4 || b[3] != '_' || !strings.ContainsRune("pousr", rune(b[2])) {
		return 0
	}
	if n := run(b[4:], isAlnum); n >= 36 && n <= 251 {
		return 4 + n
	}
	return 0
}

// gitlabToken: glpat- and 20 or more letters, digits, _ or -.
func gitlabToken(b []byte) int {
	n := run(b[len(gitlabPAT):], func(c byte) bool { return isWord(c) || c == '-' })
	if n < 20 {
		return 0
	}
	return len(gitlabPAT) + n
}

// slackToken: xox[baprs]- then digits (8 or more), a dash and more
// letters, digits and dashes: a placeholder such as xoxb-your-token
// does not match.
func slackToken(b []byte) int {
	if len(b) < 5 || b[4] != '-' || !strings.ContainsRune("baprs", rune(b[3])) {
		return 0
	}
	digits := run(b[5:], func(c byte) bool { return c >= '0' && c <= '9' })
	if digits < 8 || len(b) <= 5+digits || b[5+digits] != '-' {
		return 0
	}
	n := run(b[5:], func(c byte) bool { return isAlnum(c) || c == '-' })
	if n < digits+10 {
		return 0
	}
	return 5 + n
}

func run(b []byte, ok func(byte) bool) int {
	for i, c := range b {
		if !ok(c) {
			return i
		}
	}
	return len(b)
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isWord(c byte) bool { return isAlnum(c) || c == '_' }

// checkSecrets runs the secret scan on the entry just added, when it is a
// regular file. With whole set it returns the reader of all of the entry's
// data, what the scan read included (the file hash reads it); otherwise
// nil, and nothing is allocated.
func (s *layerScan) checkSecrets(hdr *tar.Header, data io.Reader, whole bool) (io.Reader, error) {
	last := s.pending[len(s.pending)-1]
	e := last[len(last)-1]
	if e.Kind != KindFile {
		return data, nil
	}
	read, err := s.secrets.check(strings.TrimPrefix(hdr.Name, "./"), s.count-1, e.Size, data)
	switch {
	case err != nil || !whole:
		return nil, err
	case len(read) > 0:
		return io.MultiReader(bytes.NewReader(read), data), nil
	}
	return data, nil
}
