package sim

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"testing"
)

// chunkConn hands out a byte stream in pieces of random size.
type chunkConn struct {
	net.Conn
	rest []byte
	rng  *rand.Rand
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.rest[:min(len(c.rest), 1+c.rng.IntN(300))])
	c.rest = c.rest[n:]
	return n, nil
}

// However the stream is cut by the network and however much the server
// asks for at a time, the wire layer hands over exactly the requests and
// drops exactly the stray values: heads that arrive whole (framed in
// place) and heads cut anywhere (framed line by line) alike.
func TestWireStreamPieces(t *testing.T) {
	stray := `{"public_key":"ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"}`
	parts := []struct{ keep, drop string }{
		{"GET /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nConnection: keep-alive\r\n\r\n", stray},
		{"GET /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\n\r\n", ""},
		{"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n" + `{"invoice_id":"NOPE"}`, ""},
		{"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\ncontent-length:  21 \r\n\r\n" + `{"invoice_id":"NOPE"}`, ""},
		{"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;x=y\r\n{\"inv\r\n10\r\noice_id\":\"NOPE\"}\r\n0\r\nX-Trailer: 1\r\n\r\n", ""},
		{"GET /a HTTP/1.1\nHost: x\n\n", `[1,2]`},
		{"GET /a HTTP/1.1\r\nHost: x\r\nX-Odd: a\tb\r\n\r\n", stray},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for run := range 300 {
		var in, want bytes.Buffer
		drops := 0
		for range 1 + rng.IntN(12) {
			p := parts[rng.IntN(len(parts))]
			in.WriteString(p.keep + p.drop)
			want.WriteString(p.keep)
			if p.drop != "" {
				drops++
			}
		}
		var strays atomic.Int64
		c := &wireConn{Conn: &chunkConn{rest: in.Bytes(), rng: rng}, strays: &strays}
		var got bytes.Buffer
		for {
			p := make([]byte, 1+rng.IntN(4096))
			n, err := c.Read(p)
			got.Write(p[:n])
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) || strays.Load() != int64(drops) {
			t.Fatalf("run %d: %d strays dropped (want %d)\ngot  %q\nwant %q", run, strays.Load(), drops, got.Bytes(), want.Bytes())
		}
	}
}
