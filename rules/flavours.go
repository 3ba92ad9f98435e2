package rules

import (
	"fmt"
	"strings"
)

// Flavours are the stacks strata init knows, each adding the caches its
// package managers leave behind and the credential files its tools write.
var Flavours = []string{"generic", "node", "python", "go", "java"}

// flavourRules holds what one stack adds to the generic rules.
type flavourRules struct {
	block, denyWaste []string // "pattern  # why" lines
}

// stackRules returns each flavour's additions. Paths are where the
// official images for each stack put things (HOME is /root unless a USER
// step changes it, hence the home/* twins).
func stackRules() map[string]flavourRules {
	return map[string]flavourRules{
		"generic": {},
		"node": {
			block: []string{
				`"**/.npmrc"              # may hold a registry token`,
				`"**/.yarnrc.yml"         # may hold npmAuthToken`,
			},
			denyWaste: []string{
				`"root/.npm/**"           # npm cache (npm ci --cache, or clean in the same RUN)`,
				`"home/*/.npm/**"`,
				`"usr/local/share/.cache/yarn/**" # yarn v1 cache`,
				`"root/.cache/yarn/**"`,
				`"**/node_modules/.cache/**" # build tool caches (babel, webpack, ...)`,
			},
		},
		"python": {
			block: []string{
				`"**/.pypirc"             # package index credentials`,
			},
			denyWaste: []string{
				`"root/.cache/pip/**"     # pip cache (pip install --no-cache-dir)`,
				`"home/*/.cache/pip/**"`,
				`"root/.cache/pypoetry/**" # poetry cache`,
				`"root/.cache/uv/**"      # uv cache`,
				`"**/__pycache__/**"      # byte code compiled in one layer, replaced in another`,
			},
		},
		"go": {
			denyWaste: []string{
				`"root/.cache/go-build/**" # go build cache`,
				`"home/*/.cache/go-build/**"`,
				`"go/pkg/mod/**"          # module cache in the golang images`,
				`"root/go/pkg/mod/**"`,
			},
		},
		"java": {
			block: []string{
				`"**/.m2/settings.xml"    # may hold repository passwords`,
				`"**/.gradle/gradle.properties" # may hold credentials`,
			},
			denyWaste: []string{
				`"root/.m2/repository/**" # maven local repository`,
				`"home/*/.m2/repository/**"`,
				`"root/.gradle/caches/**" # gradle caches`,
				`"home/*/.gradle/caches/**"`,
			},
		},
	}
}

// InitFile returns the commented .strata-ci.yaml for a flavour.
func InitFile(flavour string) string {
	st := stackRules()[flavour]
	var b strings.Builder
	fmt.Fprintf(&b, `# CI rules for strata (strata --ci, or CI=true), written by
# "strata init --flavour %s". Edit freely; see docs/ci.md.
#
# Flags beat these values (--lowest-efficiency 0.95); --block and
# --deny-waste add patterns to the lists below. "disabled" (or off, false,
# "") turns a rule off. Globs: ** is any number of directories, * stays
# within one, a leading / is optional, a pattern without / matches in any
# directory, and "!" excludes.
rules:
  # Share of the image's bytes that survive to the final filesystem
  # (1 - wasted / size). Below it, the build fails.
  lowest-efficiency: 0.9

  # Bytes stored in the image but hidden by a later layer: what squashing
  # would save. strata counts only the hidden copies, never the one that
  # survives.
  highest-wasted-bytes: 20MB

  # Wasted share of the layers above the base image. Small images churn
  # package metadata; raise it (or disable it) if that trips the build.
  highest-user-wasted-percent: 0.1

  # Caps on uncompressed size: the whole image, and any single layer.
  # Pick numbers for your image, e.g. 500MB and 200MB.
  highest-image-size: disabled
  highest-layer-size: disabled

  # Files that must not be visible in the final image.
  block:
    - "**/.git/**"              # VCS metadata (and its history)
    - "**/.svn/**"
    - "**/.hg/**"
    - "root/.ssh/**"            # SSH keys and known hosts
    - "home/*/.ssh/**"
    - "**/id_rsa"
    - "**/id_ecdsa"
    - "**/id_ed25519"
    - "**/*.pem"                # keys and certificates ...
    - "!etc/ssl/**"             # ... except the system CA bundles
    - "!etc/pki/**"
    - "!usr/share/ca-certificates/**"
    - "!usr/lib/ssl/**"
    - "!**/certifi/cacert.pem"  # python's CA bundle
    - "**/*.p12"
    - "**/.env"                 # environment files with secrets
    - "**/.aws/credentials"
    - "**/.docker/config.json"  # registry logins
    - "**/.netrc"
`, flavour)
	for _, l := range st.block {
		fmt.Fprintf(&b, "    - %s\n", l)
	}
	b.WriteString(`
  # Files that must not be wasted: written by one step, deleted by a later
  # one, so they still cost their full size. Clean them in the same RUN.
  deny-waste:
    - "var/lib/apt/lists/**"    # apt indexes (rm -rf /var/lib/apt/lists/* in the same RUN)
    - "var/cache/apt/**"
    - "var/cache/apk/**"        # apk cache (apk add --no-cache)
    - "var/cache/dnf/**"
    - "var/cache/yum/**"
    - "tmp/**"
`)
	for _, l := range st.denyWaste {
		fmt.Fprintf(&b, "    - %s\n", l)
	}
	b.WriteString(`
  # Files in any layer, even ones a later layer deleted, that look like
  # credentials by name or content (private keys, cloud and forge tokens).
  # A deleted key is still readable by anyone who has the image.
  secrets: on
  # Paths the secrets rule accepts, such as test fixtures.
  allow: []
`)
	return b.String()
}
