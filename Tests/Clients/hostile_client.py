"""Hostile clients beside a well-behaved one, against live `ingestion` and `identity` processes.

A write key is public (it ships in every page that loads kinship.js), so whoever reads it may send
anything. While a shop back-end sends its customers' events, others send forged sealed values, absurd
timestamps, ids claimed in advance, unknown keys at a high rate, connections that stall, oversized
bodies, imports with a browser key, and (written straight into the database, as data stored by an
older version would be) an event identity cannot open. The shop's events must all be stored and
resolved within a stated time, the attacks must get their 4xx, and the services' memory must stay
bounded.
"""
import base64
import json
import os
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request

from checks import Checks, environment, tally
from database import Database

INGESTION = environment("KINSHIP_INGESTION_URL")
WORKSPACE = environment("KINSHIP_WORKSPACE_ID")
SHOP_KEY = environment("KINSHIP_SHOP_WRITE_KEY")          # a server source
ATTACKER_KEY = environment("KINSHIP_ATTACKER_WRITE_KEY")  # a browser source: its key is public
IDLE_TIMEOUT = float(environment("KINSHIP_HTTP_IDLE_TIMEOUT_SECONDS"))
PIDS = {"ingestion": environment("KINSHIP_INGESTION_PID"), "identity": environment("KINSHIP_IDENTITY_PID")}
db = Database(environment("KINSHIP_CLIENTS_DATABASE_URL"))

PEOPLE = 300
EVENTS_PER_PERSON = 5        # an identify and four tracks
RESOLUTION_BOUND_S = 20      # every shop event resolved within this long of the last one sent
RSS_BOUND_MB = 300           # each service, after all of it


def post(path, body, key=None, headers=None, raw=False, timeout=30):
    """(status, parsed JSON or None, headers) of a POST; never raises for an HTTP status."""
    data = body if raw else json.dumps(body).encode()
    request = urllib.request.Request(INGESTION + path, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{key}:".encode()).decode())
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return error.code, parsed, dict(error.headers)


def code(answer):
    body = answer[1]
    return body.get("error", {}).get("code") if isinstance(body, dict) else None


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return -1


def shop_messages():
    """The back-end's events: per person an identify with an e-mail, then four orders and views."""
    messages = []
    for n in range(PEOPLE):
        user = f"member-{n}"
        messages.append({"type": "identify", "messageId": f"shop-{n}-0", "userId": user,
                         "traits": {"email": f"member{n}@example.com", "tier": "gold" if n % 3 == 0 else "silver"}})
        for k in range(1, EVENTS_PER_PERSON):
            messages.append({"type": "track", "messageId": f"shop-{n}-{k}", "userId": user,
                             "event": "Order Completed" if k % 2 else "Product Viewed",
                             "properties": {"order_id": f"order-{n}-{k}", "total": 100 + k}})
    return messages


class Attack(threading.Thread):
    """Runs `body` in a thread and keeps what it found (or the exception that ended it)."""

    def __init__(self, name, body):
        super().__init__(name=name, daemon=True)
        self.body = body
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.body()
        except Exception as error:  # reported as a failed check, not lost in a thread
            self.error = error


def forged_markers():
    """Sealed-looking values anywhere; each such message is refused alone, its neighbour stored."""
    places = [
        {"traits": {"email": {"$sealed": "AAAA"}}},
        {"properties": {"cart": [{"sku": {"$sealed": "AAAA"}}]}},
        {"context": {"traits": {"phone": {"$sealed": "AAAA"}}}},
        {"properties": {"x": {"$sealed": "not base64 at all"}}},
    ]
    answers = []
    for n in range(120):
        forged = {"type": "identify", "userId": f"mallory-{n}", **places[n % len(places)]}
        honest = {"type": "track", "userId": f"mallory-{n}", "event": "Looked Around"}
        answers.append(post("/v1/batch", {"batch": [forged, honest]}, key=ATTACKER_KEY))
    # The escaped spelling, which the parser must see through.
    escaped = b'{"batch": [{"type": "track", "userId": "m", "event": "E", "properties": {"\\u0024sealed": "AAAA"}}]}'
    answers.append(post("/v1/batch", escaped, key=ATTACKER_KEY, raw=True))
    return answers


def absurd_times():
    answers = {"batch_sent_at": [], "message_time": [], "far_apart": []}
    for n in range(60):
        answers["batch_sent_at"].append(post("/v1/batch", {"sentAt": "9999-12-31T00:00:00Z", "batch": [
            {"type": "track", "userId": f"time-{n}", "event": "E", "timestamp": "2026-01-01T00:00:00Z"}]}, key=ATTACKER_KEY))
        absurd = ["9999-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", 1e308][n % 4]
        answers["message_time"].append(post("/v1/batch", {"batch": [
            {"type": "track", "userId": f"time-{n}", "event": "E", "timestamp": absurd}]}, key=ATTACKER_KEY))
        answers["far_apart"].append(post("/v1/batch", {"sentAt": "2099-12-31T00:00:00Z", "batch": [
            {"type": "track", "userId": f"time-{n}", "event": "Far Apart", "timestamp": "2000-01-02T00:00:00Z"}]}, key=ATTACKER_KEY))
    return answers


def unknown_keys():
    statuses = []
    for _ in range(600):
        statuses.append(post("/v1/track", {"userId": "x", "event": "E"}, key="wk_" + secrets.token_hex(16))[0])
    return statuses


def stalled_connections(count=40):
    """Connections that send half a request's headers and stop: the server must close each of them."""
    sockets = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", int(INGESTION.rsplit(":", 1)[1])), timeout=5)
        connection.sendall(b"POST /v1/batch HTTP/1.1\r\nHost: kinship\r\nContent-Length: 100000\r\n")
        sockets.append(connection)
    started = time.monotonic()
    closed_after = []
    for connection in sockets:
        connection.settimeout(max(0.1, IDLE_TIMEOUT + 10 - (time.monotonic() - started)))
        try:
            while connection.recv(4096):
                pass
            closed_after.append(time.monotonic() - started)
        except (socket.timeout, TimeoutError):
            closed_after.append(None)
        except ConnectionResetError:
            closed_after.append(time.monotonic() - started)
        finally:
            connection.close()
    return closed_after


def oversized_and_misused():
    # Twice the 500 KB limit: refused as soon as the limit is passed. The server may close the connection
    # before the client has sent it all, which the client sees as a reset instead of the 413.
    huge = b'{"batch": [' + b",".join([b'{"type": "track", "userId": "u", "event": "E"}'] * 22_000) + b"]}"
    try:
        huge_answer = post("/v1/batch", huge, key=SHOP_KEY, raw=True)
    except (ConnectionResetError, BrokenPipeError):
        huge_answer = (413, None, {"closed": "before the answer was read"})
    return {
        "huge": huge_answer,
        "browser_import": post("/v1/import", b'{"type": "track", "userId": "u", "event": "E"}', key=ATTACKER_KEY, raw=True),
    }


def store_legacy_poison():
    """One outbox message referencing an event no consumer can open and a good one, as an older version
    could have stored: identity must reject the first alone and resolve the second."""
    db.value(
        """
        WITH s AS (SELECT id FROM sources WHERE workspace_id = :'workspace' AND name = 'attacker'),
        e AS (
            INSERT INTO events (workspace_id, received_at, message_id, source_id, type, event, event_time, message)
            SELECT :'workspace', '2026-01-01T00:00:00.000Z', m.id, s.id, 'identify', NULL, '2026-01-01T00:00:00Z', m.message::jsonb
            FROM s, (VALUES ('legacy-poison', '{"type": "identify", "userId": {"$sealed": "AAAA"}}'),
                            ('legacy-good', '{"type": "identify", "userId": "legacy-user"}')) AS m(id, message)
            RETURNING 1
        ), o AS (
            INSERT INTO outbox (topic, partition, workspace_id, key, payload)
            VALUES ('events', 3, :'workspace', '', '{"events": [{"messageId": "legacy-poison", "receivedAt": "2026-01-01T00:00:00.000Z"},
                                                               {"messageId": "legacy-good", "receivedAt": "2026-01-01T00:00:00.000Z"}]}')
            RETURNING 1
        )
        SELECT to_json((SELECT count(*) FROM e) + (SELECT count(*) FROM o))
        """,
        workspace=WORKSPACE,
    )


def resolved_shop_events():
    return db.value(
        """
        SELECT to_json(count(*)) FROM event_profiles ep
        JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
        JOIN sources s ON s.workspace_id = e.workspace_id AND s.id = e.source_id
        WHERE ep.workspace_id = :'workspace' AND s.name = 'shop'
        """,
        workspace=WORKSPACE,
    )


def main():
    checks = Checks("hostile clients beside a well-behaved one")
    rss_before = {name: rss_mb(pid) for name, pid in PIDS.items()}
    messages = shop_messages()

    # Before the shop sends anything, the public key claims every id the shop will use.
    preclaimed = [post("/v1/batch", {"batch": [{"type": "track", "userId": "mallory", "event": "E", "messageId": m["messageId"]}
                                               for m in messages[i:i + 100]]}, key=ATTACKER_KEY)
                  for i in range(0, len(messages), 100)]
    checks.expect(all(a[0] == 200 for a in preclaimed), "the public key's claims on the shop's ids are accepted as its own",
                  lambda: tally(str(a[0]) for a in preclaimed))

    # The shop has been sending all along: its key is known before the guessing starts.
    warm_up = post("/v1/track", {"userId": "member-0", "event": "Opened App", "messageId": "shop-warm-up"}, key=SHOP_KEY)
    checks.expect(warm_up[0] == 200, "the shop's key works", warm_up[:2])
    store_legacy_poison()
    attacks = [Attack(name, body) for name, body in [
        ("forged", forged_markers), ("times", absurd_times), ("keys", unknown_keys),
        ("stalled", stalled_connections), ("misuse", oversized_and_misused),
    ]]
    for attack in attacks:
        attack.start()

    shop_answers = []
    started = time.monotonic()
    for i in range(0, len(messages), 50):
        shop_answers.append(post("/v1/batch", {"batch": messages[i:i + 50]}, key=SHOP_KEY))
        time.sleep(0.05)
    last_sent = time.monotonic()
    checks.note(f"the shop sent {len(messages)} events in {last_sent - started:.1f} s while the attacks ran")

    for attack in attacks:
        attack.join(timeout=180)
        checks.expect(attack.error is None and not attack.is_alive(), f"the {attack.name} attack ran to its end",
                      lambda a=attack: repr(a.error) if a.error else "still running")
    results = {attack.name: attack.result for attack in attacks}

    # The well-behaved client.
    checks.expect(all(a[0] == 200 and a[1].get("stored") == 50 for a in shop_answers),
                  "every shop batch was answered 200 with all its events stored (none a duplicate of the attacker's claims)",
                  lambda: tally(f"{a[0]} {a[1]}" for a in shop_answers if not (a[0] == 200 and a[1].get("stored") == 50)))
    expected = len(messages) + 1  # and the warm-up
    deadline = last_sent + RESOLUTION_BOUND_S
    resolved = resolved_shop_events()
    while resolved < expected and time.monotonic() < deadline:
        time.sleep(0.25)
        resolved = resolved_shop_events()
    lag = time.monotonic() - last_sent
    checks.expect(resolved == expected, f"all {expected} shop events resolved to profiles within {RESOLUTION_BOUND_S} s of the last one sent",
                  f"{resolved} resolved after {lag:.1f} s")
    checks.note(f"resolution finished {lag:.1f} s after the last shop batch")
    profiles = db.value(
        """
        SELECT to_json(count(DISTINCT coalesce(p.merged_into, p.id))) FROM event_profiles ep
        JOIN events e ON e.workspace_id = ep.workspace_id AND e.received_at = ep.received_at AND e.message_id = ep.message_id
        JOIN sources s ON s.workspace_id = e.workspace_id AND s.id = e.source_id AND s.name = 'shop'
        JOIN profiles p ON p.workspace_id = ep.workspace_id AND p.id = ep.profile_id
        WHERE ep.workspace_id = :'workspace'
        """,
        workspace=WORKSPACE,
    )
    checks.expect(profiles == PEOPLE, f"the shop's events made one profile per customer ({PEOPLE})", f"{profiles} profiles")

    # What the attacks got.
    forged = results.get("forged") or []
    checks.expect(len(forged) == 121 and all(a[0] == 200 and a[1]["stored"] == 1 and [r["code"] for r in a[1]["refused"]] == ["reserved_key"]
                                             for a in forged[:120]),
                  "each forged sealed value was refused alone (reserved_key) and its neighbour stored",
                  lambda: tally(f"{a[0]} {a[1]}" for a in forged))
    checks.expect(forged and [r["code"] for r in forged[-1][1].get("refused", [])] == ["reserved_key"],
                  "an escaped spelling of $sealed was refused too", lambda: forged[-1] if forged else "none")
    times = results.get("times") or {}
    checks.expect(all(a[0] == 400 and code(a) == "invalid_timestamp" for a in times.get("batch_sent_at", [None])),
                  "a batch sentAt in 9999 was refused (400 invalid_timestamp)", lambda: tally(str(a[:2]) for a in times.get("batch_sent_at", [])))
    checks.expect(all(a[0] == 200 and len(a[1]["refused"]) == 1 and a[1]["refused"][0]["code"] in ("invalid_timestamp", "invalid_field")
                      for a in times.get("message_time", [None])),
                  "absurd message timestamps (years 9999, 1000, 275760, a number) were each refused alone",
                  lambda: tally(str(a[:2]) for a in times.get("message_time", [])))
    far_apart = db.value(
        """SELECT coalesce(json_agg(DISTINCT e.event_time::date::text), '[]') FROM events e
           WHERE e.workspace_id = :'workspace' AND e.event = 'Far Apart'""", workspace=WORKSPACE)
    checks.expect(far_apart == ["2000-01-02"], "a correction out of 2000-2100 kept the event's own time", far_apart)
    statuses = results.get("keys") or []
    checks.expect(statuses and set(statuses) <= {401, 429} and statuses.count(429) > len(statuses) // 2,
                  "unknown keys at a high rate got 401, then 429 for most of them",
                  lambda: tally(str(s) for s in statuses))
    closed = results.get("stalled") or []
    checks.expect(closed and all(c is not None and c <= IDLE_TIMEOUT + 5 for c in closed),
                  f"every stalled connection was closed by the server within the idle timeout ({IDLE_TIMEOUT:.0f} s) and 5 s",
                  lambda: tally("open" if c is None else f"{c:.0f} s" for c in closed))
    misuse = results.get("misuse") or {}
    checks.expect(misuse.get("huge", (0,))[0] == 413, "a 1 MB batch was refused (413)", lambda: misuse.get("huge", (None,))[:2])
    checks.expect(misuse.get("browser_import", (0,))[0] == 403 and code(misuse["browser_import"]) == "source_kind_not_allowed",
                  "an import with the browser key was refused (403 source_kind_not_allowed)", lambda: misuse.get("browser_import", (None,))[:2])

    # The event no consumer can open cost itself only.
    legacy = db.value(
        """
        SELECT json_build_object(
          'rejected', (SELECT coalesce(json_agg(message_id), '[]') FROM event_rejections WHERE workspace_id = :'workspace'),
          'good', (SELECT count(*) FROM event_profiles WHERE workspace_id = :'workspace' AND message_id = 'legacy-good'),
          'dead', (SELECT count(*) FROM outbox_dead_letters WHERE workspace_id = :'workspace'))
        """,
        workspace=WORKSPACE,
    )
    checks.expect(legacy == {"rejected": ["legacy-poison"], "good": 1, "dead": 0},
                  "an unopenable stored event was rejected alone; its neighbour resolved; nothing dead-lettered", legacy)

    rss_after = {name: rss_mb(pid) for name, pid in PIDS.items()}
    for name in PIDS:
        checks.expect(rss_after[name] < RSS_BOUND_MB, f"{name}'s memory stayed under {RSS_BOUND_MB} MB",
                      f"{rss_before[name]:.0f} MB before, {rss_after[name]:.0f} MB after")
        checks.note(f"{name}: {rss_before[name]:.0f} MB before the attacks, {rss_after[name]:.0f} MB after")
    checks.finish()


if __name__ == "__main__":
    main()
