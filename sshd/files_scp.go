package sshd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"charm.land/ssh"
	"charm.land/wish/v2/scp"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// The legacy scp protocol (`scp -O`, and OpenSSH before 9): the client
// runs `scp -t TARGET` (upload) or `scp -f NAME` (download) as a command.
// wish's scp package speaks the protocol; its FileSystemHandler is not
// used because it joins client paths onto a folder with filepath (a
// symlink in the folder would be followed, a FIFO opened and waited on).
// scpHandler below answers it from the user's userdir.Dir instead, and
// never looks at the paths wish passes: the one name it serves was
// checked by parseSCP.

// scpCmd is an accepted scp server command.
type scpCmd struct {
	upload bool
	// target is the one file name; "" for an upload into the folder
	// (`scp FILE… host:`), where each file keeps its own name.
	target string
}

// errSCPForm is the refusal of an scp command in a form malipo does not
// serve (the why is wrapped).
var errSCPForm = errors.New("scp")

// parseSCP recognises exactly the commands OpenSSH's scp sends to a server:
// `scp [-v] [-p] [-d] -t [--] TARGET` and `scp [-v] [-p] -f [--] NAME`.
// ok is false when the command is not scp at all. A recognised scp
// command in a form we refuse (recursive, a path, several names) returns
// ok with an error that says why, so the refusal can be audited as the
// upload or download it was.
func parseSCP(args []string) (c scpCmd, ok bool, err error) {
	if len(args) == 0 || args[0] != "scp" {
		return c, false, nil
	}
	f, rest, err := scpFlags(args[1:])
	if err != nil {
		return c, true, err
	}
	c.upload = f.op == "-t"
	c.target, err = scpTarget(f, rest)
	return c, true, err
}

// scpFlagSet is what scp's options asked for.
type scpFlagSet struct {
	op                 string // "-t" or "-f"
	dirOnly, recursive bool
}

// scpFlags reads the options up to -t or -f (and a "--" after it), and
// returns the arguments left.
func scpFlags(args []string) (f scpFlagSet, rest []string, err error) {
	for f.op == "" && len(args) > 0 {
		a := args[0]
		args = args[1:]
		switch a {
		case "-v", "-p":
		case "-d":
			f.dirOnly = true
		case "-r":
			f.recursive = true
		case "-t", "-f":
			f.op = a
		default:
			return f, nil, fmt.Errorf("%w: option %q is not served", errSCPForm, safeText(a))
		}
	}
	if f.op == "" {
		return f, nil, fmt.Errorf("%w: neither -t nor -f", errSCPForm)
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	return f, args, nil
}

// scpTarget is the one plain name the command names, or "" for an upload
// into the folder.
func scpTarget(f scpFlagSet, rest []string) (string, error) {
	switch {
	case f.recursive:
		return "", fmt.Errorf("%w: folders are not copied; copy files one by one", errSCPForm)
	case len(rest) != 1:
		return "", fmt.Errorf("%w: name one file of your folder", errSCPForm)
	case f.op == "-t" && (rest[0] == "" || rest[0] == "."):
		return "", nil
	case f.dirOnly:
		return "", fmt.Errorf("%w: your folder has no folders; copy to HOST: instead", errSCPForm)
	}
	if err := userdir.CheckName(rest[0]); err != nil {
		return "", err
	}
	return rest[0], nil
}

// serveSCP runs one scp transfer: role check, then wish's protocol over
// the user's folder.
func (s *Server) serveSCP(sess ssh.Session, id identity, c scpCmd, perr error) {
	event, perm, verb := evDownload, common.PermExport, "download"
	if c.upload {
		event, perm, verb = evUpload, common.PermImport, "upload"
	}
	switch {
	case !common.Allowed(id.role(), perm):
		s.refuseSession(sess, id, event, roleRefusal(id, verb))
		return
	case perr != nil:
		s.refuseSession(sess, id, event, perr.Error())
		return
	case s.isDraining():
		s.refuseSession(sess, id, event, "the server is shutting down; try again in a minute")
		return
	}
	dir, err := s.openFiles(id)
	if err != nil {
		s.log.Printf("session %s (%s): folder: %v", id.Session, id.Name, err)
		s.refuseSession(sess, id, event, "your folder cannot be opened; ask the server's administrator")
		return
	}
	defer dir.Close()
	h := &scpHandler{t: &transfer{s: s, id: id, dir: dir, via: "scp", msg: sess.Stderr()}, target: c.target}
	// parseSCP accepted the command, so wish's middleware serves it and
	// never calls the next handler.
	scp.Middleware(h, h)(func(ssh.Session) {})(sess)
}

// scpHandler is wish's scp.Handler over one user's folder.
type scpHandler struct {
	t      *transfer
	target string
}

var errNoFolders = fmt.Errorf("%w: your folder has no folders", fs.ErrPermission)

// Glob serves the one name parseSCP checked, whatever wish passes.
func (h *scpHandler) Glob(ssh.Session, string) ([]string, error) {
	return []string{h.target}, nil
}

// WalkDir is for recursive copies, which parseSCP refuses.
func (h *scpHandler) WalkDir(ssh.Session, string, fs.WalkDirFunc) error { return errNoFolders }

// NewDirEntry is for recursive copies, which parseSCP refuses.
func (h *scpHandler) NewDirEntry(ssh.Session, string) (*scp.DirEntry, error) {
	return nil, errNoFolders
}

// NewFileEntry opens the file to send; the closer audits how it went.
func (h *scpHandler) NewFileEntry(ssh.Session, string) (*scp.FileEntry, func() error, error) {
	name := h.target
	f, err := h.t.dir.Open(name)
	if err != nil {
		h.t.audit(evDownload, name, refusedBy(err), oneLine(err.Error()))
		return nil, nil, lineErr{err}
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		h.t.audit(evDownload, name, resFailed, oneLine(err.Error()))
		return nil, nil, err
	}
	size := fi.Size()
	// The size is promised in the header: never send more, even if the
	// file grew since.
	cr := &countReader{r: io.LimitReader(f, size)}
	entry := &scp.FileEntry{Name: name, Filepath: name, Mode: 0o600, Size: size, Reader: cr,
		Mtime: fi.ModTime().Unix(), Atime: fi.ModTime().Unix()}
	closer := func() error {
		err := f.Close()
		if cr.n == size {
			h.t.audit(evDownload, name, resOK, bytesDetail(size, nil))
		} else {
			h.t.audit(evDownload, name, resFailed, bytesDetail(cr.n, fmt.Errorf("stopped before %d bytes", size)))
		}
		return err
	}
	return entry, closer, nil
}

// Mkdir refuses: the folder is flat.
func (h *scpHandler) Mkdir(_ ssh.Session, e *scp.DirEntry) error {
	h.t.audit(evRefused, e.Name, resRefused, "mkdir: "+errNoFolders.Error())
	return lineErr{errNoFolders}
}

// lineErr ends an error's text with a line break: wish prints a handler's
// error to the client's stderr as it is, and scp's "lost connection"
// would follow on the same line.
type lineErr struct{ error }

func (e lineErr) Error() string { return e.error.Error() + "\r\n" }
func (e lineErr) Unwrap() error { return e.error }

// Write stores one uploaded file: refused before a byte is read when the
// header announces more than the cap, written to a temporary file and
// renamed into place only when every byte arrived.
func (h *scpHandler) Write(_ ssh.Session, e *scp.FileEntry) (int64, error) {
	name := e.Name
	if h.target != "" {
		name = h.target
	}
	if max := h.t.dir.Max(); e.Size > max {
		err := tooLarge{name: name, size: e.Size, max: max}
		h.t.audit(evUpload, name, resRefused, bytesDetail(0, err))
		return 0, lineErr{err}
	}
	w, err := h.t.dir.Create(name, true)
	if err != nil {
		h.t.audit(evUpload, name, refusedBy(err), bytesDetail(0, err))
		return 0, lineErr{err}
	}
	n, err := io.Copy(w, e.Reader)
	if err == nil && n != e.Size {
		err = fmt.Errorf("the connection ended after %d of %d bytes", n, e.Size)
	}
	if err == nil {
		err = w.Close()
	} else {
		w.Abort()
	}
	if err != nil {
		h.t.audit(evUpload, name, refusedBy(err), bytesDetail(n, err))
		return n, lineErr{err}
	}
	h.t.audit(evUpload, name, resOK, bytesDetail(n, nil))
	return n, nil
}

// countReader counts what passed through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
