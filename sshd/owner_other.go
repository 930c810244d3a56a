//go:build !unix

package sshd

import "os"

// ownerUID: no Unix owners here (Windows ACLs are out of scope); only the
// mode bits are checked.
func ownerUID(os.FileInfo) (int, bool) { return 0, false }
