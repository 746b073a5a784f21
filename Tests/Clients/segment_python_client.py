"""Segment's official Python library (segment-analytics-python, module segment.analytics), unmodified, against a
real ingestion process: the six calls but screen, a few thousand tracks (half of them gzipped), a resend of known
messageIds; then the events table must hold every messageId exactly once, with its type, event and fields.

Run by scripts/test-clients with KINSHIP_INGESTION_URL, KINSHIP_WRITE_KEY, KINSHIP_CLIENTS_DATABASE_URL,
KINSHIP_WORKSPACE_ID and KINSHIP_SOURCE_NAME (the source the write key belongs to).
"""
import json
import logging
import time
import uuid
from collections import Counter

from segment import analytics
from segment.analytics import request as segment_request

from checks import Checks, environment, shorten, tally
from database import Database

BULK = 3000  # tracks sent in one go, alternating between the plain and the gzip client
RESENT = 50  # bulk messageIds sent a second time: acknowledged as duplicates, stored once

host = environment("KINSHIP_INGESTION_URL")
write_key = environment("KINSHIP_WRITE_KEY")
database = Database(environment("KINSHIP_CLIENTS_DATABASE_URL"))
workspace = environment("KINSHIP_WORKSPACE_ID")
source = environment("KINSHIP_SOURCE_NAME")

checks = Checks("Segment's Python library (segment-analytics-python " + analytics.VERSION + ")")

# Everything the library reports as failed: its on_error callback, and its logger's errors.
reported_errors = []
logged_errors = []


def on_error(error, items):
    reported_errors.append(f"{error!r} ({len(items)} message(s))")


class ErrorRecorder(logging.Handler):
    def emit(self, record):
        logged_errors.append(record.getMessage())


logging.getLogger("segment").addHandler(ErrorRecorder(level=logging.ERROR))

# What the server answered each request: the library keeps only success or failure, and a 200 may still
# list refused messages. The library's own session is wrapped; the request it builds is untouched.
answers = []
session_post = segment_request._session.post


def recording_post(url, **kwargs):
    response = session_post(url, **kwargs)
    answers.append({
        "url": url,
        "status": response.status_code,
        "gzip": kwargs.get("headers", {}).get("Content-Encoding") == "gzip",
        "auth": kwargs.get("headers", {}).get("Authorization", "").split(" ")[0],
        "body": response.text,
    })
    return response


segment_request._session.post = recording_post

# The documented module-level configuration; a bounded retry budget keeps a failing server from stalling the run.
analytics.write_key = write_key
analytics.host = host
analytics.on_error = on_error
analytics.max_retries = 3
gzip_client = analytics.Client(write_key, host=host, on_error=on_error, gzip=True, max_retries=3)

run = uuid.uuid4().hex[:12]
user = f"py-user-{run}"
new_user = f"py-user-{run}-renamed"
expected = {}  # messageId -> what must be stored


def message_id(kind, n=0):
    return f"py-{run}-{kind}-{n}"


# One of each call (screen is the mobile page; the library sends it the same way).
mid = message_id("identify")
analytics.identify(user, {"plan": "pro", "logins": 3}, message_id=mid)
expected[mid] = {"type": "identify", "event": None, "userId": user, "check": ("traits", "plan", "pro")}

mid = message_id("track")
analytics.track(user, "Order Completed", {"order_id": f"o-{run}", "total": 42.5, "currency": "EUR"}, message_id=mid)
expected[mid] = {"type": "track", "event": "Order Completed", "userId": user, "check": ("properties", "order_id", f"o-{run}")}

mid = message_id("page")
analytics.page(user, "Docs", "Getting Started", {"url": "https://shop.example.com/docs/start"}, message_id=mid)
expected[mid] = {"type": "page", "event": None, "userId": user, "check": ("properties", "url", "https://shop.example.com/docs/start")}

mid = message_id("group")
analytics.group(user, f"acme-{run}", {"plan": "enterprise"}, message_id=mid)
expected[mid] = {"type": "group", "event": None, "userId": user, "check": ("traits", "plan", "enterprise")}

mid = message_id("alias")
analytics.alias(user, new_user, message_id=mid)
expected[mid] = {"type": "alias", "event": None, "userId": new_user, "check": (None, "previousId", user)}

started = time.monotonic()
for n in range(BULK):
    mid = message_id("bulk", n)
    client = gzip_client if n % 2 else analytics
    client.track(user, "Bulk Event", {"n": n, "run": run}, message_id=mid)
    expected[mid] = {"type": "track", "event": "Bulk Event", "userId": user, "check": ("properties", "n", n)}
analytics.flush()
gzip_client.flush()
seconds = time.monotonic() - started
first_round = len(answers)

# A client that retries after a lost answer sends the same messageIds again.
for n in range(RESENT):
    analytics.track(user, "Bulk Event", {"n": n, "run": run}, message_id=message_id("bulk", n))
analytics.flush()
analytics.shutdown()
gzip_client.shutdown()

# --- what the library and the server said ---------------------------------------------------------------
checks.note(f"{len(expected)} messages in {first_round} requests, flushed in {seconds:.1f} s")
checks.expect(not reported_errors, "the library reported no error through on_error", tally(reported_errors))
checks.expect(not logged_errors, "the library logged no error", tally(logged_errors))

bad = [a for a in answers if a["status"] != 200]
checks.expect(
    answers and not bad, f"every request the library made was answered 200 ({len(answers)} requests)",
    tally(f"{a['url']} -> {a['status']} {a['body'][:300]}" for a in bad),
)
checks.expect(
    all(a["url"] == host.rstrip("/") + "/v1/batch" and a["auth"] == "Basic" for a in answers),
    f"the library posted to {host.rstrip('/')}/v1/batch with HTTP Basic", shorten({(a["url"], a["auth"]) for a in answers}),
)
gzipped = [a for a in answers if a["gzip"]]
checks.expect(
    gzipped and all(a["status"] == 200 for a in gzipped),
    f"gzip bodies (Content-Encoding: gzip) were accepted ({len(gzipped)} requests)",
    "no gzip request was made" if not gzipped else tally(f"{a['status']} {a['body'][:300]}" for a in gzipped if a["status"] != 200),
)


def reply(answer):
    try:
        body = json.loads(answer["body"])
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def answered(section, key):
    """The sum of a count (stored, duplicates, withheld) or of a list's lengths (refused) over some answers."""
    total = 0
    for answer in answers[section]:
        value = reply(answer).get(key, 0)
        total += len(value) if isinstance(value, list) else value if isinstance(value, int) else 0
    return total


first = slice(0, first_round)
second = slice(first_round, None)
checks.expect(
    answered(first, "stored") == len(expected) and answered(first, "duplicates") == 0,
    f"the answers counted {len(expected)} stored and 0 duplicates",
    f"stored {answered(first, 'stored')}, duplicates {answered(first, 'duplicates')}",
)
checks.expect(
    answered(first, "refused") == 0 and answered(first, "withheld") == 0, "the answers listed nothing refused or withheld",
    tally(a["body"][:300] for a in answers[first] if reply(a).get("refused") or reply(a).get("withheld")),
)
checks.expect(
    answered(second, "duplicates") == RESENT and answered(second, "stored") == 0,
    f"the {RESENT} resent messageIds were answered as duplicates, none stored",
    f"stored {answered(second, 'stored')}, duplicates {answered(second, 'duplicates')}: "
    + tally(a["body"][:300] for a in answers[second]),
)

# --- what Postgres holds ----------------------------------------------------------------------------
rows = database.events(workspace, source)
counts = Counter(row["messageId"] for row in rows)
repeated = sorted(m for m, c in counts.items() if c > 1)
missing = sorted(set(expected) - set(counts))
unexpected = sorted(set(counts) - set(expected))
checks.expect(not missing, f"all {len(expected)} messageIds are in events", f"{len(missing)} missing: {shorten(missing)}")
checks.expect(not repeated, "no messageId is stored twice", f"{len(repeated)} repeated: {shorten((m, counts[m]) for m in repeated)}")
checks.expect(not unexpected, "events holds nothing else from this source", f"{len(unexpected)} unexpected: {shorten(unexpected)}")


SEALED = "<sealed>"


def plain(value):
    """Identifiers are stored sealed ({"$sealed": …}; the Swift tests open them back): here, only that they are."""
    return SEALED if isinstance(value, dict) and set(value) == {"$sealed"} else value


def mismatches():
    wrong = []
    for row in rows:
        want = expected.get(row["messageId"])
        if not want:
            continue
        msg = row["message"]
        where, key, value = want["check"]
        got = (msg.get(where) or {}).get(key) if where else msg.get(key)
        if key == "previousId":
            got, value = plain(got), SEALED
        for what, have, should in (
            ("type", row["type"], want["type"]), ("event", row["event"], want["event"]),
            ("userId (sealed)", plain(msg.get("userId")), SEALED), (f"{where or 'message'}.{key}", got, value),
            ("context.library.name", (msg.get("context") or {}).get("library", {}).get("name"), "analytics-python"),
        ):
            if have != should:
                wrong.append(f"{row['messageId']}: {what} is {have!r}, expected {should!r}")
    return wrong


wrong = mismatches()
types = Counter(row["type"] for row in rows)
checks.expect(
    not wrong, "each stored event has the type, event, sealed userId and fields the library sent "
    f"({', '.join(f'{t} {n}' for t, n in sorted(types.items()))})",
    "\n".join(wrong[:10]) + (f"\n… {len(wrong)} in all" if len(wrong) > 10 else ""),
)
failed = database.failed_events(workspace, source)
checks.expect(not failed, "failed_events holds nothing from this source", json.dumps(failed))
checks.finish()
