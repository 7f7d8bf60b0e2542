// The Node SDKs against `portkey-runs serve` (gateway mode): node sdk.mjs BASE_URL
// (BASE_URL with /v1). Each case asserts the status or the run the SDK returns; exits 1 when
// any failed. Uses the demo runs of serve (thread_demo, run_<status>), and creates its own.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Portkey } from 'portkey-ai';

const base = process.argv[2];
if (!base) {
  console.error('usage: node sdk.mjs BASE_URL');
  process.exit(2);
}
const thread = 'thread_demo';

// Each SDK has its own cancellable run; the retried cases cancel a terminal run, so the
// answer after a retry is serve's 400 (without the retry, it would be the fault).
const clients = {
  'openai 7.59.0': {
    make: (extra = {}) => new OpenAI({
      apiKey: 'sk-interop', baseURL: base, maxRetries: 2, timeout: 10_000,
      defaultHeaders: { 'x-portkey-api-key': 'pk-interop', 'x-portkey-virtual-key': 'vk-interop', ...extra },
    }),
    cancel: (c, run, th = thread) => c.beta.threads.runs.cancel(run, { thread_id: th }),
    createAndRun: (c) => c.beta.threads.createAndRun({ assistant_id: 'asst_interop' }),
    retrieve: (c, run, th) => c.beta.threads.runs.retrieve(run, { thread_id: th }),
    cancellable: 'run_queued', terminal: 'run_completed', retries429: true,
  },
  'portkey-ai 3.1.0': {
    make: (extra = {}) => Object.assign(new Portkey({
      apiKey: 'pk-interop', virtualKey: 'vk-interop', baseURL: base, maxRetries: 2, timeout: 10_000,
    }), { extra }),
    // Its constructor sends no header of the caller's: the fault header goes per request.
    cancel: (c, run, th = thread) => c.beta.threads.runs.cancel(run, { thread_id: th }, undefined, { headers: c.extra ?? {} }),
    createAndRun: (c) => c.beta.threads.createAndRun({ assistant_id: 'asst_interop' }),
    retrieve: (c, run, th) => c.beta.threads.runs.retrieve(run, { thread_id: th }),
    cancellable: 'run_in_progress', terminal: 'run_expired', retries429: false, // it sets maxRetries: 0 for 429 (REFERENCE 9)
  },
};

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`  PASS  ${name}`);
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}: ${e.message}`);
  }
}

async function status(promise) {
  try {
    await promise;
    return 200;
  } catch (e) {
    if (typeof e.status !== 'number') throw e;
    return e.status;
  }
}

for (const [sdk, s] of Object.entries(clients)) {
  console.log(sdk);
  const c = s.make();
  await check('cancel 200', async () => {
    const run = await s.cancel(c, s.cancellable);
    assert.equal(run.id, s.cancellable);
    assert.ok(['cancelling', 'cancelled'].includes(run.status), run.status);
  });
  await check('cancel again 400', async () => assert.equal(await status(s.cancel(c, s.cancellable)), 400));
  await check('unknown run 404', async () => assert.equal(await status(s.cancel(c, 'run_unknown')), 404));
  await check('no credentials 401', async () => {
    const bare = sdk.startsWith('openai')
      ? new OpenAI({ apiKey: 'sk-interop', baseURL: base, maxRetries: 0 })
      : new Portkey({ apiKey: 'pk-interop', baseURL: base, maxRetries: 0 }); // no provider credential
    assert.equal(await status(s.cancel(bare, 'run_completed')), 401);
  });
  await check(s.retries429 ? '429 with retry-after retried' : '429 not retried', async () => {
    const c429 = s.make({ Prefer: 'code=429,retry-after=1,times=1' });
    assert.equal(await status(s.cancel(c429, s.terminal)), s.retries429 ? 400 : 429);
  });
  await check('create, cancel, retrieve until cancelled', async () => {
    const created = await s.createAndRun(c);
    assert.equal(created.status, 'queued');
    const cancelled = await s.cancel(c, created.id, created.thread_id);
    assert.equal(cancelled.id, created.id);
    assert.ok(['cancelling', 'cancelled'].includes(cancelled.status), cancelled.status);
    let run = cancelled;
    for (let i = 0; i < 20 && run.status !== 'cancelled'; i++) { // serve cancels within about 1 s
      await new Promise((r) => setTimeout(r, 250));
      run = await s.retrieve(c, created.id, created.thread_id);
    }
    assert.equal(run.status, 'cancelled');
    assert.ok(run.cancelled_at >= run.created_at, `cancelled_at ${run.cancelled_at}`);
  });
  await check('500 retried', async () => {
    const c500 = s.make({ Prefer: 'code=500,times=1' });
    assert.equal(await status(s.cancel(c500, s.terminal)), 400);
  });
}
if (failed) {
  console.log(`sdk: ${failed} failed`);
  process.exit(1);
}
console.log('sdk: all passed');
