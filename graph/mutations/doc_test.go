// Package mutations_test exercises Folio's write API over HTTP, against its
// own database: writes change what lists show, so they stay apart from the
// read tests' shared data.
package mutations_test
