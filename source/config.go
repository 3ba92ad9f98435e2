package source

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// parseConfig is v1.ParseConfigFile for a config read whole, allocating
// a sixth as much when the history is long (a million steps fit under
// maxMetadataSize: 96 MB against 568 MB, and a quarter faster).
// ParseConfigFile copies the bytes into its decoder's buffer and grows the
// history slice step by step, which allocates several times its final
// size; here a first pass, decoding every step into an empty struct,
// counts the steps, so that the real decoding fills a slice of the right
// size in place.
//
// Anything json.Unmarshal refuses (trailing data after the object, which
// ParseConfigFile ignores, or a syntax error) goes through
// ParseConfigFile, so that what is accepted and the errors stay exactly
// its own.
func parseConfig(raw []byte) (*v1.ConfigFile, error) {
	var count struct {
		History []struct{} `json:"history"`
	}
	if err := json.Unmarshal(raw, &count); err == nil {
		cfg := &v1.ConfigFile{History: make([]v1.History, 0, len(count.History))}
		if err := json.Unmarshal(raw, cfg); err == nil {
			if count.History == nil {
				// No history array: leave the field as the decoder
				// would, nil rather than empty.
				cfg.History = nil
			}
			return cfg, nil
		}
	}
	return v1.ParseConfigFile(bytes.NewReader(raw))
}

// configName is what ggcr's partial.ConfigName computes: the sha256 of the
// config as stored, whatever algorithm the manifest names it by.
func configName(raw []byte, stored v1.Hash) v1.Hash {
	if stored.Algorithm == "sha256" && stored.Hex != "" {
		// readBlob has checked the bytes against it.
		return stored
	}
	sum := sha256.Sum256(raw)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}
