package analyze

import (
	"fmt"
	"sort"
)

// SecretKind says why a file looks like a credential: by its content
// (a key or token of a known shape) or by its name (a file that tools
// write credentials to, holding what such a file holds).
type SecretKind string

// The kinds of finding. Content kinds come first: a file that matches both
// a name and a signature is reported by its signature.
const (
	SecretPrivateKey     SecretKind = "private-key"       // a PEM private key block
	SecretAWSKeyID       SecretKind = "aws-access-key-id" // AKIA/ASIA and 16 more
	SecretGitHubToken    SecretKind = "github-token"      // ghp_, gho_, ghs_, ghu_, ghr_, github_pat_
	SecretGitLabToken    SecretKind = "gitlab-token"      // glpat-
	SecretSlackToken     SecretKind = "slack-token"       // xoxb-, xoxa-, xoxp-, xoxr-, xoxs-
	SecretSSHKey         SecretKind = "ssh-key"           // id_rsa, id_ed25519, ...
	SecretNPMRC          SecretKind = "npmrc"
	SecretPyPIRC         SecretKind = "pypirc"
	SecretNetrc          SecretKind = "netrc"
	SecretDotEnv         SecretKind = "dotenv"
	SecretAWSCredentials SecretKind = "aws-credentials"
	SecretDockerConfig   SecretKind = "docker-config"
	SecretKubeconfig     SecretKind = "kubeconfig"
	SecretGitCredentials SecretKind = "git-credentials"
)

var secretKinds = []SecretKind{
	SecretPrivateKey, SecretAWSKeyID, SecretGitHubToken, SecretGitLabToken, SecretSlackToken,
	SecretSSHKey, SecretNPMRC, SecretPyPIRC, SecretNetrc, SecretDotEnv, SecretAWSCredentials,
	SecretDockerConfig, SecretKubeconfig, SecretGitCredentials,
}

// knownSecretKind reports whether k is one of the kinds above: a cache
// record naming another is corrupt.
func knownSecretKind(k SecretKind) bool {
	for _, c := range secretKinds {
		if c == k {
			return true
		}
	}
	return false
}

// LayerSecret is one finding in the layer that stores it. It never holds
// the secret: only what kind it is and a fingerprint to tell two apart.
type LayerSecret struct {
	Entry int // index into Layer.Entries
	Kind  SecretKind
	// Fingerprint is the first 8 hex digits of the sha256 of the matched
	// key or token (of the file's first 64 KiB for a finding by name):
	// enough to see that two layers hold the same secret, or that a
	// rotated one changed, and useless for recovering it.
	Fingerprint string
}

// Secret is a finding across the image: where it is stored and whether a
// later layer hid it. A hidden one is still in the image, readable by
// anyone who extracts the layer.
type Secret struct {
	Path        string
	Kind        SecretKind
	Fingerprint string
	Layer       int // the layer that stores it
	// HiddenAt is the layer that deleted or overwrote it, or NotHidden.
	HiddenAt int
	// Overwritten says the hiding layer wrote the path again rather than
	// deleting it.
	Overwritten bool
}

// Where says in words where the secret can be read: "in layer 3, visible
// in the final image" or "deleted in layer 5, still readable in layer 3".
func (s Secret) Where() string {
	if s.HiddenAt == NotHidden {
		return fmt.Sprintf("in layer %d, visible in the final image", s.Layer)
	}
	verb := "deleted"
	if s.Overwritten {
		verb = "overwritten"
	}
	return fmt.Sprintf("%s in layer %d, still readable in layer %d", verb, s.HiddenAt, s.Layer)
}

// collectSecrets lists every layer's findings for the image, in layer
// order and, within a layer, by path.
func collectSecrets(res *Result) []Secret {
	var all []located
	for i := range res.Layers {
		l := &res.Layers[i]
		first := len(all)
		for _, ls := range l.Secrets {
			if ls.Entry < 0 || ls.Entry >= len(l.Entries) {
				continue
			}
			e := l.Entries[ls.Entry]
			s := Secret{Path: res.Tree.Path(e.Node), Kind: ls.Kind, Fingerprint: ls.Fingerprint, Layer: i, HiddenAt: int(e.HiddenAt)}
			all = append(all, located{s, e.Node})
		}
		sort.SliceStable(all[first:], func(a, b int) bool { return all[first+a].Path < all[first+b].Path })
	}
	if len(all) == 0 {
		return nil
	}
	markOverwritten(res, all)
	out := make([]Secret, len(all))
	for i, f := range all {
		out[i] = f.Secret
	}
	return out
}

// located is a finding with the node of its path.
type located struct {
	Secret
	node NodeID
}

// markOverwritten sets Overwritten on each hidden finding whose hiding
// layer wrote its path again rather than only deleting it. Each hiding
// layer's entries are read once, however many findings it hid.
func markOverwritten(res *Result, all []located) {
	byLayer := map[int]map[NodeID]bool{}
	for _, f := range all {
		if f.HiddenAt == NotHidden {
			continue
		}
		if byLayer[f.HiddenAt] == nil {
			byLayer[f.HiddenAt] = map[NodeID]bool{}
		}
		byLayer[f.HiddenAt][f.node] = false
	}
	for l, nodes := range byLayer {
		for _, e := range res.Layers[l].Entries {
			if _, ok := nodes[e.Node]; ok && e.Change != ChangeRemoved {
				nodes[e.Node] = true
			}
		}
	}
	for i := range all {
		if f := &all[i]; f.HiddenAt != NotHidden {
			f.Overwritten = byLayer[f.HiddenAt][f.node]
		}
	}
}
