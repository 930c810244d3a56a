package sshd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

// Record is one line of the audit log.
type Record struct {
	Time        time.Time      `json:"time"`
	Event       string         `json:"event"` // "login", "logout", "login.refused", "payout.approve", …
	User        string         `json:"user,omitempty"`
	Fingerprint string         `json:"key,omitempty"` // SHA256:… of the SSH key used
	Role        string         `json:"role,omitempty"`
	Target      string         `json:"target,omitempty"`
	Amount      *client.Amount `json:"amount,omitempty"`
	Currency    string         `json:"currency,omitempty"`
	Result      string         `json:"result,omitempty"`
	Detail      string         `json:"detail,omitempty"`
	Session     string         `json:"session,omitempty"`
	Remote      string         `json:"remote,omitempty"`
}

// AuditLog is the append-only JSON-lines audit log shared by every
// session. Each Write is one write(2) of a whole line on an O_APPEND file,
// fsynced before Write returns, so what a user was told is done is on disk
// even if the server is killed the next instant. It is never truncated.
type AuditLog struct {
	mu   sync.Mutex
	f    *os.File
	now  func() time.Time
	path string
}

// OpenAuditLog opens (creating, mode 0600, parent 0700) the log at path.
func OpenAuditLog(path string) (*AuditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// Who did what with how much: for the owner's eyes only, even if the
	// file was created by something else first.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return &AuditLog{f: f, now: time.Now, path: path}, nil
}

// Path is where the log is.
func (l *AuditLog) Path() string { return l.path }

// Write appends r (stamping its time when unset) and fsyncs.
func (l *AuditLog) Write(r Record) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("audit log %s is closed", l.path)
	}
	if r.Time.IsZero() {
		r.Time = l.now().UTC()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// Close closes the file; later writes fail.
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// sessionAuditor is a session's common.Auditor: it adds who and where.
type sessionAuditor struct {
	log *AuditLog
	id  identity
}

func (a sessionAuditor) Audit(ev common.AuditEvent) error {
	r := a.id.record(ev.Action)
	r.Target, r.Currency, r.Result, r.Detail = ev.Target, ev.Currency, ev.Result, ev.Detail
	if ev.Amount != 0 {
		amt := ev.Amount
		r.Amount = &amt
	}
	return a.log.Write(r)
}

// identity is who a session is.
type identity struct {
	Account
	Fingerprint string
	Session     string
	Remote      string
}

func (id identity) record(event string) Record {
	return Record{Event: event, User: id.Name, Role: id.Role, Fingerprint: id.Fingerprint, Session: id.Session, Remote: id.Remote}
}
