//go:build unix

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/malipo/malipo/client/sim"
)

// passFD returns a descriptor whose content is pass, as a shell's
// `3<pass.txt` would give. It is a dup the command may close itself.
func passFD(t *testing.T, pass string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(pass + "\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(fd)
}

// --passphrase-fd feeds the file backend while stdin carries the keys.
func TestPassphraseFD(t *testing.T) {
	keyHome(t)
	base := simURL(t, sim.Options{})
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--backend", "file", "--scrypt-work-factor", "10",
		"--base-url", base, "--passphrase-fd", passFD(t, "passphrase via fd")))
	dev := mustOK(t, malipo(t, "", "device", "new", "--passphrase-fd", passFD(t, "passphrase via fd"))).out
	if show := mustOK(t, malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "passphrase via fd"))).out; !strings.Contains(show, dev) {
		t.Fatal("device show differs")
	}
	r := malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "another one"))
	if r.e == nil || !strings.Contains(r.e.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase via fd: %v", r.e)
	}
	if r := malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "")); r.e == nil || !strings.Contains(r.e.Error(), "empty") {
		t.Fatalf("empty fd: %v", r.e)
	}
}
