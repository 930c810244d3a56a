package keystore

import (
	"fmt"
	"os"

	"github.com/malipo/malipo/client"
)

// Environment variables of the env backend (CI and the sandbox).
const (
	EnvPublishableKey = "MALIPO_PUBLISHABLE_KEY"
	EnvSecretKey      = "MALIPO_SECRET_KEY"
	// EnvDeviceKeyFile names a PKCS#8 PEM file with the device key, e.g. a
	// systemd credential ($CREDENTIALS_DIRECTORY/malipo-device-key).
	EnvDeviceKeyFile = "MALIPO_DEVICE_KEY_FILE"
	// EnvDeviceID is the device id that goes with EnvDeviceKeyFile.
	EnvDeviceID = "MALIPO_DEVICE_ID"
)

// envKeysSet reports whether the env backend is in use.
func envKeysSet() bool {
	return os.Getenv(EnvPublishableKey) != "" || os.Getenv(EnvSecretKey) != ""
}

// EnvKeysSet reports whether MALIPO_PUBLISHABLE_KEY or MALIPO_SECRET_KEY is
// set, in which case Load ignores the stored keys.
func EnvKeysSet() bool { return envKeysSet() }

// loadEnv builds credentials from the environment. Live keys are refused
// unless opts.AllowLiveEnv: the environment leaks (/proc/PID/environ,
// child processes, crash reports), so it is for test keys.
func loadEnv(profile string, prof *Profile, opts LoadOptions) (*Credentials, error) {
	sec := Secrets{PublishableKey: os.Getenv(EnvPublishableKey), SecretKey: os.Getenv(EnvSecretKey)}
	env, err := CheckKeys(sec.PublishableKey, sec.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", EnvPublishableKey, EnvSecretKey, err)
	}
	if env == client.Live && !opts.AllowLiveEnv {
		return nil, fmt.Errorf("%w: %s/%s hold live keys; pass --allow-live-env if you mean it, or `malipo login` to keep them in the keyring",
			ErrLiveEnv, EnvPublishableKey, EnvSecretKey)
	}
	if path := os.Getenv(EnvDeviceKeyFile); path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDeviceKeyFile, err)
		}
		sec.DeviceKey = string(pem)
	}
	c, err := build(profile, prof, BackendEnv, sec, opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if id := os.Getenv(EnvDeviceID); id != "" {
		c.DeviceID = id
	}
	return c, nil
}
