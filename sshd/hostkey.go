package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey loads the server's host key from path, generating an ed25519
// key there on first start (parent directory 0700, file 0600). A key file
// others can read is refused: anyone who can copy it can impersonate the
// server to every ops person. It returns the PEM (for wish.WithHostKeyPEM)
// and the SHA256 fingerprint to publish to users.
func HostKey(path string) (pemBytes []byte, fingerprint string, err error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		pemBytes, err = createHostKey(path)
	case err != nil:
		return nil, "", fmt.Errorf("host key: %w", err)
	case !info.Mode().IsRegular():
		return nil, "", fmt.Errorf("host key %s is not a regular file", path)
	case info.Mode().Perm()&0o077 != 0:
		return nil, "", fmt.Errorf("host key %s is accessible by group or others (mode %04o): run chmod 600 %s", path, info.Mode().Perm(), path)
	default:
		pemBytes, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, "", fmt.Errorf("host key %s: %w", path, err)
	}
	return pemBytes, gossh.FingerprintSHA256(signer.PublicKey()), nil
}

// createHostKey writes a fresh ed25519 key with O_EXCL, so two servers
// starting at once cannot overwrite each other's key.
func createHostKey(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "malipo serve host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return data, f.Close()
}
