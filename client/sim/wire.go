package sim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The wire layer: what the simulator does below HTTP so that the official
// SDKs work unmodified over keep-alive connections.
//
// intasend-node writes a JSON body on GET requests without Content-Length
// or chunked framing. HTTP/1.1 says such a request has no body, so on a
// kept-alive connection (Node 19+ keeps them alive by default) Go's server
// reads those bytes as the start of the next request and answers the next
// call with a plain-text 400. IntaSend's own front end evidently tolerates
// it. We choose to recognise the stray value rather than answer such GETs
// with "Connection: close": the server cannot know a GET carried a stray
// body until it reads the next request, by which time the only honest
// answer left is to drop the connection; and closing every framing-less
// GET would end keep-alive for every client, the Go client included.
//
// So each accepted connection tracks HTTP/1.1 request framing (head,
// Content-Length or chunked body) as the bytes pass through, and only at
// the boundary after a request that declared no body, when the next byte
// opens a JSON object or array, it reads and drops that one JSON value
// (at most maxStrayBody bytes). Anything it does not understand is handed
// over untouched, for Go's server to judge.
//
// The same connection also rewrites the plain-text errors Go's server
// writes straight to the socket when it cannot parse a request (400, 431,
// 501) into DRF's JSON shape, {"detail": "…"}.

// maxStrayBody bounds the stray JSON value we are willing to drop; the
// SDK's GET bodies are a few hundred bytes ({"public_key": "…"}).
const maxStrayBody = 64 << 10

// maxHead bounds the request head we track: Go's default MaxHeaderBytes
// plus the 4 KiB slack its reader allows. Beyond it Go answers 431.
const maxHead = http.DefaultMaxHeaderBytes + 4096

// maxChunkLine bounds a chunk-size or trailer line (Go's own limit).
const maxChunkLine = 4096

// NewHTTPServer is the http.Server every caller of the simulator uses
// (malipo sim, the demo, tests): h with a bound on slow request heads.
// Serve it with Serve, not srv.Serve, so connections get the wire layer.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
}

// Serve serves srv on ln through the wire layer (see Listener). It returns
// what srv.Serve returns (http.ErrServerClosed after Shutdown or Close).
func Serve(srv *http.Server, ln net.Listener) error {
	return srv.Serve(Listener(ln))
}

// Listener wraps ln so every connection it accepts drops the stray JSON
// bodies that SDKs write after framing-less GETs and answers Go's own
// framing errors in JSON. To serve TLS, pass a tls.NewListener: the wire
// layer must see the decrypted bytes (requests then carry no r.TLS).
func Listener(ln net.Listener) net.Listener { return &wireListener{Listener: ln} }

type wireListener struct {
	net.Listener
	strays atomic.Int64 // stray values dropped, for tests
}

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &wireConn{Conn: c, strays: &l.strays}, nil
}

// wireState is where a connection is in the request stream.
type wireState uint8

const (
	stHead      wireState = iota // a request head, up to its blank line
	stStray                      // after a request with no body: a stray JSON value may come
	stBody                       // c.left bytes of a Content-Length body
	stChunkSize                  // a chunk-size line
	stChunkData                  // c.left bytes of chunk data
	stChunkEnd                   // the CRLF after chunk data
	stTrailer                    // trailer lines after the last chunk
	stPass                       // framing not understood: hand bytes over untouched
)

type wireConn struct {
	net.Conn
	strays *atomic.Int64

	st      wireState
	left    int64  // bytes left in a body or chunk
	line    []byte // the head, chunk-size or trailer line being read
	rbuf    []byte // read buffer
	pending []byte // bytes read from Conn, not yet handed to the server
	hr      bytes.Reader
	br      *bufio.Reader
}

// Read hands the server the request stream, minus one stray JSON value
// after a bodiless request.
func (c *wireConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if len(c.pending) == 0 {
			if c.st == stPass {
				return c.Conn.Read(p)
			}
			if err := c.fill(); err != nil {
				return 0, err
			}
		}
		if c.st == stStray {
			if err := c.skipStray(); err != nil {
				return 0, err
			}
			continue // pending may now be empty
		}
		n := c.track(c.pending[:min(len(p), len(c.pending))])
		copy(p, c.pending[:n])
		c.pending = c.pending[n:]
		return n, nil
	}
}

func (c *wireConn) fill() error {
	if c.rbuf == nil {
		c.rbuf = make([]byte, 4096)
	}
	n, err := c.Conn.Read(c.rbuf)
	if n == 0 {
		if err == nil {
			err = io.ErrNoProgress
		}
		return err
	}
	c.pending = c.rbuf[:n]
	return nil
}

// track moves the framing state over b and returns how many of its bytes
// may be handed over now: all of them, or those before a stray boundary.
func (c *wireConn) track(b []byte) int {
	i := 0
	for i < len(b) {
		switch c.st {
		case stPass:
			return len(b)
		case stStray:
			return i // Read looks at what follows first
		case stHead:
			i += c.headBytes(b[i:])
		case stBody, stChunkData:
			k := min(int64(len(b)-i), c.left)
			i += int(k)
			c.left -= k
			if c.left == 0 && c.st == stBody {
				c.st = stHead
			} else if c.left == 0 {
				c.st = stChunkEnd
			}
		default:
			c.line = append(c.line, b[i])
			i++
			c.lineByte()
		}
	}
	return i
}

// headBytes takes the bytes of a request head up to and including the
// next line feed (all of b if there is none) in one append, where the other
// line states go a byte at a time: heads are most of what crosses the wire
// layer. It returns how many bytes it took.
func (c *wireConn) headBytes(b []byte) int {
	if len(c.line) == 0 {
		if n := c.wholeHead(b); n > 0 {
			return n
		}
	}
	n := len(b)
	if k := bytes.IndexByte(b, '\n'); k >= 0 {
		n = k + 1
	}
	c.line = append(c.line, b[:n]...)
	switch {
	case len(c.line) > maxHead:
		c.st = stPass
	case b[n-1] == '\n' && (bytes.HasSuffix(c.line, []byte("\n\n")) || bytes.HasSuffix(c.line, []byte("\n\r\n"))):
		c.endHead()
	}
	return n
}

// wholeHead frames a head that lies whole at the start of b, as a usual
// request's does, in place: no copy to c.line, no line-by-line search for
// its end. It returns the head's length, or 0 when b does not start with a
// whole head that plainHeadFraming reads (headBytes then takes it line by
// line). A head plainHeadFraming reads has CRLF line ends and no other CR
// or LF, so its first blank line, where headBytes would end it, is the
// first CRLFCRLF.
func (c *wireConn) wholeHead(b []byte) int {
	k := bytes.Index(b, []byte("\r\n\r\n"))
	if k < 0 || k+4 > maxHead {
		return 0
	}
	st, left, ok := plainHeadFraming(b[:k+4])
	if !ok {
		return 0
	}
	c.st, c.left = st, left
	return k + 4
}

// lineByte acts on the byte just appended to c.line in a line state.
func (c *wireConn) lineByte() {
	last := c.line[len(c.line)-1]
	switch c.st {
	case stChunkEnd:
		if len(c.line) == 2 {
			c.st = stChunkSize
			if string(c.line) != "\r\n" {
				c.st = stPass
			}
			c.line = c.line[:0]
		}
		return
	}
	if len(c.line) > maxChunkLine {
		c.st = stPass
	} else if last == '\n' {
		c.endLine()
	}
}

// endHead parses a complete request head with net/http's own parser, so
// the framing we track is the framing Go's server will apply.
func (c *wireConn) endHead() {
	st, left, ok := plainHeadFraming(c.line)
	if !ok {
		st, left = c.readRequestFraming()
	}
	c.line = c.line[:0]
	c.st, c.left = st, left
}

// readRequestFraming parses the head in c.line with net/http's own parser.
func (c *wireConn) readRequestFraming() (wireState, int64) {
	c.hr.Reset(c.line)
	if c.br == nil {
		c.br = bufio.NewReaderSize(&c.hr, 4096)
	} else {
		c.br.Reset(&c.hr)
	}
	req, err := http.ReadRequest(c.br)
	switch {
	case err != nil || req.Method == http.MethodConnect || req.Header.Get("Upgrade") != "":
		return stPass, 0 // Go answers the error, or the stream stops being HTTP
	case len(req.TransferEncoding) > 0:
		return stChunkSize, 0 // ReadRequest accepts "chunked" only
	case req.ContentLength > 0:
		return stBody, req.ContentLength
	}
	return stStray, 0
}

// plainHeadFraming reads the framing of the usual request head without
// net/http's parser (which builds a whole Request, the wire layer's
// largest cost): an HTTP/1.1 request line that is not CONNECT, CRLF line
// ends, header names of letters, digits and '-', no Transfer-Encoding or
// Upgrade, at most one Content-Length of plain digits. Anything else
// reports ok false, and endHead asks http.ReadRequest, so the framing
// tracked is still the framing Go's server applies.
func plainHeadFraming(head []byte) (st wireState, left int64, ok bool) {
	line, rest, found := cutCRLF(head)
	if !found || !plainRequestLine(line) {
		return 0, 0, false
	}
	length, ok := plainHeaders(rest)
	switch {
	case !ok:
		return 0, 0, false
	case length > 0:
		return stBody, length, true
	}
	return stStray, 0, true
}

// plainHeaders reads the header lines after the request line, up to the
// blank line that must end the head: the Content-Length (-1 if none), or
// ok false for anything plainHeadFraming leaves to http.ReadRequest.
func plainHeaders(rest []byte) (length int64, ok bool) {
	length = -1
	for {
		line, after, found := cutCRLF(rest)
		if !found {
			return 0, false
		}
		if len(line) == 0 {
			return length, len(after) == 0 // the blank line ends the head
		}
		rest = after
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !plainHeaderName(name) || !plainText(value, '\t') {
			return 0, false
		}
		switch {
		case framingName(name, "Transfer-Encoding"), framingName(name, "Upgrade"):
			return 0, false
		case framingName(name, "Content-Length"):
			n, err := strconv.ParseInt(string(bytes.Trim(value, " \t")), 10, 64)
			if length >= 0 || err != nil || n < 0 || !digitsOnly(bytes.Trim(value, " \t")) {
				return 0, false
			}
			length = n
		}
	}
}

// cutCRLF is bytes.Cut(b, "\r\n"), found through the first LF: when a CR
// comes before it, that is the first CRLF (bytes.Index for a two-byte
// separator was the largest part of framing a head).
func cutCRLF(b []byte) (line, after []byte, found bool) {
	k := bytes.IndexByte(b, '\n')
	if k < 1 || b[k-1] != '\r' {
		return bytes.Cut(b, []byte("\r\n"))
	}
	return b[:k-1], b[k+1:], true
}

// framingName is bytes.EqualFold(name, want), the lengths compared first:
// most names are none of the three the framing depends on.
func framingName(name []byte, want string) bool {
	return len(name) == len(want) && bytes.EqualFold(name, []byte(want))
}

// plainRequestLine is "METHOD SP target SP HTTP/1.1" with a method of
// upper-case letters other than CONNECT and a target without spaces.
func plainRequestLine(line []byte) bool {
	method, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(method) == 0 || string(method) == http.MethodConnect {
		return false
	}
	for _, ch := range method {
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	target, proto, ok := bytes.Cut(rest, []byte(" "))
	return ok && string(proto) == "HTTP/1.1" && len(target) > 0 && target[0] == '/' &&
		plainText(target, 0) && !bytes.ContainsAny(target, " %#")
}

// plainText is printable ASCII, plus the byte also (0: none).
func plainText(b []byte, also byte) bool {
	for _, ch := range b {
		if (ch < 0x20 || ch > 0x7e) && (also == 0 || ch != also) {
			return false
		}
	}
	return true
}

func plainHeaderName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for _, ch := range name {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
			return false
		}
	}
	return true
}

func digitsOnly(b []byte) bool {
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return false
		}
	}
	return len(b) > 0
}

// endLine finishes a chunk-size or trailer line.
func (c *wireConn) endLine() {
	line := strings.TrimRight(string(c.line), " \t\r\n")
	c.line = c.line[:0]
	if c.st == stTrailer {
		if line == "" {
			c.st = stHead
		}
		return
	}
	size, _, _ := strings.Cut(line, ";")
	n, err := strconv.ParseUint(strings.TrimSpace(size), 16, 63)
	switch {
	case err != nil:
		c.st = stPass
	case n == 0:
		c.st = stTrailer
	default:
		c.st, c.left = stChunkData, int64(n)
	}
}

// errStrayTooLong stops reading a would-be stray value past maxStrayBody.
var errStrayTooLong = errors.New("stray body too long")

// skipStray runs at the boundary after a bodiless request. If the next
// byte opens a JSON object or array, it reads one JSON value (with
// encoding/json's decoder, which stops at the value's end) and drops it.
// A syntax error or an over-long value leaves every byte in place. A read
// error (a deadline, the client leaving) keeps what was read for the next
// call, so Go's background read being cut short loses nothing.
func (c *wireConn) skipStray() error {
	if c.pending[0] != '{' && c.pending[0] != '[' {
		c.st = stHead
		return nil
	}
	src := &strayReader{conn: c.Conn, buf: append([]byte(nil), c.pending...)}
	dec := json.NewDecoder(src)
	var v json.RawMessage
	err := dec.Decode(&v)
	var syn *json.SyntaxError
	switch {
	case err == nil:
		c.pending = src.buf[dec.InputOffset():]
		c.st = stHead
		c.strays.Add(1)
		return nil
	case src.err != nil && !errors.Is(src.err, errStrayTooLong):
		c.pending = src.buf
		return src.err
	case errors.As(err, &syn), errors.Is(err, errStrayTooLong):
		c.pending = src.buf
		c.st = stHead
		return nil
	default:
		c.pending = src.buf
		return err
	}
}

// strayReader serves buf, then reads more from conn into it, up to
// maxStrayBody in all.
type strayReader struct {
	conn net.Conn
	buf  []byte
	off  int
	err  error // the first error from conn, or errStrayTooLong
}

func (r *strayReader) Read(p []byte) (int, error) {
	if r.off < len(r.buf) {
		n := copy(p, r.buf[r.off:])
		r.off += n
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	room := maxStrayBody - len(r.buf)
	if room <= 0 {
		r.err = errStrayTooLong
		return 0, r.err
	}
	n, err := r.conn.Read(p[:min(len(p), room)])
	r.buf = append(r.buf, p[:n]...)
	r.off += n
	if err != nil {
		r.err = err
	}
	return n, err
}

// goErrorHeaders is how net/http's server frames the errors it writes
// itself when a request cannot be parsed (server.go, conn.serve).
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write passes responses through, except Go's own plain-text framing
// errors, which it rewrites as DRF would answer them: JSON {"detail"}.
// Go writes each such error in one Write call on the raw connection.
func (c *wireConn) Write(p []byte) (int, error) {
	// Go's own errors are 4xx or 5xx; the status digit spares every
	// answer a search for the error headers.
	if len(p) < 10 || (p[9] != '4' && p[9] != '5') || !bytes.HasPrefix(p, []byte("HTTP/1.")) ||
		!bytes.Contains(p, []byte(goErrorHeaders)) {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(jsonFramingError(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// jsonFramingError turns Go's "HTTP/1.1 400 Bad Request<headers>400 Bad
// Request: reason" into the same status line with a JSON body.
func jsonFramingError(p []byte) []byte {
	statusLine, body, _ := bytes.Cut(p, []byte(goErrorHeaders))
	detail := string(body)
	if _, code, ok := strings.Cut(string(statusLine), " "); ok {
		num, _, _ := strings.Cut(code, " ")
		detail = strings.TrimPrefix(detail, num+" ")
	}
	b, _ := json.Marshal(map[string]string{"detail": detail})
	return fmt.Appendf(nil, "%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		statusLine, len(b), b)
}
