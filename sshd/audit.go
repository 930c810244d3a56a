package sshd

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
)

// Record is one line of the audit log. Sig must stay the last field: a
// line is the record's JSON without it, then `,"sig":"…"}` (see seal).
type Record struct {
	// N is the record's place in the log: the genesis record is 1.
	N           int64          `json:"n"`
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
	// Profile is the keys' profile a local console or command acted with
	// (records written off SSH, on a shared store: LocalAuditor).
	Profile string `json:"profile,omitempty"`
	// The genesis record (Event "audit.genesis") names the log, the
	// server's SSH host key and the key that signs the log.
	LogID    string `json:"log_id,omitempty"`
	HostKey  string `json:"host_key,omitempty"`
	AuditKey string `json:"audit_key,omitempty"`
	// Torn is the SHA-256 (hex) of the bytes a crash left between the
	// record before and this one (a write cut short), so even those are
	// signed for and nothing can be slipped in their place.
	Torn string `json:"torn,omitempty"`
	// Prev is the previous record's Sig: each signature covers the one
	// before, so no record can be edited, dropped, inserted or reordered.
	Prev string `json:"prev,omitempty"`
	// Sig is the Ed25519 signature (hex) of the line without it.
	Sig string `json:"sig,omitempty"`
}

// EventGenesis is the first record of every log.
const EventGenesis = "audit.genesis"

// sigDomain separates what the audit key signs from anything else it
// might ever sign.
const sigDomain = "malipo audit v1\n"

// recordStart is how every record line begins (N is the first field), so
// a fragment left by a crash can be told from something else.
var recordStart = []byte(`{"n":`)

// Head is where a log ends: how many records it has and the last one's
// signature. Written down elsewhere (the server prints it at start, on
// SIGHUP and every few records), it proves later that no record up to
// it was removed: verify-audit --checkpoint COUNT:SIG.
type Head struct {
	Count int64
	Sig   string
}

func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Count, h.Sig) }

// ParseHead reads COUNT:SIG.
func ParseHead(s string) (Head, error) {
	n, sig, ok := strings.Cut(strings.TrimSpace(s), ":")
	count, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || count < 1 || len(sig) != 2*ed25519.SignatureSize {
		return Head{}, fmt.Errorf("checkpoint %q: want COUNT:SIGNATURE as the server printed it", s)
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return Head{}, fmt.Errorf("checkpoint %q: the signature is not hex", s)
	}
	return Head{Count: count, Sig: strings.ToLower(sig)}, nil
}

// AuditOptions configure OpenAuditLog.
type AuditOptions struct {
	// HostKey is the server's SSH host key fingerprint, for the genesis
	// record of a new log.
	HostKey string
	// CheckpointEvery calls OnCheckpoint after every so many records
	// (0: never).
	CheckpointEvery int64
	// OnCheckpoint receives the head; the server prints it to its log.
	OnCheckpoint func(Head)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// AuditLog is the append-only, signed JSON-lines audit log shared by every
// session. Each Write is one write(2) of a whole line on an O_APPEND file,
// fsynced before Write returns, so what a user was told is done is on disk
// even if the server is killed the next instant. It is never truncated.
type AuditLog struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	key   ed25519.PrivateKey
	o     AuditOptions
	head  Head
	logID string
	// gap is what a crash left after the last record, as the next
	// record's Torn covers it; needNL: the file does not end in a newline.
	gap    []byte
	needNL bool
	err    error // a write failed: the file's end is unknown, refuse more
	// db, when set, holds the chain shared by every host (audit_store.go)
	// instead of the file; f is nil then.
	db *store.Store
	// spool holds the refusals written while the store was down, oldest
	// first, stamped with when they happened (audit_store.go).
	spool []Record
	// flushing is held by the one goroutine writing the spool out, so no
	// spooled record is written twice.
	flushing sync.Mutex
}

// OpenAuditLog opens (creating, mode 0600, parent 0700) the log at path,
// signed with key. A new log starts with its genesis record. An existing
// one must be this format and signed with this key: a log from before
// signed logs, or signed with another key, is refused with what to do,
// rather than mixing formats or keys in one file.
func OpenAuditLog(path string, key ed25519.PrivateKey, o AuditOptions) (*AuditLog, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("audit log: no signing key")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// Who did what with how much: for the owner's eyes only, even if the
	// file was created by something else first.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	l := &AuditLog{f: f, path: path, key: key, o: o}
	if err := l.resume(); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// resume finds where an existing log ends, or starts a new one.
func (l *AuditLog) resume() error {
	info, err := l.f.Stat()
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if info.Size() == 0 {
		return l.genesis()
	}
	pub := l.key.Public().(ed25519.PublicKey)
	first, err := readFirstLine(l.f)
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	g, err := openRecord(first, pub)
	if err != nil || g.Event != EventGenesis || g.N != 1 {
		return l.foreign(first, pub)
	}
	l.logID = g.LogID
	return l.readTail(info.Size(), pub)
}

// foreign explains why an existing file cannot be continued.
func (l *AuditLog) foreign(first []byte, pub ed25519.PublicKey) error {
	var g Record
	if json.Unmarshal(first, &g) == nil && g.Event == EventGenesis && g.AuditKey != "" {
		return fmt.Errorf("audit log %s is signed with another audit key (%s; this server's is %s): "+
			"start the server with the key that log was made with, or move the log aside (mv %s %s.old) to start a new one",
			l.path, g.AuditKey, keystore.AuditKeyFingerprint(pub), l.path, l.path)
	}
	return fmt.Errorf("audit log %s does not start with a signed genesis record (a log from an older malipo, or not an audit log): "+
		"move it aside (mv %s %s.old) and start the server again; it starts a new signed log, and the old file is kept as it was",
		l.path, l.path, l.path)
}

// genesis writes the first record of a new log.
func (l *AuditLog) genesis() error {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	l.logID = hex.EncodeToString(id)
	pub := l.key.Public().(ed25519.PublicKey)
	err := l.write(Record{Event: EventGenesis, Result: "ok", LogID: l.logID, HostKey: l.o.HostKey,
		AuditKey: keystore.AuditKeyFingerprint(pub), Detail: "a new audit log; each record is signed with audit_key"})
	if err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	return nil
}

// maxLine bounds a record; readTail looks this far back for the last one.
const maxLine = 64 << 10

func readFirstLine(f *os.File) ([]byte, error) {
	buf := make([]byte, maxLine)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	line, _, _ := bytes.Cut(buf[:n], []byte("\n"))
	return line, nil
}

// readTail finds the last record to continue the chain from. Whatever a
// crash left after it (a record cut short) stays in the file and is
// signed for by the next record (Torn); anything else there is refused.
func (l *AuditLog) readTail(size int64, pub ed25519.PublicKey) error {
	start := max(0, size-2*maxLine)
	buf := make([]byte, size-start)
	if _, err := l.f.ReadAt(buf, start); err != nil {
		return fmt.Errorf("audit log %s: %w", l.path, err)
	}
	for end := len(buf); end > 0; {
		i := bytes.LastIndexByte(buf[:end-1], '\n') + 1
		if i == 0 && start > 0 {
			break // the line begins before what we read
		}
		line := bytes.TrimSuffix(buf[i:end], []byte("\n"))
		if r, err := openRecord(line, pub); err == nil {
			l.head = Head{Count: r.N, Sig: r.Sig}
			return l.afterRecord(buf[i+len(line):])
		}
		if !isRecordPrefix(line) {
			break
		}
		end = i
	}
	return fmt.Errorf("audit log %s does not end with a record signed with this server's audit key (at most one line cut short by a crash may follow it): "+
		"run `malipo serve verify-audit %s`, and move the log aside to start a new one", l.path, l.path)
}

// afterRecord takes what follows the last record's text: nothing (its
// newline was cut off), its newline, or its newline and one fragment.
func (l *AuditLog) afterRecord(rest []byte) error {
	frag, ok := bytes.CutPrefix(rest, []byte("\n"))
	switch {
	case !ok:
		l.needNL = true
	case len(frag) == 0:
	case bytes.Contains(bytes.TrimSuffix(frag, []byte("\n")), []byte("\n")):
		return fmt.Errorf("audit log %s: more than one line after the last record: run `malipo serve verify-audit %s`, and move the log aside", l.path, l.path)
	default:
		l.gap = bytes.Clone(frag)
		if !bytes.HasSuffix(frag, []byte("\n")) {
			l.needNL = true
			l.gap = append(l.gap, '\n')
		}
	}
	return nil
}

// Path is where the log is.
func (l *AuditLog) Path() string { return l.path }

// LogID is the random id the genesis record gave this log.
func (l *AuditLog) LogID() string { return l.logID }

// Head is where the log ends now.
func (l *AuditLog) Head() Head {
	if l.db != nil {
		return l.dbHead()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Checkpoint hands the current head to OnCheckpoint (at start, on SIGHUP).
func (l *AuditLog) Checkpoint() {
	if h := l.Head(); l.o.OnCheckpoint != nil && h.Count > 0 {
		l.o.OnCheckpoint(h)
	}
}

// Write appends r (stamping its time when unset), signed, and fsyncs.
// N, Prev, Torn and Sig are the log's to set.
func (l *AuditLog) Write(r Record) error {
	if l == nil {
		return nil
	}
	if l.db != nil {
		return l.dbWriteOrSpool(r)
	}
	l.mu.Lock()
	if l.f == nil {
		l.mu.Unlock()
		return fmt.Errorf("audit log %s is closed", l.path)
	}
	r.LogID, r.HostKey, r.AuditKey = "", "", "" // only the genesis names these
	err := l.write(r)
	h, every := l.head, l.o.CheckpointEvery
	l.mu.Unlock()
	if err == nil && every > 0 && h.Count%every == 0 && l.o.OnCheckpoint != nil {
		l.o.OnCheckpoint(h)
	}
	return err
}

// write signs and appends r; l.mu is held (or l is not shared yet).
func (l *AuditLog) write(r Record) error {
	if l.err != nil {
		return l.err
	}
	if r.Time.IsZero() {
		r.Time = l.o.Now().UTC()
	}
	r.N, r.Prev, r.Torn = l.head.Count+1, l.head.Sig, ""
	if len(l.gap) > 0 {
		sum := sha256.Sum256(l.gap)
		r.Torn = hex.EncodeToString(sum[:])
	}
	line, sig, err := seal(r, l.key)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	out := make([]byte, 0, len(line)+2)
	if l.needNL {
		out = append(out, '\n') // a line cut short keeps its own line
	}
	out = append(append(out, line...), '\n')
	if _, err := l.f.Write(out); err != nil {
		l.err = fmt.Errorf("audit log %s: a write failed, so where the log ends is unknown; restart the server: %w", l.path, err)
		return l.err
	}
	if err := l.f.Sync(); err != nil {
		l.err = fmt.Errorf("audit log %s: fsync failed; restart the server: %w", l.path, err)
		return l.err
	}
	l.head, l.gap, l.needNL = Head{Count: r.N, Sig: sig}, nil, false
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

// seal signs r (N and Prev set) and returns its line and signature.
func seal(r Record, key ed25519.PrivateKey) (line []byte, sig string, err error) {
	r.Sig = ""
	body, err := json.Marshal(r)
	if err != nil {
		return nil, "", err
	}
	sig = hex.EncodeToString(ed25519.Sign(key, append([]byte(sigDomain), body...)))
	line = append(body[:len(body)-1:len(body)-1], `,"sig":"`+sig+`"}`...)
	return line, sig, nil
}

// sigField is how every line ends: `,"sig":"` HEX `"}`.
const sigField = `,"sig":"`

// openRecord checks one line: a whole record whose signature verifies
// under pub. The signature covers the line's exact bytes before the sig
// field (closed with "}"), so nothing is re-encoded to check it.
func openRecord(line []byte, pub ed25519.PublicKey) (Record, error) {
	var r Record
	tail := len(sigField) + 2*ed25519.SignatureSize + len(`"}`)
	if len(line) < tail || !bytes.HasPrefix(line, recordStart) || !bytes.HasSuffix(line, []byte(`"}`)) ||
		!bytes.HasPrefix(line[len(line)-tail:], []byte(sigField)) {
		return r, errNotRecord
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return r, errNotRecord
	}
	hexSig := line[len(line)-tail+len(sigField) : len(line)-2]
	sig, err := hex.DecodeString(string(hexSig))
	if err != nil || r.Sig != string(hexSig) {
		return r, errNotRecord
	}
	msg := append([]byte(sigDomain), line[:len(line)-tail]...)
	if !ed25519.Verify(pub, append(msg, '}'), sig) {
		return r, errBadSig
	}
	return r, nil
}

var (
	errNotRecord = errors.New("not a complete audit record")
	errBadSig    = errors.New("its signature does not verify: the record was changed after it was written, or the log was signed with another key")
)

// isRecordPrefix reports whether b could be the start of a record that a
// crash cut short: it begins like one and is valid JSON so far, but not a
// complete value.
func isRecordPrefix(b []byte) bool {
	if len(b) < len(recordStart) {
		return len(b) > 0 && bytes.HasPrefix(recordStart, b)
	}
	if !bytes.HasPrefix(b, recordStart) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	depth := 0
	for {
		tok, err := dec.Token()
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return true
		case errors.Is(err, io.EOF):
			return depth > 0
		case err != nil:
			return false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			if depth--; depth == 0 {
				return false // a whole value is no fragment
			}
		}
	}
}

// AuditCheck is what VerifyAuditLog found.
type AuditCheck struct {
	Lines   int    // lines read
	Records int64  // whole, signed records
	Torn    []int  // lines that are records cut short by a crash
	LogID   string // from the genesis record
	HostKey string // the server's SSH host key, from the genesis record
	Head    Head   // the last record
}

// VerifyAuditLog checks the log at path against the audit public key:
//   - line 1 is the genesis record, so a log whose beginning was cut
//     off fails;
//   - every record is numbered in order, carries the previous record's
//     signature and is signed with the key, so no record can be edited,
//     removed, inserted or reordered without the key;
//   - every other line is the start of a record cut short by a crash,
//     either the last line or signed for by the record after it (Torn);
//     anything else fails, with its line number;
//   - each checkpoint (a head the server printed earlier) is still in
//     the log, so removing the newest records is found too.
func VerifyAuditLog(path string, pub ed25519.PublicKey, checkpoints ...Head) (AuditCheck, error) {
	var c AuditCheck
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	v := verifier{pub: pub, c: &c, want: map[int64]string{}}
	for _, h := range checkpoints {
		v.want[h.Count] = h.Sig
	}
	r := bufio.NewReaderSize(f, maxLine+1)
	for {
		raw, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return c, fmt.Errorf("line %d is longer than %d bytes: not an audit record", c.Lines+1, maxLine)
		}
		if len(raw) > 0 {
			c.Lines++
			if verr := v.line(raw); verr != nil {
				return c, verr
			}
		}
		if errors.Is(err, io.EOF) {
			return c, v.end(checkpoints)
		}
		if err != nil {
			return c, err
		}
	}
}

// verifier is VerifyAuditLog's state between lines.
type verifier struct {
	pub  ed25519.PublicKey
	c    *AuditCheck
	gap  []byte // fragment lines since the last record, as read
	want map[int64]string
}

// line checks one line (with its newline, if it has one).
func (v *verifier) line(raw []byte) error {
	n := v.c.Lines
	text := bytes.TrimSuffix(raw, []byte("\n"))
	r, err := openRecord(text, v.pub)
	switch {
	case errors.Is(err, errBadSig):
		return fmt.Errorf("line %d: %w", n, err)
	case err != nil && isRecordPrefix(text) && len(v.gap) == 0:
		// A record cut short: fine if it is the last line, or if the
		// next record signs for it (checked there and in end).
		v.gap = append(v.gap, raw...)
		v.c.Torn = append(v.c.Torn, n)
		return nil
	case err != nil && isRecordPrefix(text):
		return fmt.Errorf("line %d: a second line cut short in a row: the log was changed after it was written", n)
	case err != nil:
		return fmt.Errorf("line %d is not an audit record (nor the start of one cut short by a crash): the log was changed after it was written", n)
	}
	return v.record(n, r)
}

// record checks a signed record's place in the chain.
func (v *verifier) record(n int, r Record) error {
	c := v.c
	switch {
	case c.Records == 0 && (r.Event != EventGenesis || r.N != 1 || r.Prev != ""):
		return fmt.Errorf("line %d: the log does not begin with its genesis record (record %d, %q): its beginning was removed", n, r.N, r.Event)
	case r.N != c.Records+1:
		return fmt.Errorf("line %d: record %d follows record %d: records were removed or reordered", n, r.N, c.Records)
	case c.Records > 0 && r.Prev != c.Head.Sig:
		return fmt.Errorf("line %d does not follow the record before it: the log was changed after it was written", n)
	case r.Event == EventGenesis && c.Records > 0:
		return fmt.Errorf("line %d: a second genesis record: two logs were spliced together", n)
	}
	if err := v.torn(n, r); err != nil {
		return err
	}
	if c.Records == 0 {
		c.LogID, c.HostKey = r.LogID, r.HostKey
	}
	c.Records, c.Head = r.N, Head{Count: r.N, Sig: r.Sig}
	if sig, ok := v.want[r.N]; ok && sig != r.Sig {
		return fmt.Errorf("checkpoint %d: record %d's signature differs from the checkpoint's: the log was rewritten, or the checkpoint is from another log", r.N, r.N)
	}
	return nil
}

// torn checks that a record signs for exactly the fragment before it.
func (v *verifier) torn(n int, r Record) error {
	want := ""
	if len(v.gap) > 0 {
		sum := sha256.Sum256(v.gap)
		want = hex.EncodeToString(sum[:])
	}
	v.gap = nil
	if r.Torn != want {
		return fmt.Errorf("line %d: the lines cut short before it are not the ones it signs for: the log was changed after it was written", n)
	}
	return nil
}

// end checks what only the whole file shows.
func (v *verifier) end(checkpoints []Head) error {
	if v.c.Records == 0 {
		return errors.New("no audit records: the genesis record is missing")
	}
	for _, h := range checkpoints {
		if h.Count > v.c.Records {
			return fmt.Errorf("checkpoint %d: the log has only %d records: its newest records were removed", h.Count, v.c.Records)
		}
	}
	return nil
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
