// Makes STATUS_N sequential collection().status(INVOICE_ID) calls with the
// official IntaSend Node SDK (unmodified) against malipo's simulator, for
// client/sim's BenchmarkClientCPU, which reads this process's CPU time.
// It prints one line, {"ok":N}, and exits non-zero on any failure.
// Connection set-up is as in run.js: a keep-alive global agent pointed at
// the simulator's loopback port, TLS verified for sandbox.intasend.com.
'use strict';

const https = require('https');
const IntaSend = require('intasend-node');

const simPort = Number(process.env.SIM_PORT);
class SimAgent extends https.Agent {
  createConnection(options, cb) {
    return super.createConnection({ ...options, host: '127.0.0.1', port: simPort, servername: options.host }, cb);
  }
}
https.globalAgent = new SimAgent({ keepAlive: true });

const sdk = new IntaSend(process.env.INTASEND_PUBLISHABLE_KEY, process.env.INTASEND_SECRET_KEY, true);
const n = Number(process.env.STATUS_N);
const invoice = process.env.INVOICE_ID;

(async () => {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const r = await sdk.collection().status(invoice);
    if (r.invoice.invoice_id !== invoice) throw new Error('wrong invoice: ' + JSON.stringify(r));
    ok++;
  }
  process.stdout.write(JSON.stringify({ ok }) + '\n');
  https.globalAgent.destroy();
})().catch((err) => {
  process.stderr.write(String(err) + '\n');
  process.exit(1);
});
