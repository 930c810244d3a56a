package sshd

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
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
	// Prev is the SHA-256 (hex) of the previous line as written, so a
	// line edited, removed or inserted later breaks the chain
	// (VerifyAuditLog). Empty on the first line of a log.
	Prev string `json:"prev,omitempty"`
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
	prev string // hash of the last line, for the chain
	torn bool   // the file ends without a newline (a write cut short)
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
	l := &AuditLog{f: f, now: time.Now, path: path}
	if err := l.readTail(); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return l, nil
}

// maxLine bounds how far back readTail looks for the last line.
const maxLine = 64 << 10

// readTail finds the last line to continue the hash chain from.
func (l *AuditLog) readTail() error {
	r, err := os.Open(l.path)
	if err != nil {
		return err
	}
	defer r.Close()
	info, err := r.Stat()
	if err != nil || info.Size() == 0 {
		return err
	}
	start := max(0, info.Size()-maxLine)
	buf := make([]byte, info.Size()-start)
	if _, err := r.ReadAt(buf, start); err != nil {
		return err
	}
	l.torn = buf[len(buf)-1] != '\n'
	last := bytes.TrimSuffix(buf, []byte("\n"))
	if i := bytes.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	l.prev = lineHash(last)
	return nil
}

func lineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
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
	r.Prev = l.prev
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	out := append(line, '\n')
	if l.torn {
		// A line cut short by a crash keeps its own line; this one
		// starts fresh (the chain still covers the fragment).
		out = append([]byte{'\n'}, out...)
	}
	if _, err := l.f.Write(out); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	l.prev, l.torn = lineHash(line), false
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

// AuditCheck is what VerifyAuditLog found.
type AuditCheck struct {
	Lines int   // lines checked
	Torn  []int // lines that are not whole records (a write cut short by a crash)
}

// VerifyAuditLog checks the hash chain of the log at path: every line's
// prev must be the hash of the line before it, so a line edited, removed
// or inserted after it was written is caught. A line cut short by a crash
// is reported in Torn, not as tampering: the next line still chains to it.
// The error names the first line that breaks the chain.
func VerifyAuditLog(path string) (AuditCheck, error) {
	var c AuditCheck
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	prev := ""
	for sc.Scan() {
		c.Lines++
		line := sc.Bytes()
		var r struct {
			Prev *string `json:"prev"`
		}
		switch err := json.Unmarshal(line, &r); {
		case err != nil:
			c.Torn = append(c.Torn, c.Lines)
		case c.Lines > 1 && (r.Prev == nil || *r.Prev != prev):
			return c, fmt.Errorf("line %d does not follow line %d: the log was changed after it was written", c.Lines, c.Lines-1)
		}
		prev = lineHash(line)
	}
	return c, sc.Err()
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
