package sshd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

	"charm.land/ssh"
	"charm.land/wish/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// Files move in and out of a user's folder (files/<user>/ under
// Config.StateDir) with the SSH protocol itself, scp (files_scp.go) and
// SFTP (files_sftp.go), never through a path a person types into the
// console (issue 10 §1). Both go through a transfer: the user's
// userdir.Dir (an os.Root: plain names, regular files, size cap), the
// role check of common.Allowed, and the audit log.

// Audit events of file transfers. Target is the file name; Detail says
// how (scp or sftp), how many bytes and, for a refusal or failure, why.
const (
	evUpload   = "file.upload"
	evDownload = "file.download"
	evList     = "file.list"
	evRemove   = "file.remove"
	evRename   = "file.rename"
	evRefused  = "file.refused" // anything else asked of the folder (mkdir, symlink, setstat…)
)

// Results, as the console's audit events use them.
const (
	resOK      = "ok"
	resRefused = "refused"
	resFailed  = "failed"
)

// errNoFiles is what a session hears when the server has no state
// directory for folders (tests that never set one).
var errNoFiles = errors.New("file transfer is not enabled on this server")

// transfer is one scp or sftp session's access to its user's folder.
type transfer struct {
	s   *Server
	id  identity
	dir *userdir.Dir
	via string    // "scp" or "sftp", for the audit detail
	msg io.Writer // the client's stderr: what a refusal or a cap says

	mu   sync.Mutex
	last string // the last thing told: a client's stat, lstat, open of one name says it once
}

// openFiles opens the user's folder, or says why not.
func (s *Server) openFiles(id identity) (*userdir.Dir, error) {
	if s.cfg.StateDir == "" {
		return nil, errNoFiles
	}
	d, err := userdir.Open(s.cfg.StateDir, id.Name)
	if err == nil && s.cfg.fileMax > 0 {
		d.SetMax(s.cfg.fileMax)
	}
	return d, err
}

// role is the role checks use: the same fail-closed rule as the console's
// (a named user without a role may only look).
func (id identity) role() string {
	return (&common.Common{Role: id.Role, User: id.Name}).EffectiveRole()
}

// allowed asks common.Allowed, the one place roles are decided.
func (t *transfer) allowed(p common.Permission) bool {
	return common.Allowed(t.id.role(), p)
}

// audit writes one record; a failed write is logged, not shown (the file
// has moved already, and the operator must hear of the broken log).
func (t *transfer) audit(event, name, result, detail string) {
	r := t.id.record(event)
	r.Target, r.Result = safeText(name), result
	r.Detail = t.via
	if detail != "" {
		r.Detail += ": " + detail
	}
	if err := t.s.cfg.Audit.Write(r); err != nil {
		t.s.log.Printf("audit log: %v", err)
	}
}

// tell writes one line to the client's stderr, which OpenSSH's scp and
// sftp print as they are: the only way to say why over SFTP, whose status
// codes carry no text the client shows.
func (t *transfer) tell(format string, args ...any) {
	line := fmt.Sprintf("malipo: "+format+"\r\n", args...)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.msg != nil && line != t.last {
		t.last = line
		_, _ = io.WriteString(t.msg, line)
	}
}

// refusedBy is the audit result for an error from the folder: what the
// rules forbid is a refusal, anything else (a missing file, a full disk,
// a client gone) a failure.
func refusedBy(err error) string {
	switch {
	case errors.Is(err, userdir.ErrName), errors.Is(err, userdir.ErrNotRegular),
		errors.Is(err, userdir.ErrTooLarge), errors.Is(err, userdir.ErrExists),
		errors.Is(err, fs.ErrPermission):
		return resRefused
	}
	return resFailed
}

// tooLarge is a file over the folder's cap; it is userdir.ErrTooLarge
// for errors.Is, with the cap in force (tests lower it) in its text.
type tooLarge struct {
	name      string
	size, max int64
}

func (e tooLarge) Error() string {
	return fmt.Sprintf("%s (%d bytes) is larger than the %s limit; nothing was stored", e.name, e.size, sizeText(e.max))
}

func (e tooLarge) Is(target error) bool { return target == userdir.ErrTooLarge }

// roleRefusal is what a role that may not move files hears.
func roleRefusal(id identity, what string) string {
	return fmt.Sprintf("your role (%s) may not %s files in this server's folder", id.role(), what)
}

// bytesDetail is the audit detail of a transfer.
func bytesDetail(n int64, err error) string {
	if err != nil {
		return fmt.Sprintf("%d bytes, %s", n, oneLine(err.Error()))
	}
	return fmt.Sprintf("%d bytes", n)
}

// sizeText is a cap for people: "32 MiB", "64 KiB".
func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// oneLine keeps an error printable, on one line and short for the audit
// log.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// refuseSession ends a transfer session that may not start, audited.
func (s *Server) refuseSession(sess ssh.Session, id identity, event, why string) {
	t := &transfer{s: s, id: id, via: "scp"}
	if sess.Subsystem() != "" {
		t.via = "sftp"
	}
	t.audit(event, "", resRefused, why)
	wish.Fatalln(sess, "malipo: "+why)
}
