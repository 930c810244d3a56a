//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package payout

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, held until unlock: other
// processes (another console, malipo serve, another host on a shared
// file system that honours flock) wait, so a check-then-append is atomic
// across them. Locks are per open file, so each Journal has its own.
func lockFile(f *os.File) (unlock func(), err error) {
	fd := int(f.Fd())
	for {
		err = syscall.Flock(fd, syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(fd, syscall.LOCK_UN) }, nil
}
