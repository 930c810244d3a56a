package bankpicker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/malipo/malipo/client"
)

// TTL is how long the on-disk list is trusted. IntaSend's bank list
// changes a few times a year; a day keeps a new bank from waiting long.
const TTL = 24 * time.Hour

// clockSkew is how far in the future a cache's fetch time may be before
// the file is distrusted (a clock that jumped back would otherwise keep a
// list for ever).
const clockSkew = 5 * time.Minute

// cacheFile is the on-disk layout. Version guards against reading a file
// written by a later malipo with a different shape.
type cacheFile struct {
	Version   int           `json:"version"`
	FetchedAt time.Time     `json:"fetched_at"`
	Banks     []client.Bank `json:"banks"`
}

const cacheVersion = 1

// Source says where a bank list came from.
type Source int

const (
	FromSession Source = iota + 1 // already in memory this session
	FromDisk                      // the day-old file
	FromNetwork                   // asked IntaSend
)

func (s Source) String() string {
	switch s {
	case FromSession:
		return "session"
	case FromDisk:
		return "disk"
	case FromNetwork:
		return "network"
	}
	return "none"
}

// Cache holds the bank list for one console session and mirrors it on disk
// for a day. It is safe for concurrent use: several pickers (the Banks tab,
// the payout composer) may share one, and only one fetch runs at a time.
type Cache struct {
	// fetchMu makes one load at a time (so two pickers opening together
	// ask IntaSend once); mu guards the fields and is never held across
	// I/O, so FetchedAt never waits for the network.
	fetchMu sync.Mutex
	mu      sync.Mutex
	banks   []client.Bank
	fetched time.Time
	path    string
	now     func() time.Time
}

// CacheOption configures a Cache.
type CacheOption func(*Cache)

// WithPath sets the on-disk file; "" keeps the list in memory only.
func WithPath(p string) CacheOption { return func(c *Cache) { c.path = p } }

// WithClock sets the clock the cache ages the file by (tests fix it).
func WithClock(now func() time.Time) CacheOption { return func(c *Cache) { c.now = now } }

// NewCache returns an empty session cache backed by DefaultPath. When no
// cache directory can be found the list lives in memory only.
func NewCache(opts ...CacheOption) *Cache {
	c := &Cache{now: time.Now}
	if p, err := DefaultPath(); err == nil {
		c.path = p
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// DefaultPath is $XDG_CACHE_HOME/malipo/bank-codes-ke.json, or the same
// under os.UserCacheDir when XDG_CACHE_HOME is unset or relative (the XDG
// spec says to ignore relative paths).
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	return filepath.Join(dir, "malipo", "bank-codes-ke.json"), nil
}

// Path is the on-disk file, "" when there is none.
func (c *Cache) Path() string { return c.path }

// Banks returns the list from memory, else from a fresh-enough file, else
// from IntaSend (then remembered in both). Only a failed fetch is an error:
// a file that cannot be written just means asking again next session.
func (c *Cache) Banks(ctx context.Context, cl *client.Client) ([]client.Bank, Source, error) {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	if banks, _ := c.get(); banks != nil {
		return banks, FromSession, nil
	}
	if banks, at, ok := c.readDisk(); ok {
		c.set(banks, at)
		return banks, FromDisk, nil
	}
	banks, err := c.fetch(ctx, cl)
	if err != nil {
		return nil, 0, err
	}
	return banks, FromNetwork, nil
}

// Refresh asks IntaSend again whatever the caches hold.
func (c *Cache) Refresh(ctx context.Context, cl *client.Client) ([]client.Bank, error) {
	c.fetchMu.Lock()
	defer c.fetchMu.Unlock()
	return c.fetch(ctx, cl)
}

// FetchedAt is when the list in memory was fetched from IntaSend.
func (c *Cache) FetchedAt() time.Time {
	_, at := c.get()
	return at
}

func (c *Cache) get() ([]client.Bank, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.banks, c.fetched
}

func (c *Cache) set(banks []client.Bank, at time.Time) {
	c.mu.Lock()
	c.banks, c.fetched = banks, at
	c.mu.Unlock()
}

// fetch asks IntaSend and stores the answer. Caller holds c.fetchMu.
func (c *Cache) fetch(ctx context.Context, cl *client.Client) ([]client.Bank, error) {
	if cl == nil {
		return nil, errors.New("bank codes: no IntaSend client")
	}
	banks, err := cl.BankCodes(ctx)
	if err != nil {
		return nil, err
	}
	banks = clean(banks)
	if len(banks) == 0 {
		return nil, errors.New("bank codes: IntaSend sent an empty list")
	}
	at := c.now()
	c.set(banks, at)
	_ = c.writeDisk(banks, at) // best effort: see Banks
	return banks, nil
}

// clean drops entries without a code and trims spaces: a list with holes
// is still useful, a bank without a code is not.
func clean(in []client.Bank) []client.Bank {
	out := make([]client.Bank, 0, len(in))
	for _, b := range in {
		b.Name, b.Code = strings.TrimSpace(b.Name), strings.TrimSpace(b.Code)
		if b.Code != "" {
			out = append(out, b)
		}
	}
	return out
}

// readDisk loads the file when it is well-formed and younger than TTL.
// Anything else (missing, corrupt, stale, from the future) is ignored.
func (c *Cache) readDisk() ([]client.Bank, time.Time, bool) {
	if c.path == "" {
		return nil, time.Time{}, false
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		return nil, time.Time{}, false
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != cacheVersion || f.FetchedAt.IsZero() {
		return nil, time.Time{}, false
	}
	age := c.now().Sub(f.FetchedAt)
	if age >= TTL || age < -clockSkew {
		return nil, time.Time{}, false
	}
	banks := clean(f.Banks)
	if len(banks) == 0 || len(banks) != len(f.Banks) {
		return nil, time.Time{}, false
	}
	return banks, f.FetchedAt, true
}

// writeDisk replaces the file atomically: a temporary file in the same
// directory, synced, then renamed over the old one, so a crash or a second
// malipo never leaves a half-written list behind.
func (c *Cache) writeDisk(banks []client.Bank, at time.Time) error {
	if c.path == "" {
		return nil
	}
	data, err := json.Marshal(cacheFile{Version: cacheVersion, FetchedAt: at, Banks: banks})
	if err != nil {
		return err
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".bank-codes-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("bank codes cache: %w", err)
	}
	return nil
}
