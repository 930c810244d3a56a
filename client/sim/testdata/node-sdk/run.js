// Runs every method of the official IntaSend Node SDK (intasend-node, as
// installed by `npm ci` here, unmodified) against malipo's simulator, for
// client/sim's TestNodeSDK. One JSON line per call on stdout:
//   {"call":"wallets.create","ok":true,"result":{…}}
//   {"call":"refunds.get#unknown","ok":false,"error":{…}}
// The part after '#' names a variant of the same SDK method. A line
// {"advance":S} asks the Go test to move the simulator's clock S seconds;
// the script waits for one line on stdin before going on.
//
// Keys come from INTASEND_PUBLISHABLE_KEY / INTASEND_SECRET_KEY and are
// never printed.
'use strict';

const https = require('https');
const readline = require('readline');
const IntaSend = require('intasend-node');

// The SDK hard-codes https://sandbox.intasend.com:443 (requests.js builds
// https.request({hostname: test_base_url, port: 443})) and always uses
// https' global agent. So the only change is here, outside the SDK: a
// global agent that keeps connections alive (as Node 19+'s default does)
// and connects them to the simulator's loopback port, while TLS still
// verifies the certificate for sandbox.intasend.com (trusted through
// NODE_EXTRA_CA_CERTS).
const simPort = Number(process.env.SIM_PORT);
class SimAgent extends https.Agent {
  createConnection(options, cb) {
    return super.createConnection({ ...options, host: '127.0.0.1', port: simPort, servername: options.host }, cb);
  }
}
https.globalAgent = new SimAgent({ keepAlive: true });

const sdk = new IntaSend(process.env.INTASEND_PUBLISHABLE_KEY, process.env.INTASEND_SECRET_KEY, true);

const rl = readline.createInterface({ input: process.stdin });
const lines = rl[Symbol.asyncIterator]();
async function advance(seconds) {
  process.stdout.write(JSON.stringify({ advance: seconds }) + '\n');
  await lines.next();
}

// call runs one SDK call and reports it. The SDK rejects with the first
// chunk of an error body (a Buffer) or a transport error message.
async function call(name, fn) {
  try {
    const result = await fn();
    process.stdout.write(JSON.stringify({ call: name, ok: true, result }) + '\n');
    return result;
  } catch (err) {
    let error = Buffer.isBuffer(err) ? err.toString() : String(err);
    try { error = JSON.parse(error); } catch (_) { /* not JSON: report the text */ }
    process.stdout.write(JSON.stringify({ call: name, ok: false, error }) + '\n');
    return null;
  }
}

const SANDBOX_PHONE = '254708374149'; // always succeeds
const FAILING_PHONE = '254700000001'; // always fails (the simulator's magic number)
const customer = { first_name: 'Jane', last_name: 'Doe', email: 'jane@example.com' };
const one = (tx) => ({ currency: 'KES', requires_approval: 'YES', transactions: [tx] });

async function main() {
  // Each call takes a fresh accessor, as the SDK's README does: charge,
  // status and fundCheckout clear the object's secret key for good.
  const wallets = await call('wallets.list', () => sdk.wallets().list());
  const settlement = (wallets?.results || []).find((w) => w.wallet_type === 'SETTLEMENT' && w.currency === 'KES');
  const made = await call('wallets.create', () => sdk.wallets().create({ label: 'NODE-SDK-OPS', wallet_type: 'WORKING', currency: 'KES', can_disburse: true }));
  await call('wallets.create#bad-currency', () => sdk.wallets().create({ label: 'NODE-SDK-XYZ', wallet_type: 'WORKING', currency: 'XYZ', can_disburse: false }));
  const wid = made?.wallet_id;
  await call('wallets.get', () => sdk.wallets().get(wid));
  await call('wallets.transactions', () => sdk.wallets().transactions(wid));
  await call('wallets.fundMPesa', () => sdk.wallets().fundMPesa({ ...customer, phone_number: SANDBOX_PHONE, amount: 1000, wallet_id: wid, api_ref: 'fund-1' }));
  await call('wallets.fundCheckout', () => sdk.wallets().fundCheckout({ ...customer, amount: 500, currency: 'KES', wallet_id: wid, api_ref: 'fund-2', redirect_url: 'https://example.com/done' }));
  await call('wallets.intraTransfer', () => sdk.wallets().intraTransfer(settlement?.wallet_id, wid, 100, 'Float top-up'));
  await call('wallets.get#after-transfer', () => sdk.wallets().get(wid));

  const paid = await call('collection.mpesaStkPush', () => sdk.collection().mpesaStkPush({ ...customer, name: 'Jane Doe', phone_number: SANDBOX_PHONE, amount: 1500, api_ref: 'order-1' }));
  const failed = await call('collection.mpesaStkPush#failing-phone', () => sdk.collection().mpesaStkPush({ ...customer, name: 'Jane Doe', phone_number: FAILING_PHONE, amount: 200, api_ref: 'order-2' }));
  await call('collection.mpesaStkPush#zero-amount', () => sdk.collection().mpesaStkPush({ ...customer, name: 'Jane Doe', phone_number: SANDBOX_PHONE, amount: 0, api_ref: 'order-3' }));
  await call('collection.status#pending', () => sdk.collection().status(paid?.invoice?.invoice_id));
  await call('collection.charge', () => sdk.collection().charge({ ...customer, host: 'https://example.com', amount: 2500, currency: 'KES', api_ref: 'order-4', redirect_url: 'https://example.com/done' }));
  await advance(180); // the STK pushes settle; the sale clears
  await call('collection.status#complete', () => sdk.collection().status(paid?.invoice?.invoice_id));
  await call('collection.status#failed', () => sdk.collection().status(failed?.invoice?.invoice_id));
  await call('collection.status#unknown', () => sdk.collection().status('NOPE000'));

  const b2c = await call('payouts.mpesa', () => sdk.payouts().mpesa(one({ name: 'Jane Doe', account: SANDBOX_PHONE, amount: '150', narrative: 'Salary' })));
  await call('payouts.approve', () => sdk.payouts().approve(b2c));
  await call('payouts.status#approved', () => sdk.payouts().status({ tracking_id: b2c?.tracking_id }));
  await call('payouts.mpesa#bad-account', () => sdk.payouts().mpesa(one({ name: 'Jane Doe', account: '0712', amount: '150', narrative: 'Salary' })));
  const b2b = await call('payouts.mpesaB2B', () => sdk.payouts().mpesaB2B(one({ name: 'KPLC', account: '888880', account_type: 'PayBill', account_reference: '12345678', amount: 200, narrative: 'Power' })));
  await call('payouts.bank', () => sdk.payouts().bank(one({ name: 'John Doe', account: '0123456789', bank_code: '2', amount: 300, narrative: 'Supplier' })));
  await call('payouts.intasend', () => sdk.payouts().intasend(one({ name: 'Partner', account: '254722000000', amount: 50, narrative: 'Split' })));
  await call('payouts.airtime', () => sdk.payouts().airtime(one({ name: 'Jane Doe', account: SANDBOX_PHONE, amount: 20, narrative: 'Airtime' })));
  await call('payouts.initiate', () => sdk.payouts().initiate({ provider: 'MPESA-B2C', ...one({ name: 'Jane Doe', account: SANDBOX_PHONE, amount: 120, narrative: 'Bonus' }) }));
  await call('payouts.approve#b2b', () => sdk.payouts().approve(b2b));
  await call('payouts.approve#again', () => sdk.payouts().approve(b2c));
  await advance(60); // the approved batches run to the end
  await call('payouts.status#done', () => sdk.payouts().status({ tracking_id: b2c?.tracking_id }));
  await call('payouts.status#unknown', () => sdk.payouts().status({ tracking_id: 'NOPE000' }));

  const refund = await call('refunds.create', () => sdk.refunds().create({ invoice: paid?.invoice?.invoice_id, amount: 500, reason: 'Unavailable service', reason_details: 'Out of stock' }));
  await call('refunds.create#too-much', () => sdk.refunds().create({ invoice: paid?.invoice?.invoice_id, amount: 999999, reason: 'Other', reason_details: 'Too much' }));
  await call('refunds.list', () => sdk.refunds().list());
  await call('refunds.get', () => sdk.refunds().get(refund?.chargeback_id));
  await call('refunds.get#unknown', () => sdk.refunds().get('NOPE000'));
  await call('wallets.transactions#settlement', () => sdk.wallets().transactions(settlement?.wallet_id));
  await call('wallets.list#again', () => sdk.wallets().list());
}

// No process.exit: stdout to a pipe may still be flushing a long line, and
// exit would cut it. Closing what keeps the loop alive ends the process
// once everything is written.
main().catch((err) => {
  process.stderr.write(`run.js: ${err && err.stack}\n`);
  process.exitCode = 1;
}).finally(() => {
  https.globalAgent.destroy();
  rl.close();
  process.stdin.destroy();
});
