// Package userdir is the one way files reach malipo from a person: an SSH
// user's private folder on the server, and the local console's typed paths.
//
// Over SSH nothing a remote user types may become a path the server opens
// (issue 10). Each user gets a folder under the state directory
// (files/<user>/); files move in and out of it with scp/sftp, and the
// console's import and export name files in it by plain name only. A name
// is never joined onto a path by hand: every open goes through an os.Root,
// which the kernel confines to the folder, with O_NOFOLLOW on the last
// element and a check that what was opened is a regular file. So "..",
// "/etc/shadow", a symlink planted by someone with shell access, a FIFO
// (which would hang the reader) and a device are all refused.
//
// The local console keeps its path prompts (the keys' owner may read their
// own files), but OpenRegular still refuses FIFOs, devices and directories
// at once instead of hanging on them.
package userdir

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxFileSize caps what may be uploaded, imported or exported: a 5,000-row
// payout CSV is about 1 MB, so 32 MiB leaves room for any honest file and
// keeps a hostile one from filling the server's disk.
const MaxFileSize = 32 << 20

// MaxNameLen is the longest file name accepted (bytes).
const MaxNameLen = 128

// Errors, for errors.Is. Their texts are written for the person who typed
// the name.
var (
	ErrName       = errors.New("a file name only: letters, digits, spaces, dots, dashes and underscores, no folders")
	ErrNotRegular = errors.New("not a regular file (a folder, link, FIFO or device is never opened)")
	ErrTooLarge   = fmt.Errorf("larger than the %d MiB limit", MaxFileSize>>20)
	ErrExists     = errors.New("a file of that name exists already")
)

// CheckName accepts a plain file name: no separators, no "." or "..", no
// leading dot (hidden files and the temporary files of Create), no control
// or invisible characters, at most MaxNameLen bytes of valid UTF-8.
func CheckName(name string) error {
	switch {
	case name == "", len(name) > MaxNameLen, !utf8.ValidString(name),
		strings.HasPrefix(name, "."), strings.ContainsAny(name, `/\:`),
		strings.TrimSpace(name) != name:
		return fmt.Errorf("%q: %w", clip(name), ErrName)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%q: %w", clip(name), ErrName)
		}
	}
	return nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Dir is one user's folder. It is safe for concurrent use: an SFTP upload
// and the console's import may touch it at once.
type Dir struct {
	root *os.Root
	path string
	user string
	max  int64
}

// Entry is a file in the folder.
type Entry struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// FolderName is the folder a user's files live in under files/: the name
// itself when it is a plain file name, else a digest of it (names come
// from the users file, but never trust them as paths).
func FolderName(user string) string {
	if CheckName(user) == nil && !strings.ContainsRune(user, ' ') {
		return user
	}
	sum := sha256.Sum256([]byte(user))
	return fmt.Sprintf("u%x", sum[:8])
}

// Open opens (creating with mode 0700) stateDir/files/<user>/.
func Open(stateDir, user string) (*Dir, error) {
	if user == "" {
		return nil, errors.New("userdir: no user")
	}
	path := filepath.Join(stateDir, "files", FolderName(user))
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("userdir: %w", err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("userdir: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("userdir: %s is not a folder", path)
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, fmt.Errorf("userdir: %w", err)
	}
	return &Dir{root: root, path: path, user: user, max: MaxFileSize}, nil
}

// Close releases the folder's handle.
func (d *Dir) Close() error { return d.root.Close() }

// User is whose folder this is.
func (d *Dir) User() string { return d.user }

// Path is the folder on the server, for the operator's log; never shown to
// the remote user.
func (d *Dir) Path() string { return d.path }

// SetMax changes the size cap (tests).
func (d *Dir) SetMax(n int64) { d.max = n }

// Max is the size cap.
func (d *Dir) Max() int64 { return d.max }

// List returns the folder's regular files, newest first. Links, folders
// and special files are left out: they can only have been put there by
// someone with a shell on the server, and are never opened.
func (d *Dir) List() ([]Entry, error) {
	f, err := d.root.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		if !de.Type().IsRegular() || CheckName(de.Name()) != nil {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		out = append(out, Entry{Name: de.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ModTime.Equal(out[j].ModTime) {
			return out[i].ModTime.After(out[j].ModTime)
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Stat describes one file by name (regular files only, links not followed).
func (d *Dir) Stat(name string) (Entry, error) {
	if err := CheckName(name); err != nil {
		return Entry{}, err
	}
	fi, err := d.root.Lstat(name)
	if err != nil {
		return Entry{}, err
	}
	if !fi.Mode().IsRegular() {
		return Entry{}, fmt.Errorf("%s: %w", name, ErrNotRegular)
	}
	return Entry{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Open opens a file of the folder for reading: a plain name, a regular
// file (not a link, FIFO or device: O_NOFOLLOW and O_NONBLOCK make the
// open itself safe, fstat checks the rest), at most Max bytes.
func (d *Dir) Open(name string) (*os.File, error) {
	if _, err := d.Stat(name); err != nil {
		return nil, err
	}
	// Stat said regular; O_NOFOLLOW and fstat hold that even if the name
	// is swapped for a link or a FIFO in between.
	f, err := d.root.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, notRegularOnLoop(name, err)
	}
	return checkRegular(f, name, d.max)
}

// notRegularOnLoop turns O_NOFOLLOW's ELOOP (the name is a symlink) into
// ErrNotRegular.
func notRegularOnLoop(name string, err error) error {
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("%s: %w", name, ErrNotRegular)
	}
	return err
}

// checkRegular keeps f only when it is a regular file within max bytes,
// and puts it back into blocking mode for the reader.
func checkRegular(f *os.File, name string, max int64) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, ErrNotRegular)
	}
	if max > 0 && fi.Size() > max {
		f.Close()
		return nil, fmt.Errorf("%s (%d bytes): %w", name, fi.Size(), ErrTooLarge)
	}
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenRegular is the local console's and `payouts check`'s open of a typed
// path: the path is the keys' owner's to choose, but a FIFO, a device or a
// folder is refused at once rather than hanging the reader. It follows
// symlinks (a local user's own links are theirs) but checks what they
// lead to.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return checkRegular(f, path, 0)
}

// Create writes a new file into the folder. The bytes go to a hidden
// temporary file first and appear under name only when Close succeeds, so
// a reader never sees half a file and a failed write leaves nothing. With
// replace false an existing name is refused (ErrExists); with replace true
// only a regular file is ever replaced (a link or special file of that
// name is refused, never written through).
func (d *Dir) Create(name string, replace bool) (*Writer, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if fi, err := d.root.Lstat(name); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: %w", name, ErrNotRegular)
		}
		if !replace {
			return nil, fmt.Errorf("%s: %w", name, ErrExists)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	tmp := fmt.Sprintf(".tmp-%d-%d", os.Getpid(), time.Now().UnixNano())
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	return &Writer{d: d, f: f, tmp: tmp, name: name, replace: replace}, nil
}

// Writer is a file being written by Create.
type Writer struct {
	d       *Dir
	f       *os.File
	tmp     string
	name    string
	replace bool
	n       int64
	err     error
}

// Write writes to the temporary file, refusing to grow past the cap.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.d.max > 0 && w.n+int64(len(p)) > w.d.max {
		w.err = fmt.Errorf("%s: %w", w.name, ErrTooLarge)
		return 0, w.err
	}
	n, err := w.f.Write(p)
	w.n += int64(n)
	if err != nil {
		w.err = err
	}
	return n, err
}

// WriteAt writes at an offset (SFTP clients may write out of order).
func (w *Writer) WriteAt(p []byte, off int64) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.d.max > 0 && off+int64(len(p)) > w.d.max {
		w.err = fmt.Errorf("%s: %w", w.name, ErrTooLarge)
		return 0, w.err
	}
	n, err := w.f.WriteAt(p, off)
	if end := off + int64(n); end > w.n {
		w.n = end
	}
	if err != nil {
		w.err = err
	}
	return n, err
}

// Size is how many bytes have been written.
func (w *Writer) Size() int64 { return w.n }

// Abort drops the file: nothing appears under its name.
func (w *Writer) Abort() {
	w.f.Close()
	_ = w.d.root.Remove(w.tmp)
}

// Close syncs the file and moves it under its name; after any write error
// it drops the file and returns that error.
func (w *Writer) Close() error {
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return err
	}
	if err := w.f.Close(); err != nil {
		_ = w.d.root.Remove(w.tmp)
		return err
	}
	if !w.replace {
		if _, err := w.d.root.Lstat(w.name); err == nil {
			_ = w.d.root.Remove(w.tmp)
			return fmt.Errorf("%s: %w", w.name, ErrExists)
		}
	} else if fi, err := w.d.root.Lstat(w.name); err == nil && !fi.Mode().IsRegular() {
		_ = w.d.root.Remove(w.tmp)
		return fmt.Errorf("%s: %w", w.name, ErrNotRegular)
	}
	if err := w.d.root.Rename(w.tmp, w.name); err != nil {
		_ = w.d.root.Remove(w.tmp)
		return err
	}
	return nil
}

var _ io.WriteCloser = (*Writer)(nil)

// Remove deletes a regular file of the folder.
func (d *Dir) Remove(name string) error {
	if _, err := d.Stat(name); err != nil {
		return err
	}
	return d.root.Remove(name)
}

// Rename renames a regular file within the folder.
func (d *Dir) Rename(from, to string) error {
	if _, err := d.Stat(from); err != nil {
		return err
	}
	if err := CheckName(to); err != nil {
		return err
	}
	if fi, err := d.root.Lstat(to); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", to, ErrNotRegular)
	}
	return d.root.Rename(from, to)
}

// CreateLocal opens a path on the local console's own machine for an
// export (a new file has mode 0600: exports hold customers' names and
// phones). Without replace an existing file is refused with ErrExists (the
// view then asks); with replace only a regular file is ever opened (a FIFO,
// a device or a folder is refused, whatever a link leads to), and it is
// truncated only after that check. It lives here, beside the SSH folder's
// rules, so every export refuses the same things; over SSH no path is
// ever opened (Dir is the only way in).
func CreateLocal(path string, replace bool) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			if fi, serr := os.Stat(path); serr != nil || !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: %w", path, ErrNotRegular) // e.g. a dangling link
			}
			return nil, fmt.Errorf("%s: %w", path, ErrExists)
		}
		return f, err
	}
	// O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of
	// waiting for one; no O_TRUNC until fstat says regular.
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return CreateLocal(path, false)
	case errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	case err != nil:
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
