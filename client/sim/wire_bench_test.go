package sim

import (
	"net"
	"testing"
)

// loopConn serves the same bytes on every Read, as a keep-alive client
// sending the same request again would.
type loopConn struct {
	net.Conn
	req []byte
}

func (c *loopConn) Read(p []byte) (int, error) { return copy(p, c.req), nil }

// BenchmarkWireRead: the wire layer's own cost per request (framing
// tracked over a usual head and body), without sockets.
func BenchmarkWireRead(b *testing.B) {
	reqs := map[string]string{
		"get": "GET /api/v1/wallets/ HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nUser-Agent: Go-http-client/1.1\r\n" +
			"Authorization: Bearer ISSecretKey_test_5d1f1c7a-2b8e-4f63-9a0d-8c7e6b5a4f31\r\nContent-Type: application/json\r\n" +
			"Accept-Encoding: gzip\r\n\r\n",
		"post": "POST /api/v1/payment/status/ HTTP/1.1\r\nHost: 127.0.0.1:40000\r\nUser-Agent: Go-http-client/1.1\r\n" +
			"Content-Length: 84\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n" +
			`{"invoice_id":"NR5XKGY","public_key":"ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"}`[:84],
	}
	for name, req := range reqs {
		b.Run(name, func(b *testing.B) {
			c := &wireConn{Conn: &loopConn{req: []byte(req)}}
			buf := make([]byte, 4096)
			b.SetBytes(int64(len(req)))
			b.ReportAllocs()
			for b.Loop() {
				for n := 0; n < len(req); {
					k, err := c.Read(buf)
					if err != nil {
						b.Fatal(err)
					}
					n += k
				}
			}
		})
	}
}
