package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/malipo/malipo/userdir"
)

// write puts t into dir by name (a hidden temporary file, renamed on
// success) or, in the local console (dir nil), at a path. An existing
// file is replaced only when replace says the person agreed.
func write(dir *userdir.Dir, target string, replace bool, t Table) error {
	if dir != nil {
		w, err := dir.Create(target, replace)
		if err != nil {
			return err
		}
		if err := WriteCSV(w, t); err != nil {
			w.Abort()
			return err
		}
		return w.Close()
	}
	f, err := createLocal(target, replace)
	if err != nil {
		return err
	}
	err = WriteCSV(f, t)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// createLocal opens a local path for the export: a new file (mode 0600:
// it holds customers' names and phones), or with replace an existing
// regular file only. A FIFO, device, folder or dangling link is refused
// without blocking or following it. (views/payouts keeps its own copy
// for its results export.)
func createLocal(path string, replace bool) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, userdir.ErrNotRegular)
	}
	if !replace {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			if fi, serr := os.Stat(path); serr != nil || !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: %w", path, userdir.ErrNotRegular)
			}
			return nil, fmt.Errorf("%s: %w", path, userdir.ErrExists)
		}
		return f, err
	}
	// O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of
	// waiting for one; no O_TRUNC until fstat says regular.
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return createLocal(path, false)
	case errors.Is(err, syscall.ENXIO), errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("%s: %w", path, userdir.ErrNotRegular)
	case err != nil:
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, userdir.ErrNotRegular)
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

// errText words a file error for the person.
func errText(err error) string {
	switch {
	case errors.Is(err, userdir.ErrNotRegular), errors.Is(err, userdir.ErrTooLarge),
		errors.Is(err, userdir.ErrName), errors.Is(err, userdir.ErrExists):
		return err.Error()
	case errors.Is(err, fs.ErrNotExist):
		return "no such folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}
