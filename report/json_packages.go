package report

import "github.com/strata-cli/strata/analyze"

// JSONLayerPackage is one package a layer changed or wrote files of.
type JSONLayerPackage struct {
	Manager      string `json:"manager"` // dpkg, apk or rpm
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	// PreviousVersion is the version below, set only for "upgraded".
	PreviousVersion string `json:"previousVersion,omitempty"`
	// Change is added, removed, upgraded, reinstalled or touched (files
	// written, the package's record unchanged).
	Change    string `json:"change"`
	SizeBytes int64  `json:"sizeBytes"` // the package's file bytes this layer holds
	FileCount int    `json:"fileCount"`
}

// JSONPackage is one package installed in the final filesystem.
type JSONPackage struct {
	Manager      string `json:"manager"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"`
	SizeBytes    int64  `json:"sizeBytes"` // its files' bytes visible in the final filesystem
	FileCount    int    `json:"fileCount"`
	Layer        int    `json:"layer"` // the last layer that installed, upgraded or reinstalled it
}

func jsonLayerPackages(ps []analyze.LayerPackage) []JSONLayerPackage {
	out := make([]JSONLayerPackage, 0, len(ps))
	for _, p := range ps {
		out = append(out, JSONLayerPackage{
			Manager: p.Manager, Name: cleanString(p.Name), Version: cleanString(p.Version), Architecture: cleanString(p.Architecture),
			PreviousVersion: cleanString(p.PreviousVersion), Change: p.Change.String(), SizeBytes: p.SizeBytes, FileCount: p.Files,
		})
	}
	return out
}

func jsonPackages(ps []analyze.Package) []JSONPackage {
	out := make([]JSONPackage, 0, len(ps))
	for _, p := range ps {
		out = append(out, JSONPackage{
			Manager: p.Manager, Name: cleanString(p.Name), Version: cleanString(p.Version), Architecture: cleanString(p.Architecture),
			SizeBytes: p.SizeBytes, FileCount: p.Files, Layer: p.Layer,
		})
	}
	return out
}
