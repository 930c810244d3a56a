package export

import (
	"errors"
	"io/fs"

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
	f, err := userdir.CreateLocal(target, replace)
	if err != nil {
		return err
	}
	err = WriteCSV(f, t)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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
