// kinship.js against a running ingestion service, through Node's real fetch. Skipped unless both are set:
//   KINSHIP_INGESTION_URL=http://127.0.0.1:8080 KINSHIP_WRITE_KEY=wk_... node --test Tests/Browser/
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeBrowser } from './FakeBrowser.mjs';

const HOST = process.env.KINSHIP_INGESTION_URL;
const KEY = process.env.KINSHIP_WRITE_KEY;
const skip = HOST && KEY ? false : 'set KINSHIP_INGESTION_URL and KINSHIP_WRITE_KEY to run against a server';
const PAGE_ORIGIN = 'https://shop.example.com';

/** A tab whose fetch is Node's own, with every exchange kept for the assertions. */
function liveBrowser(options = {}) {
  const exchanges = [];
  const fetch = (url, init) => {
    const exchange = globalThis.fetch(url, init).then(async (res) => ({
      url, init, status: res.status, text: await res.clone().text(), res,
    }));
    exchanges.push(exchange);
    return exchange.then((e) => e.res);
  };
  const b = makeBrowser({ fetch, href: `${PAGE_ORIGIN}/live/test?run=${Date.now()}`, ...options });
  b.run(`window.kinship = window.kinship || [];
         kinship.push(['load', ${JSON.stringify(KEY)}, ${JSON.stringify({ host: HOST, autoPage: false })}]);`);
  b.loadScript();
  return { b, exchanges };
}

function assertAllAccepted(results) {
  assert.ok(results.length >= 1, 'at least one request was sent');
  for (const r of results) {
    assert.equal(r.status, 200, `${r.url} answered ${r.status}: ${r.text}`);
    assert.equal(JSON.parse(r.text).success, true, r.text);
  }
}

describe('kinship.js against a live ingestion service', { skip }, () => {
  it('delivers a page, a track and an identify', async () => {
    const { b, exchanges } = liveBrowser();
    const userId = `live-${Date.now()}`;
    b.kinship.page('Live', 'Tracker Test', { run: userId });
    b.kinship.track('Live Test Ran', { run: userId });
    b.kinship.identify(userId, { source: 'kinship.live.test.mjs' });
    await b.kinship.flush();
    const results = await Promise.all(exchanges);
    assertAllAccepted(results);
    const sent = results.flatMap((r) => JSON.parse(r.init.body).batch);
    assert.deepEqual(sent.map((m) => m.type), ['page', 'track', 'identify']);
    assert.deepEqual(b.warnings, []);
    assert.equal(b.storage.getItem('kinship_queue'), null, 'every message was acknowledged');
  });

  it('accepts the page-hide body, sent as text/plain', async () => {
    // No sendBeacon in this tab, so the tracker falls back to fetch({keepalive}) with the same body.
    const { b, exchanges } = liveBrowser({ beacon: null });
    b.kinship.track('Live Test Left Page');
    b.pageHide();
    const results = await Promise.all(exchanges);
    assertAllAccepted(results);
    assert.equal(results[0].init.keepalive, true);
  });

  it('answers the CORS preflight of a cross-origin page', async () => {
    const res = await fetch(`${HOST}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        Origin: PAGE_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.ok(res.status >= 200 && res.status < 300, `preflight answered ${res.status}`);
    const origin = res.headers.get('access-control-allow-origin');
    assert.ok(origin === '*' || origin === PAGE_ORIGIN, `Access-Control-Allow-Origin: ${origin}`);
    const methods = (res.headers.get('access-control-allow-methods') ?? '').toUpperCase();
    assert.ok(methods.includes('POST'), `Access-Control-Allow-Methods: ${methods}`);
    const headers = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.ok(headers === '*' || headers.includes('content-type'), `Access-Control-Allow-Headers: ${headers}`);
  });
});
