package sshd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/scp"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
)

// The legacy scp protocol (`scp -O`, and OpenSSH before 9): the client
// runs `scp -t TARGET` (upload) or `scp -f NAME` (download) as a command.
// wish's scp package receives uploads; its FileSystemHandler is not used
// because it joins client paths onto a folder with filepath (a symlink in
// the folder would be followed, a FIFO opened and waited on). scpHandler
// below answers it from the user's userdir.Dir instead, and never looks
// at the paths wish passes: the one name it serves was checked by
// parseSCP. Downloads are sent by scpHandler.download (see there why).

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
	if !c.upload {
		if err := h.download(sess); err != nil {
			wish.Fatal(sess, err)
		}
		return
	}
	// parseSCP accepted the command, so wish's middleware serves it and
	// never calls the next handler.
	scp.Middleware(nil, h)(func(ssh.Session) {})(sess)
}

// scpHandler is wish's scp.CopyFromClientHandler over one user's folder;
// download sends from it.
type scpHandler struct {
	t      *transfer
	target string
}

var errNoFolders = fmt.Errorf("%w: your folder has no folders", fs.ErrPermission)

// download sends the one name parseSCP checked. It speaks the source side
// of the protocol itself rather than through wish's copyToClient, which
// writes the file without reading the client's answers and then ends the
// session: OpenSSH's scp, writing its last "received" byte into an ssh
// that had already exited, died of SIGPIPE ("lost connection", exit 1)
// about once in 40 downloads. Here the session ends only after the client
// has said it has the whole file, and only then is the download "ok".
func (h *scpHandler) download(rw io.ReadWriter) error {
	name := h.target
	f, err := h.t.dir.Open(name)
	if err != nil {
		h.t.audit(evDownload, name, refusedBy(err), oneLine(err.Error()))
		return lineErr{err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		h.t.audit(evDownload, name, resFailed, oneLine(err.Error()))
		return lineErr{err}
	}
	// The size is promised in the header: never send more, even if the
	// file grew since.
	size := fi.Size()
	n, err := scpSend(rw, name, fi.ModTime().Unix(), size, io.LimitReader(f, size))
	if err != nil {
		h.t.audit(evDownload, name, resFailed, bytesDetail(n, err))
		return lineErr{err}
	}
	h.t.audit(evDownload, name, resOK, bytesDetail(n, nil))
	return nil
}

// scpSend is the source side of scp for one file: wait for the client to
// be ready, then send the times, the header and the bytes, reading the
// client's answer to each.
func scpSend(rw io.ReadWriter, name string, mtime, size int64, r io.Reader) (int64, error) {
	if err := scpAnswer(rw); err != nil {
		return 0, err
	}
	for _, line := range []string{fmt.Sprintf("T%d 0 %d 0\n", mtime, mtime), fmt.Sprintf("C0600 %d %s\n", size, name)} {
		if _, err := io.WriteString(rw, line); err != nil {
			return 0, err
		}
		if err := scpAnswer(rw); err != nil {
			return 0, err
		}
	}
	n, err := io.Copy(rw, r)
	switch {
	case err != nil:
		return n, err
	case n != size:
		// The client waits for the bytes promised: end the session.
		return n, fmt.Errorf("the file shrank to %d of %d bytes while being sent", n, size)
	}
	if _, err := rw.Write(scp.NULL); err != nil {
		return n, err
	}
	return n, scpAnswer(rw)
}

// scpAnswer reads the client's answer: a zero byte for yes, or 1 (warning)
// or 2 (error) and a line saying why; either of those ends the transfer.
func scpAnswer(r io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("the client stopped answering: %w", err)
	}
	if b[0] == 0 {
		return nil
	}
	var why []byte
	for len(why) < 256 {
		if _, err := io.ReadFull(r, b[:]); err != nil || b[0] == '\n' {
			break
		}
		why = append(why, b[0])
	}
	return fmt.Errorf("the client refused: %s", oneLine(string(why)))
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
