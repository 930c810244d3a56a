//go:build unix

package sshd

import (
	"os"
	"syscall"
)

// ownerUID is the file's owner, for the StrictModes check.
func ownerUID(info os.FileInfo) (int, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
