package source

import (
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// secretsOf returns the values of auth that must never be printed: the
// password, tokens and the base64 user:password a Basic header carries.
// A failure to read them leaves the pattern scrub of redactServerText.
func secretsOf(auth authn.Authenticator) []string {
	cfg, err := auth.Authorization()
	if err != nil || cfg == nil {
		return nil
	}
	var out []string
	for _, s := range []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	if cfg.Username != "" && cfg.Password != "" {
		out = append(out, base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	return out
}

// credentialPatterns match credentials by their form, whoever's they are:
// the value of an Authorization header (a bearer token fetched during the
// pull is known to no one but the server), and token or password fields
// of a JSON or form body.
var credentialPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}`),
	regexp.MustCompile(`(?i)("(?:access_token|refresh_token|token|password|secret)"\s*:\s*)"[^"]*"`),
	regexp.MustCompile(`(?i)\b((?:access_token|refresh_token|token|password)=)[^&\s"]+`),
}

var credentialRepl = []string{"$1 ***", `$1"***"`, "${1}***"}

// redactServerText returns err with its text scrubbed of secrets and of
// credential-shaped values. It still matches what err matches.
func redactServerText(err error, secrets []string) error {
	msg := err.Error()
	clean := msg
	for _, s := range secrets {
		clean = strings.ReplaceAll(clean, s, "***")
	}
	for i, re := range credentialPatterns {
		clean = re.ReplaceAllString(clean, credentialRepl[i])
	}
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}
