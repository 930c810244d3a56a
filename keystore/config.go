package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// ConfigFile is the name of the settings file inside the config directory.
const ConfigFile = "config.toml"

// Config is config.toml: non-secret settings per profile. No secret is
// ever written here; WriteConfig refuses anything that looks like one.
type Config struct {
	// Store is where malipo serve keeps shared state (a postgres:// URL,
	// without a password: PGPASSFILE or PGPASSWORD give it); empty means
	// the embedded files.
	Store    string              `toml:"store,omitempty"`
	Profiles map[string]*Profile `toml:"profiles"`
}

// Profile is one profile's settings.
type Profile struct {
	Environment string            `toml:"environment"`        // sandbox | live (from the keys at login)
	BaseURL     string            `toml:"base_url,omitempty"` // empty: the environment's IntaSend URL
	Backend     string            `toml:"backend,omitempty"`  // keyring (default) | file
	DeviceID    string            `toml:"device_id,omitempty"`
	Preferences map[string]string `toml:"preferences,omitempty"` // console preferences (theme, refresh, …)
	// Approval limits for the local console (issue 13), decimal strings in
	// the profile's currency ("5,000,000.00"); empty means none. Over SSH
	// the users file's per-user limits apply instead.
	ApproveLimit string `toml:"approve_limit,omitempty"`
	DailyLimit   string `toml:"daily_limit,omitempty"`
	MonthlyLimit string `toml:"monthly_limit,omitempty"`
	// NotifyAbove is the payment (KES, a decimal string such as
	// "10,000") that rings the console's bell; "0" turns payment
	// notifications off, empty keeps the default. --notify-above wins.
	NotifyAbove string `toml:"notify_above,omitempty"`
}

// ConfigDir is $XDG_CONFIG_HOME/malipo, falling back to ~/.config/malipo.
// (os.UserConfigDir would pick ~/Library on macOS; the design names XDG.)
func ConfigDir() (string, error) {
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "malipo"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config directory: %w (set XDG_CONFIG_HOME)", err)
	}
	return filepath.Join(home, ".config", "malipo"), nil
}

// ReadConfig reads dir/config.toml; a missing file is an empty config.
func ReadConfig(dir string) (*Config, error) {
	cfg := &Config{}
	path := filepath.Join(dir, ConfigFile)
	if _, err := toml.DecodeFile(path, cfg); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
	}
	if cfg.Profiles == nil {
		cfg.Profiles = map[string]*Profile{}
	}
	return cfg, nil
}

// WriteConfig writes cfg to dir/config.toml atomically, mode 0600 in a
// 0700 directory. It refuses to write anything that looks like a key.
func WriteConfig(dir string, cfg *Config) error {
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cfg); err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	if looksSecret(buf.String()) {
		return errors.New("refusing to write config.toml: it would contain an API key or private key")
	}
	if err := ensureDir(dir); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ConfigFile), buf.Bytes())
}

// looksSecret spots key material: a last line of defence, not the design.
func looksSecret(s string) bool {
	for _, m := range []string{"ISSecretKey_", "ISPubKey_", "PRIVATE KEY"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// ensureDir makes dir with mode 0700 (and tightens it if it exists).
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic writes data to a temp file beside path (mode 0600),
// syncs it and renames it over path, so a crash never leaves half a file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return nil
}
