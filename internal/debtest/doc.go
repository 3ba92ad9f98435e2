// Package debtest builds image layers from real Debian packages, for
// tests: .deb files fetched with apt-get download, unpacked with dpkg-deb,
// and the dpkg database written as dpkg writes it (a status stanza per
// installed package, an info/<name>.list of its paths). Nothing is
// committed: packages are fetched on the machine running the tests and
// kept in a cache under the temp directory.
package debtest
