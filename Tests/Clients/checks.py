"""The verdicts of one client test: each check printed as it is made, a summary and the exit status at the end."""
import os
import sys
import time
from collections import Counter


def environment(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"error: {name} is not set (scripts/test-clients sets it)")
    return value


class Checks:
    """Collects pass/fail verdicts; `finish()` exits 1 when any failed."""

    def __init__(self, title):
        self.title = title
        self.failures = []
        self.passed = 0
        self.started = time.monotonic()
        print(f"--- {title}", flush=True)

    def expect(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {what}", flush=True)
        else:
            self.failures.append(what)
            print(f"  FAIL  {what}", flush=True)
            if callable(detail):  # costly diagnosis, made only on failure
                detail = detail()
            for line in str(detail).splitlines():
                print(f"        {line}", flush=True)
        return ok

    def note(self, text):
        print(f"        {text}", flush=True)

    def finish(self):
        seconds = time.monotonic() - self.started
        if self.failures:
            print(f"--- {self.title}: {len(self.failures)} FAILED, {self.passed} passed ({seconds:.1f} s)", flush=True)
            for what in self.failures:
                print(f"      failed: {what}", flush=True)
            sys.exit(1)
        print(f"--- {self.title}: all {self.passed} checks passed ({seconds:.1f} s)", flush=True)
        sys.exit(0)


def tally(items, limit=10):
    """Repeated lines once each, with how often they came: for failure messages."""
    counts = Counter(items)
    lines = [f"{n} × {item}" if n > 1 else str(item) for item, n in counts.most_common(limit)]
    if len(counts) > limit:
        lines.append(f"… {len(counts)} different in all")
    return "\n".join(lines)


def shorten(items, limit=5):
    """A few items of a long list, for failure messages."""
    items = list(items)
    head = ", ".join(map(str, items[:limit]))
    return head + (f", … ({len(items)} in all)" if len(items) > limit else "")
