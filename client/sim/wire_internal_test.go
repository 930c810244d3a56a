package sim

import (
	"math/rand/v2"
	"testing"
)

// wireHeads are request heads, usual and odd, for plainHeadFraming.
var wireHeads = []string{
	"GET /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
	"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 57\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\ncontent-length:  12 \r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"GET /a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a HTTP/1.0\r\nHost: x\r\nContent-Length: 3\r\n\r\n",
	"GET /a HTTP/1.1\nHost: x\n\n",
	"GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
	"GET /a HTTP/1.1\r\nBad Name: x\r\n\r\n",
	"get /a HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET  /a HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a HTTP/2.0\r\nHost: x\r\n\r\n",
	"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
}

// Where plainHeadFraming answers, it answers what net/http's parser does.
func TestPlainHeadFramingAgrees(t *testing.T) {
	heads := append([]string(nil), wireHeads...)
	rng := rand.New(rand.NewPCG(8, 9))
	for range 20000 { // usual heads with one or two bytes changed
		h := []byte(wireHeads[rng.IntN(4)])
		for range 1 + rng.IntN(2) {
			h[rng.IntN(len(h)-4)] = " :\r\n-0aZ\t,%/\x00\x7f\xff"[rng.IntN(15)]
		}
		heads = append(heads, string(h))
	}
	fast := 0
	for _, h := range heads {
		st, left, ok := plainHeadFraming([]byte(h))
		if !ok {
			continue
		}
		fast++
		c := &wireConn{line: []byte(h)}
		if wst, wleft := c.readRequestFraming(); wst != st || wleft != left {
			t.Errorf("%q: plain %v/%d, net/http %v/%d", h, st, left, wst, wleft)
		}
	}
	if fast < 3 {
		t.Errorf("the fast path took %d heads: not even the usual ones", fast)
	}
}
