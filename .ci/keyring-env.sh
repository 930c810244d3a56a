#!/usr/bin/env bash
# keyring-env.sh CMD [ARGS...]: run CMD inside a throw-away D-Bus session
# with a real, unlocked Secret Service (gnome-keyring), so the keystore's
# keyring integration tests run for real. They are mandatory there:
# MALIPO_KEYRING_TEST=1 makes them fail instead of skip.
#
# Needs the Debian packages gnome-keyring and dbus (libsecret-tools for
# debugging with secret-tool). Works as root with no X display: HOME, the
# XDG dirs and the runtime dir are fresh temp dirs, so no real keyring is
# touched; unlocking with a password on a fresh HOME creates the "login"
# collection go-keyring writes to. Everything is removed on exit.
#
#   .ci/keyring-env.sh go test -race ./...
set -euo pipefail
if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi
for bin in dbus-run-session gnome-keyring-daemon dbus-send; do
	if ! command -v "$bin" >/dev/null; then
		echo "keyring-env.sh: $bin not found: apt-get install -y gnome-keyring dbus" >&2
		exit 1
	fi
done

# Keep Go's caches and settings: they live under HOME, which we replace.
if command -v go >/dev/null; then
	for v in GOPATH GOMODCACHE GOCACHE GOENV GOFLAGS GOPROXY GOTOOLCHAIN; do
		export "$v=$(go env "$v")"
	done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/malipo-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
	XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$tmp" "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

# Inside the session: start gnome-keyring's secrets component, unlocking
# (and so creating) the login collection with a throw-away password, wait
# until it owns org.freedesktop.secrets, then run the command. The daemon
# exits with the session bus. (dbus-daemon may warn that it cannot raise
# its fd limit; that is harmless.)
rc=0
# shellcheck disable=SC2016 # expanded by the inner shell
dbus-run-session -- bash -c '
	set -euo pipefail
	printf %s malipo-ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	for _ in $(seq 50); do
		if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
			# The password is throw-away like the keyring; the lock test
			# uses it to unlock the login collection again.
			export MALIPO_KEYRING_TEST=1 MALIPO_KEYRING_PASSWORD=malipo-ci
			exec "$@"
		fi
		sleep 0.1
	done
	echo "keyring-env.sh: gnome-keyring did not register org.freedesktop.secrets" >&2
	exit 1
' keyring-env "$@" || rc=$?
exit "$rc"
