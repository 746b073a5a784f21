"""kinship.js, as served by a real ingestion process at GET /kinship.js, in headless Chromium on a page of another
origin (a local server on another port, so the tracker's requests are cross-origin and CORS is exercised).

A   30 tracks, then the page navigates away at once; with flushAt and flushInterval out of reach, only the
    page-hide sendBeacon can deliver them: all 30 and the automatic page() must be stored exactly once.
A2  the same with the default options: 20 queued messages start a fetch that the navigation races with the
    page-hide beacon, so the same messages may be sent twice; each must still be stored once.
B   a fresh profile: consent.set({analytics: false, marketing: true}), then an analytics track, a page() and an
    e-mail track: the analytics ones must never leave the browser (nor be stored); the Consent Preference
    Updated and Email Opened must be stored, delivered by a CORS fetch answered 200.

The pages record what they hand the network (fetch and sendBeacon, in sessionStorage so it survives the
navigation), so "never sent" is told apart from "sent and not stored". Run by scripts/test-clients with
KINSHIP_INGESTION_URL, KINSHIP_WRITE_KEY, KINSHIP_CLIENTS_DATABASE_URL, KINSHIP_WORKSPACE_ID, KINSHIP_SOURCE_NAME.
"""
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from checks import Checks, environment, shorten
from database import Database

TRACKS = 30
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

host = environment("KINSHIP_INGESTION_URL").rstrip("/")
write_key = environment("KINSHIP_WRITE_KEY")
database = Database(environment("KINSHIP_CLIENTS_DATABASE_URL"))
workspace = environment("KINSHIP_WORKSPACE_ID")
source = environment("KINSHIP_SOURCE_NAME")
run = uuid.uuid4().hex[:12]

checks = Checks("kinship.js in headless Chromium")
# Stopped by the caller's timeout: exit through the `finally` blocks, so Chromium and chromedriver are quit too.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

# ---- the site: pages served from another origin than the tracker's host --------------------------------

# Installed before kinship.js, so every request the tracker makes is written down, beacons included.
RECORDER = """
<script>
  function record(entry) {
    const log = JSON.parse(sessionStorage.getItem('sent') || '[]');
    log.push(entry);
    sessionStorage.setItem('sent', JSON.stringify(log));
    return log.length - 1;
  }
  function update(index, fields) {
    const log = JSON.parse(sessionStorage.getItem('sent') || '[]');
    Object.assign(log[index], fields);
    sessionStorage.setItem('sent', JSON.stringify(log));
  }
  function summary(body) {
    const text = typeof body === 'string' ? body : null;
    try { return JSON.parse(text).batch.map((m) => ({type: m.type, event: m.event || null, messageId: m.messageId})); }
    catch (e) { return null; }
  }
  // sendBeacon takes the tracker's Blob; a Blob's text can only be read later, when the page may be gone,
  // so the text is noted as the Blob is made.
  const RealBlob = window.Blob;
  window.Blob = function (parts, options) {
    const blob = new RealBlob(parts, options);
    if (parts.every((part) => typeof part === 'string')) blob.sentText = parts.join('');
    return blob;
  };
  window.Blob.prototype = RealBlob.prototype;
  const realBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = function (url, data) {
    const body = typeof data === 'string' ? data : (data && data.sentText) || null;
    const index = record({via: 'beacon', url: String(url), page: location.pathname, body, messages: summary(body)});
    const accepted = realBeacon(url, data);
    update(index, {accepted});
    return accepted;
  };
  const realFetch = window.fetch.bind(window);
  window.fetch = function (url, init) {
    const body = init && typeof init.body === 'string' ? init.body : null;
    const index = record({via: 'fetch', url: String(url), page: location.pathname,
                          keepalive: !!(init && init.keepalive), body, messages: summary(body)});
    return realFetch(url, init).then(async (res) => {
      update(index, {status: res.status, reply: await res.clone().text()});
      return res;
    }, (error) => { update(index, {error: String(error)}); throw error; });
  };
</script>
"""


def tracker_page(title, options, scenario):
    """A page with the loader snippet of docs/ingestion.md, whose `scenario()` runs once kinship.js has loaded."""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">
{RECORDER}
<script>
  window.kinship = window.kinship || [];
  kinship.push(['load', {json.dumps(write_key)}, {json.dumps(options)}]);
  function scenario() {{ {scenario} }}
</script>
<script async src="{host}/kinship.js" onload="scenario()" onerror="document.title = 'kinship.js failed to load'"></script>
</head><body><h1>{title}</h1></body></html>"""


LEAVE = f"""
  for (let i = 0; i < {TRACKS}; i++) kinship.track(document.title + ' Event ' + i, {{run: '{run}', n: i}});
  window.location = '/next.html';
"""
PAGES = {
    # flushAt and flushInterval out of reach: nothing leaves before page hide, so only the beacon can deliver.
    "/a.html": tracker_page("Scenario A", {"host": host, "flushAt": 100, "flushInterval": 60000}, LEAVE),
    "/a2.html": tracker_page("Scenario A2", {"host": host}, LEAVE),
    "/b.html": tracker_page("Scenario B", {"host": host}, f"""
  kinship.consent.set({{analytics: false, marketing: true}});
  kinship.track('Product Viewed', {{run: '{run}'}});
  kinship.page();
  kinship.track('Email Opened', {{run: '{run}', campaign_id: 'c-{run}'}});
"""),
    # No tracker here: what arrives was sent by the page that was left, not replayed from localStorage.
    "/next.html": "<!doctype html><html><head><meta charset='utf-8'><title>Next</title><link rel='icon' href='data:,'></head><body>next</body></html>",
}


class SiteHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        page = PAGES.get(urlsplit(self.path).path)
        body = (page or "not found").encode()
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


site = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
threading.Thread(target=site.serve_forever, daemon=True).start()
origin = f"http://127.0.0.1:{site.server_address[1]}"
checks.note(f"site {origin}, tracker {host}/kinship.js, run {run}")

# ---- the browser --------------------------------------------------------------------------------------


def browser():
    """A fresh headless Chromium (chromedriver gives each session a new, empty profile)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(20)
    return driver


def brief(sent):
    """The page's record of what it sent, without the bodies and with the messages counted, for failure messages."""
    lines = []
    for entry in sent:
        fields = {k: v[:300] if isinstance(v, str) else v for k, v in entry.items() if k not in ("body", "messages")}
        messages = Counter(m["event"] or m["type"] for m in entry.get("messages") or [])
        lines.append(f"{fields} messages: {dict(messages) if entry.get('messages') is not None else 'unknown'}")
    return "\n".join(lines) or "nothing"


def replayed(sent):
    """Diagnosis of a failure: what ingestion answers now to each body the page handed over, sent again the way
    the browser sent it (beacons as text/plain). Harmless: a repeated messageId is stored once."""
    lines = []
    for entry in sent:
        if not entry.get("body"):
            continue
        content_type = "text/plain;charset=UTF-8" if entry["via"] == "beacon" else "application/json"
        request = urllib.request.Request(entry["url"], data=entry["body"].encode(), method="POST",
                                         headers={"Content-Type": content_type, "Origin": origin})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except OSError as error:
            status, text = None, str(error)
        lines.append(f"{entry['via']} from {entry['page']}, sent again by the test: HTTP {status} {text[:300]}")
    return "\n".join(lines) or "the page recorded no request body"


def tracker_warnings(driver):
    """What kinship.js warned about ('[kinship] …') and script errors, from the browser console."""
    return [e["message"] for e in driver.get_log("browser")
            if "[kinship]" in e["message"] or e.get("level") == "SEVERE"]


def session_log(driver):
    return json.loads(driver.execute_script("return sessionStorage.getItem('sent') || '[]'"))


def stored(page_url, expected_count, seconds=10):
    """The events stored from `page_url`, once `expected_count` have arrived (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = database.events(workspace, source, page_url=page_url)
        if len(rows) >= expected_count or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


def names(rows):
    return Counter(row["event"] if row["type"] == "track" else row["type"] for row in rows)


def check_left_page(driver, scenario, path, beacon_only):
    url = f"{origin}{path}?run={run}"
    driver.get(url)
    # The page leaves by itself once kinship.js has loaded and the tracks are queued.
    WebDriverWait(driver, 10).until(
        lambda d: urlsplit(d.current_url).path == "/next.html",
        f"{path} did not move on to /next.html within 10 s (title {driver.title!r}): kinship.js did not load or run",
    )
    rows = stored(url, TRACKS + 1)
    # Later arrivals (a retried fetch, a second beacon) would show up as extra rows: give them a moment.
    time.sleep(1.0)
    rows = database.events(workspace, source, page_url=url)
    sent = session_log(driver)
    queue_left = driver.execute_script("return localStorage.getItem('kinship_queue')")
    warnings = tracker_warnings(driver)  # reading Chromium's log empties it: once per scenario
    seen = names(rows)
    want = Counter({f"Scenario {scenario} Event {i}": 1 for i in range(TRACKS)} | {"page": 1})
    checks.expect(
        seen == want, f"{scenario}: all {TRACKS} tracks and the automatic page() were stored exactly once",
        lambda: f"missing: {shorten(sorted((want - seen).elements()))}\nextra: {shorten(sorted((seen - want).elements()))}\n"
        f"sent by the page:\n{brief(sent)}\n{replayed(sent)}",
    )
    ids = Counter(row["messageId"] for row in rows)
    checks.expect(all(n == 1 for n in ids.values()), f"{scenario}: no messageId is stored twice",
                  shorten(m for m, n in ids.items() if n > 1))
    runs = {(row["message"].get("properties") or {}).get("run") for row in rows if row["type"] == "track"}
    checks.expect(runs == {run}, f"{scenario}: the tracks carry the properties the page gave them", runs)

    beacons = [s for s in sent if s["via"] == "beacon"]
    fetches = [s for s in sent if s["via"] == "fetch"]
    handed = Counter(m["messageId"] for s in sent for m in (s.get("messages") or []))
    beaconed = sum(len(s.get("messages") or []) for s in beacons)
    checks.note(f"the page handed over {len(beacons)} beacon(s) carrying {beaconed} message(s) and {len(fetches)} "
                f"fetch(es) carrying {sum(len(s.get('messages') or []) for s in fetches)}; "
                f"{sum(1 for n in handed.values() if n > 1)} message(s) went out twice; {len(rows)} stored")
    if beacon_only:
        checks.expect(
            not fetches and len(beacons) >= 1 and all(s.get("accepted") for s in beacons) and beaconed == TRACKS + 1,
            f"{scenario}: nothing left before the page was hidden; then sendBeacon, accepted by the browser, "
            f"carried all {TRACKS + 1}", brief(sent),
        )
    checks.expect(queue_left is None, f"{scenario}: the tracker's localStorage queue is empty afterwards",
                  (queue_left or "")[:500])
    checks.expect(not warnings, f"{scenario}: the tracker warned about nothing", "\n".join(warnings[:10]))


def check_consent(driver):
    url = f"{origin}/b.html?run={run}"
    driver.get(url)
    checks.expect("failed" not in driver.title, "B: the page loaded kinship.js", driver.title)
    # The tracker sends after its 1 s flush interval; wait for that request's answer.
    WebDriverWait(driver, 10).until(lambda d: any(s.get("status") or s.get("error") for s in session_log(d)))
    rows = stored(url, 2)
    time.sleep(1.5)  # past another flush interval: anything else the page would send has gone by now
    rows = database.events(workspace, source, page_url=url)
    sent = session_log(driver)
    warnings = tracker_warnings(driver)
    seen = names(rows)
    checks.expect(
        seen == Counter({"Consent Preference Updated": 1, "Email Opened": 1}),
        "B: Consent Preference Updated and Email Opened were stored, once each, and nothing else",
        lambda: f"stored: {dict(seen)}\nsent by the page:\n{brief(sent)}\n{replayed(sent)}",
    )
    handed = [m for s in sent for m in (s.get("messages") or [])]
    analytics = [m for m in handed if m["type"] == "page" or m["event"] == "Product Viewed"]
    checks.expect(not analytics, "B: the page() and Product Viewed never left the browser (nor the automatic page())",
                  json.dumps(analytics))
    consent = next((row["message"] for row in rows if row["event"] == "Consent Preference Updated"), {})
    preferences = (consent.get("context") or {}).get("consent", {}).get("categoryPreferences")
    checks.expect(preferences == {"analytics": False, "marketing": True, "necessary": True},
                  "B: the stored consent event carries the preferences set", preferences)
    fetches = [s for s in sent if s["via"] == "fetch"]
    failed = [s for s in fetches if s.get("status") != 200 or s.get("error")]
    checks.expect(
        fetches and not failed, f"B: the cross-origin fetch (a CORS preflighted POST) was answered 200 ({len(fetches)} request(s))",
        lambda: f"{brief(failed or sent)}\nconsole: {warnings}\n{replayed(sent)}",
    )
    replies = [json.loads(s["reply"]) for s in fetches if s.get("status") == 200]
    checks.expect(
        all(r.get("success") is True and r.get("withheld") == 0 and not r.get("refused") for r in replies),
        "B: the answers report success with nothing withheld or refused", replies,
    )
    checks.expect(driver.execute_script("return localStorage.getItem('kinship_queue')") is None,
                  "B: the tracker's localStorage queue is empty afterwards")
    got = driver.execute_script("return kinship.consent.get()")
    checks.expect(got.get("analytics") is False and got.get("marketing") is True,
                  "B: consent.get() returns what was set", got)
    checks.expect(not warnings, "B: the tracker warned about nothing", "\n".join(warnings[:10]))


def scenario(name, test):
    driver = None
    try:
        driver = browser()
        test(driver)
    except (WebDriverException, RuntimeError) as error:
        detail = f"{type(error).__name__}: {error}"
        if driver:
            try:
                detail += f"\ncurrent URL: {driver.current_url}\nsent by the page:\n{brief(session_log(driver))}"
                detail += f"\nconsole: {tracker_warnings(driver)}"
            except WebDriverException:
                pass
        checks.expect(False, f"{name} ran to the end", detail)
    finally:
        if driver:
            driver.quit()


try:
    scenario("A", lambda d: check_left_page(d, "A", "/a.html", beacon_only=True))
    scenario("A2", lambda d: check_left_page(d, "A2", "/a2.html", beacon_only=False))
    scenario("B", check_consent)
finally:
    site.shutdown()
checks.finish()
