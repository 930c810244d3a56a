package cmd

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

const (
	livePub = "ISPubKey_live_0f0e0d0c-1111-4a4a-8b8b-0123456789ab"
	liveSec = "ISSecretKey_live_0f0e0d0c-2222-4a4a-8b8b-abcdef017777"
)

// plainSetup gives the test a home whose profile "default" has the keys
// pub/sec, from the keyring or from MALIPO_* variables, and, when cfgBase is
// set, a config.toml base_url.
func plainSetup(t *testing.T, keysFrom, pub, sec, cfgBase string) {
	t.Helper()
	_, dir := keyHome(t)
	env, err := keystore.CheckKeys(pub, sec)
	if err != nil {
		t.Fatal(err)
	}
	prof := &keystore.Profile{Environment: string(env), Backend: keystore.BackendKeyring, BaseURL: cfgBase}
	switch keysFrom {
	case "keyring":
		st, err := keystore.Open(keystore.BackendKeyring, keystore.StoreOptions{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Save(context.Background(), "default", keystore.Secrets{PublishableKey: pub, SecretKey: sec}); err != nil {
			t.Fatal(err)
		}
	case "env":
		t.Setenv(keystore.EnvPublishableKey, pub)
		t.Setenv(keystore.EnvSecretKey, sec)
	}
	if err := keystore.WriteConfig(dir, &keystore.Config{Profiles: map[string]*keystore.Profile{"default": prof}}); err != nil {
		t.Fatal(err)
	}
}

// plainCommands run each command that talks to IntaSend with the setup's
// keys; base is the --base-url flag ("" for none). login types the keys.
var plainCommands = []struct {
	name string
	run  func(t *testing.T, pub, sec, base string) result
}{
	{"login", func(t *testing.T, pub, sec, base string) result {
		return malipo(t, pub+"\n"+sec+"\n", withBase([]string{"login"}, base)...)
	}},
	{"console", func(t *testing.T, _, _, base string) result {
		return malipo(t, "", withBase([]string{"--allow-live-env"}, base)...)
	}},
	{"serve", func(t *testing.T, _, _, base string) result {
		users := filepath.Join(t.TempDir(), "users.toml")
		writeUsers(t, users, newPerson(t, "amina", "viewer"))
		return malipo(t, "", withBase([]string{"serve", "--users", users, "--addr", "127.0.0.1:0",
			"--host-key", filepath.Join(t.TempDir(), "host_key"), "--allow-live-env"}, base)...)
	}},
	{"payouts check", func(t *testing.T, _, _, base string) result {
		file := writeCSV(t, "name,account,bank,amount\nJane,0123456789,68,1000\n")
		return malipo(t, "", withBase([]string{"payouts", "check", file, "--rail", "PESALINK", "--allow-live-env"}, base)...)
	}},
}

func withBase(args []string, base string) []string {
	if base != "" {
		args = append(args, "--base-url", base)
	}
	return args
}

// TestPlainHTTPRefused: live keys never go over http://, whichever command
// and wherever the URL comes from (flag or config.toml) and wherever the
// keys do (keyring or environment); test keys only to this machine. Each
// refusal names ErrPlainHTTP and the URL's source, shows no key, and (for
// the simulator on loopback) sends nothing.
func TestPlainHTTPRefused(t *testing.T) {
	srv := sim.New(sim.Options{FailureRate: -1})
	local := simURLFor(t, srv)
	cases := []struct {
		name, keysFrom, pub, sec, flag, cfg, from string
	}{
		{"live, flag, keyring", "keyring", livePub, liveSec, local, "", "--base-url"},
		{"live, config.toml, keyring", "keyring", livePub, liveSec, "", local, "config.toml"},
		{"live, flag, env", "env", livePub, liveSec, local, "", "--base-url"},
		{"live, config.toml, env", "env", livePub, liveSec, "", local, "config.toml"},
		{"live, remote http", "keyring", livePub, liveSec, "http://payment.intasend.com/api/v1/", "", "--base-url"},
		{"test keys, remote http", "keyring", kPub, kSecret, "", "http://sandbox.intasend.com/api/v1/", "config.toml"},
		{"test keys, LAN http", "env", kPub, kSecret, "http://10.1.2.3:8089", "", "--base-url"},
	}
	for _, c := range cases {
		for _, cmd := range plainCommands {
			if cmd.name == "login" && c.keysFrom == "env" {
				continue // login reads typed keys, not the environment's
			}
			t.Run(c.name+"/"+cmd.name, func(t *testing.T) {
				plainSetup(t, c.keysFrom, c.pub, c.sec, c.cfg)
				before := len(srv.Counters().Requests)
				r := cmd.run(t, c.pub, c.sec, c.flag)
				if !errors.Is(r.e, client.ErrPlainHTTP) {
					t.Fatalf("err = %v, want ErrPlainHTTP\n%s", r.e, r.all())
				}
				if !strings.Contains(r.e.Error(), c.from) {
					t.Errorf("the error does not say the URL came from %s: %v", c.from, r.e)
				}
				for _, leak := range []string{"abcdef017777", "abcdef018181", "0123456789ab"} {
					if strings.Contains(r.all(), leak) {
						t.Errorf("output shows a key (%s):\n%s", leak, r.all())
					}
				}
				if n := len(srv.Counters().Requests); n != before {
					t.Errorf("the simulator saw a request")
				}
			})
		}
	}
}

// TestPlainHTTPLoopbackTestKeys: the simulator on loopback with test keys
// keeps working for every command (the rule must not break malipo sim).
func TestPlainHTTPLoopbackTestKeys(t *testing.T) {
	local := simURLFor(t, sim.New(sim.Options{FailureRate: -1}))
	for _, src := range []string{"flag", "config.toml"} {
		flag, cfg := local, ""
		if src == "config.toml" {
			flag, cfg = "", local
		}
		t.Run(src+"/login", func(t *testing.T) {
			plainSetup(t, "keyring", kPub, kSecret, cfg)
			mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", withBase([]string{"login"}, flag)...))
		})
		t.Run(src+"/console", func(t *testing.T) {
			plainSetup(t, "keyring", kPub, kSecret, cfg)
			_, done, err := consoleModel(context.Background(), &globals{profile: "default", baseURL: flag})
			if err != nil {
				t.Fatal(err)
			}
			done()
		})
		t.Run(src+"/serve", func(t *testing.T) {
			plainSetup(t, "keyring", kPub, kSecret, cfg)
			t.Setenv("XDG_STATE_HOME", t.TempDir())
			be, err := backend(context.Background(), &globals{profile: "default", baseURL: flag}, &serveFlags{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			be.close()
		})
		t.Run(src+"/payouts check", func(t *testing.T) {
			plainSetup(t, "env", kPub, kSecret, cfg)
			file := writeCSV(t, "name,account,bank,amount\nJane,0123456789,68,1000\n")
			r := mustOK(t, malipo(t, "", withBase([]string{"payouts", "check", file, "--rail", "PESALINK"}, flag)...))
			if strings.Contains(r.err, "built-in bank list") {
				t.Errorf("the bank list was not fetched from the simulator: %s", r.err)
			}
		})
	}
}

// simURLFor serves srv on loopback for the test and returns its URL.
func simURLFor(t *testing.T, srv *sim.Server) string {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}
