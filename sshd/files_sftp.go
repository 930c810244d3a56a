package sshd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime/debug"
	"sync"
	"time"

	"charm.land/ssh"
	"github.com/pkg/sftp"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// SFTP, which OpenSSH 9's plain `scp` speaks by default and `sftp`
// always: github.com/pkg/sftp's request server parses the protocol and
// calls sftpHandler, which maps every request onto the user's folder.
//
// The folder is "/" (and, as the start directory, "."). pkg/sftp cleans
// every path against "/" before we see it, as a chroot does: "/.." is "/",
// so "../x" names x in the user's own folder and nothing above it can be
// named at all. What remains is refused with a permission error unless it
// is "/" or "/NAME" with NAME a plain name (userdir.CheckName): "/tmp/x",
// "/other/x", "/etc/passwd". Only regular files are read, written, listed,
// removed or renamed; mkdir, rmdir, symlink, hard links and readlink are
// refused; setstat of a file is accepted and changes nothing (see
// setstat). Makers (PermImport) may remove and rename their
// own files: the folder is theirs to tidy, and nothing else reads it.

// sftpSubsystem serves one "sftp" subsystem request.
func (s *Server) sftpSubsystem(sess ssh.Session) {
	defer s.recoverTransfer(sess)
	id, ok := s.identify(sess)
	if !ok {
		_ = s.cfg.Audit.Write(Record{Event: "login.refused", Fingerprint: id.Fingerprint, Session: id.Session,
			Remote: id.Remote, Result: resRefused, Detail: "key no longer in the users file"})
		_, _ = fmt.Fprint(sess.Stderr(), "Permission denied.\r\n")
		_ = sess.Exit(1)
		return
	}
	role := id.role()
	switch {
	case !common.Allowed(role, common.PermImport) && !common.Allowed(role, common.PermExport):
		s.refuseSession(sess, id, evRefused, roleRefusal(id, "upload or download"))
		return
	case s.isDraining():
		s.refuseSession(sess, id, evRefused, "the server is shutting down; try again in a minute")
		return
	}
	dir, err := s.openFiles(id)
	if err != nil {
		s.log.Printf("session %s (%s): folder: %v", id.Session, id.Name, err)
		s.refuseSession(sess, id, evRefused, "your folder cannot be opened; ask the server's administrator")
		return
	}
	defer dir.Close()
	h := &sftpHandler{t: &transfer{s: s, id: id, dir: dir, via: "sftp", msg: sess.Stderr()}}
	rs := sftp.NewRequestServer(sess, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
	if err := rs.Serve(); err != nil && !errors.Is(err, io.EOF) {
		s.log.Printf("session %s (%s): sftp: %v", id.Session, id.Name, err)
	}
	// No rs.Close here: it would close the channel before charm ssh sends
	// the exit status, and OpenSSH's scp then fails a finished download.
}

// recoverTransfer ends a transfer session that panicked, and only it.
// (Subsystems run outside the middleware chain and its recover.)
func (s *Server) recoverTransfer(sess ssh.Session) {
	if r := recover(); r != nil {
		s.log.Printf("panic in a file transfer: %s\n%s", panicText(r), debug.Stack())
		_ = sess.Exit(1)
		_ = sess.Close()
	}
}

// sftpHandler is pkg/sftp's Handlers over one user's folder.
type sftpHandler struct {
	t *transfer
}

// errOutside refuses any path but the folder and its plain names.
var errOutside = errors.New("only the files of your own folder, by plain name")

// nameOf maps a cleaned SFTP path to a plain name in the folder; "" is
// the folder itself.
func nameOf(p string) (string, error) {
	if p == "/" {
		return "", nil
	}
	dir, base := path.Split(p)
	if dir != "/" {
		return "", fmt.Errorf("%q: %w", clipName(p), errOutside)
	}
	if err := userdir.CheckName(base); err != nil {
		return "", err
	}
	return base, nil
}

func clipName(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// status is what the client is sent for an error of ours: what the rules
// forbid is SSH_FX_PERMISSION_DENIED, a missing file stays "no such file",
// the rest a failure.
func status(err error) error {
	if errors.Is(err, errOutside) || refusedBy(err) == resRefused {
		return fmt.Errorf("%w: %v", sftp.ErrSSHFxPermissionDenied, err)
	}
	return err
}

// refuse audits and tells a refusal, and returns its status.
func (h *sftpHandler) refuse(event, name string, err error) error {
	h.t.audit(event, name, resRefused, oneLine(err.Error()))
	h.t.tell("%s", oneLine(err.Error()))
	return status(err)
}

// file checks the role and maps the request's path to a file name (not
// the folder).
func (h *sftpHandler) file(p, event string, perm common.Permission, verb string) (string, error) {
	if !h.t.allowed(perm) {
		return "", h.refuse(event, p, errors.New(roleRefusal(h.t.id, verb)))
	}
	name, err := nameOf(p)
	if err == nil && name == "" {
		err = fmt.Errorf("%w: that is your folder, not a file", fs.ErrPermission)
	}
	if err != nil {
		return "", h.refuse(event, p, err)
	}
	return name, nil
}

// Fileread opens a file for download.
func (h *sftpHandler) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	name, err := h.file(r.Filepath, evDownload, common.PermExport, "download")
	if err != nil {
		return nil, err
	}
	f, err := h.t.dir.Open(name)
	if err != nil {
		return nil, h.failed(evDownload, name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, h.failed(evDownload, name, err)
	}
	return &sftpReader{t: h.t, name: name, f: f, sec: io.NewSectionReader(f, 0, fi.Size()), size: fi.Size()}, nil
}

// failed audits an error of the folder as a refusal or a failure.
func (h *sftpHandler) failed(event, name string, err error) error {
	if refusedBy(err) == resRefused {
		return h.refuse(event, name, err)
	}
	h.t.audit(event, name, resFailed, oneLine(err.Error()))
	return status(err)
}

// Filewrite opens a file for upload. Only whole-file writes are served
// (OpenSSH's put and scp open with WRITE|CREAT|TRUNC): appending,
// resuming into an existing file or reading back would all need the
// file written in place, and userdir writes a temporary file renamed on
// close.
func (h *sftpHandler) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	name, err := h.file(r.Filepath, evUpload, common.PermImport, "upload")
	if err != nil {
		return nil, err
	}
	fl := r.Pflags()
	if fl.Append || fl.Read {
		return nil, h.refuse(evUpload, name, fmt.Errorf("%w: %s: only whole files are uploaded (no append, no read-write)", fs.ErrPermission, name))
	}
	if !fl.Trunc && !fl.Excl {
		if _, err := h.t.dir.Stat(name); err == nil {
			return nil, h.refuse(evUpload, name, fmt.Errorf("%w: %s: exists, and resuming an upload is not supported", fs.ErrPermission, name))
		}
	}
	w, err := h.t.dir.Create(name, !fl.Excl)
	if err != nil {
		return nil, h.failed(evUpload, name, err)
	}
	return &sftpWriter{t: h.t, name: name, w: w}, nil
}

// Filecmd serves remove and rename of the user's own files (makers and
// up) and refuses everything else.
func (h *sftpHandler) Filecmd(r *sftp.Request) error {
	switch r.Method {
	case "Remove":
		name, err := h.file(r.Filepath, evRemove, common.PermImport, "remove")
		if err != nil {
			return err
		}
		if err := h.t.dir.Remove(name); err != nil {
			return h.failed(evRemove, name, err)
		}
		h.t.audit(evRemove, name, resOK, "")
		return nil
	case "Rename", "PosixRename":
		return h.rename(r)
	case "Setstat":
		return h.setstat(r)
	}
	return h.refuse(evRefused, r.Filepath, fmt.Errorf("%w: %s is not allowed in your folder", fs.ErrPermission, methodWord(r.Method)))
}

// setstat accepts, and ignores, an attribute change of one of the
// folder's files: OpenSSH's scp sends an fsetstat after every upload
// (the local file's mode, size, owner and, with -p, times), and failing
// it would fail the upload; pkg/sftp hands fsetstat and a setstat by path
// (chmod, chown, touch, truncate) over alike. So nothing is ever changed:
// the files keep the server's mode (0600), owner, size and times. A
// setstat of the folder, a path outside it or a special file is refused.
func (h *sftpHandler) setstat(r *sftp.Request) error {
	name, err := h.file(r.Filepath, evRefused, common.PermImport, "change")
	if err != nil {
		return err
	}
	if _, err := h.t.dir.Stat(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// (A file being uploaded does not exist under its name yet.)
		return h.failed(evRefused, name, err)
	}
	return nil
}

func methodWord(m string) string {
	switch m {
	case "Mkdir", "Rmdir":
		return "making or removing folders"
	case "Symlink", "Link":
		return "making links"
	}
	return oneLine(m)
}

// rename renames one of the user's files. Plain SFTP rename never
// replaces (SFTP v3); posix-rename@openssh.com does, as rename(2).
func (h *sftpHandler) rename(r *sftp.Request) error {
	from, err := h.file(r.Filepath, evRename, common.PermImport, "rename")
	if err != nil {
		return err
	}
	to, err := h.file(r.Target, evRename, common.PermImport, "rename")
	if err != nil {
		return err
	}
	if r.Method == "Rename" {
		if _, err := h.t.dir.Stat(to); err == nil {
			return h.refuse(evRename, from, fmt.Errorf("%s: %w", to, userdir.ErrExists))
		}
	}
	if err := h.t.dir.Rename(from, to); err != nil {
		return h.failed(evRename, from, err)
	}
	h.t.audit(evRename, from, resOK, "to "+oneLine(to))
	return nil
}

// Filelist lists the folder and describes its files. Listing needs the
// download permission (names are data too); describing the folder itself
// is also open to uploaders, whose client asks whether "." is a folder.
func (h *sftpHandler) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	name, err := nameOf(r.Filepath)
	if err != nil {
		return nil, h.refuse(evList, r.Filepath, err)
	}
	switch {
	case r.Method == "List" && h.t.allowed(common.PermExport):
		return h.list(name)
	case r.Method == "Stat" || r.Method == "Lstat":
		if name == "" && (h.t.allowed(common.PermImport) || h.t.allowed(common.PermExport)) {
			return h.rootInfo()
		}
		if name != "" && h.t.allowed(common.PermExport) {
			return h.stat(name)
		}
	case r.Method == "Readlink":
		return nil, h.refuse(evRefused, r.Filepath, fmt.Errorf("%w: there are no links in your folder", fs.ErrPermission))
	}
	return nil, h.refuse(evList, r.Filepath, errors.New(roleRefusal(h.t.id, "list")))
}

func (h *sftpHandler) list(name string) (sftp.ListerAt, error) {
	if name != "" {
		return nil, h.refuse(evList, name, fmt.Errorf("%w: %s is a file, not a folder", fs.ErrPermission, name))
	}
	es, err := h.t.dir.List()
	if err != nil {
		return nil, h.failed(evList, "", err)
	}
	out := make(listerAt, len(es))
	for i, e := range es {
		out[i] = fileInfo{name: e.Name, size: e.Size, mode: 0o600, mod: e.ModTime}
	}
	return out, nil
}

func (h *sftpHandler) stat(name string) (sftp.ListerAt, error) {
	e, err := h.t.dir.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		// Asked before every upload: not worth a record.
		return nil, err
	}
	if err != nil {
		return nil, h.failed(evList, name, err)
	}
	return listerAt{fileInfo{name: e.Name, size: e.Size, mode: 0o600, mod: e.ModTime}}, nil
}

// rootInfo describes the folder. Its server path stays on the server:
// only its time is taken.
func (h *sftpHandler) rootInfo() (sftp.ListerAt, error) {
	mod := time.Unix(0, 0)
	if fi, err := os.Stat(h.t.dir.Path()); err == nil {
		mod = fi.ModTime()
	}
	return listerAt{fileInfo{name: "/", mode: fs.ModeDir | 0o700, mod: mod}}, nil
}

// sftpReader is a download: reads stop at the size the file had when
// opened, and Close audits whether the client read it all.
type sftpReader struct {
	t    *transfer
	name string
	f    *os.File
	sec  *io.SectionReader
	size int64

	mu  sync.Mutex // pkg/sftp reads one handle from several workers
	end int64
}

func (r *sftpReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.sec.ReadAt(p, off)
	r.mu.Lock()
	r.end = max(r.end, off+int64(n))
	r.mu.Unlock()
	return n, err
}

func (r *sftpReader) Close() error {
	err := r.f.Close()
	r.mu.Lock()
	end := r.end
	r.mu.Unlock()
	if end >= r.size {
		r.t.audit(evDownload, r.name, resOK, bytesDetail(r.size, nil))
	} else {
		r.t.audit(evDownload, r.name, resFailed, bytesDetail(end, fmt.Errorf("closed before %d bytes", r.size)))
	}
	return err
}

// sftpWriter is an upload. pkg/sftp writes one handle from several
// workers, so the userdir.Writer (not safe for that) is behind a mutex.
type sftpWriter struct {
	t    *transfer
	name string

	mu     sync.Mutex
	w      *userdir.Writer
	told   bool
	broken error
}

func (w *sftpWriter) WriteAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.w.WriteAt(p, off)
	if errors.Is(err, userdir.ErrTooLarge) {
		if !w.told {
			w.told = true
			w.t.tell("%s is larger than the %s limit; nothing was stored", w.name, sizeText(w.t.dir.Max()))
		}
		return n, status(err)
	}
	return n, err
}

// TransferError is pkg/sftp telling us the session ended with the file
// still open: what arrived is dropped.
func (w *sftpWriter) TransferError(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.broken = err
}

func (w *sftpWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.w.Size()
	if w.broken != nil {
		w.w.Abort()
		w.t.audit(evUpload, w.name, resFailed, bytesDetail(n, fmt.Errorf("the session ended mid-file: %w", w.broken)))
		return w.broken
	}
	if err := w.w.Close(); err != nil {
		w.t.audit(evUpload, w.name, refusedBy(err), bytesDetail(n, err))
		return status(err)
	}
	w.t.audit(evUpload, w.name, resOK, bytesDetail(n, nil))
	return nil
}

// fileInfo is an os.FileInfo of the folder's listing.
type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
	mod  time.Time
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return fi.mod }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return nil }

// listerAt serves a fixed listing.
type listerAt []os.FileInfo

func (l listerAt) ListAt(out []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[off:])
	if n < len(out) {
		return n, io.EOF
	}
	return n, nil
}
