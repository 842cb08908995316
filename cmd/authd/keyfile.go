package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxKeyFileBytes bounds a key file read here, as config bounds
// AUTHD_JWT_KEYS: a JWK Set of a few keys is a few kilobytes.
const maxKeyFileBytes = 1 << 20

// createKeyFile writes data to a new file at path, mode 0600, or returns
// an error wrapping fs.ErrExist when path exists. Its errors do not name
// path: the caller does (keyFileError). The file appears whole
// or not at all: data goes to a temporary file in the same directory,
// synced, then hard-linked to path. A link, unlike a rename, fails when
// path exists, so of two processes creating the file at once one wins and
// the other reads the winner's keys.
func createKeyFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// CreateTemp makes the file with mode 0600 (less under a umask).
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create: %w", bare(err))
	}
	defer func() {
		// The temporary name goes in every case: on success path is
		// the file's one name.
		if rmErr := os.Remove(tmp.Name()); rmErr != nil && err == nil {
			err = fmt.Errorf("remove the temporary file: %w", bare(rmErr))
		}
	}()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("write: %w", bare(err))
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("create: %w", bare(err))
	}
	return syncDir(dir)
}

// syncDir makes a new name in dir durable, so a key file that tokens were
// signed with does not vanish at a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync its directory: %w", bare(err))
	}
	err = d.Sync()
	if closeErr := d.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("sync its directory: %w", bare(err))
	}
	return nil
}

// readKeyFile reads the key file at path, refusing one that others could
// read or change: any group or other permission bit, or another owner.
// The checks are on the open file, so they are about what is read. Its
// errors do not name path: the caller does (keyFileError).
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open: %w", bare(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat: %w", bare(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("mode %04o lets other users at the private keys; allow its owner only (chmod 600 %s)", perm, path)
	}
	if uid, mine := ownedByMe(fi); !mine {
		return nil, fmt.Errorf("owned by user %d, not by the user authd runs as (%d): chown it, or remove it to have a new one made", uid, os.Geteuid())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read: %w", bare(err))
	case len(b) > maxKeyFileBytes:
		return nil, fmt.Errorf("larger than %d bytes", maxKeyFileBytes)
	}
	return b, nil
}

// bare is err without the paths an *fs.PathError or *os.LinkError
// repeats, so that a message names the key file once; errors.Is still
// sees the cause.
func bare(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// keyFileError is the one line a problem with the key file at path stops
// authd with: exit 2, since it is the operator's to fix.
func keyFileError(path string, err error) error {
	return &usageError{fmt.Errorf("key file %s: %w", path, err)}
}

// keyFilePath is the key file beside the SQLite database at dbPath: the
// database's name with its extension replaced (authd.db →
// authd.keys.json).
func keyFilePath(dbPath string) string {
	return strings.TrimSuffix(dbPath, filepath.Ext(dbPath)) + ".keys.json"
}

// inMemory reports whether the SQLite path names a database in memory,
// which has no directory to keep a key file in.
func inMemory(dbPath string) bool {
	return dbPath == ":memory:" || strings.HasPrefix(dbPath, "file::memory:") || strings.Contains(dbPath, "mode=memory")
}
