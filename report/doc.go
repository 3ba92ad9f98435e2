// Package report renders every non-interactive output of strata to an
// io.Writer: the plain report, the JSON documents, the CI formats (text,
// JSON, JUnit, Markdown, GitHub workflow commands), compare, df and the
// container header. Strings that come from an image are escaped here, in
// one place (escape.go), before any format prints them.
package report
