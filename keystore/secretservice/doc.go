// Package secretservice holds the keystore's integration tests against a
// real Secret Service (gnome-keyring under D-Bus). They live apart from
// package keystore because go-keyring's mocks replace its provider for the
// whole test binary, with no way back in v0.2.8.
//
// Run them with .ci/keyring-env.sh go test ./keystore/secretservice/...
// (MALIPO_KEYRING_TEST=1: they fail rather than skip if the keyring is
// unusable).
package secretservice
