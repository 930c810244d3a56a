//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package payout

import "os"

// lockFile has no cross-process lock here: within one process the
// journal's mutex still makes a check-then-append atomic (every session
// of one console or `malipo serve` shares it), but two processes on one
// journal directory are not kept apart: both may record one approval's
// outcome (the fold keeps the last, and both say the same), and both may
// pass the initiate guard (ReserveInitiate) for the same batch. Run one
// process per profile on such systems, or share the journal through the
// store, whose lock is PostgreSQL's.
func lockFile(*os.File) (unlock func(), err error) { return func() {}, nil }
