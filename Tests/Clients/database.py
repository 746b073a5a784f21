"""Reads what ingestion stored, through psql, so the checks do not depend on the code under test."""
import json
import subprocess


class Database:
    """The run's fresh database, queried with psql (psql binds the :'name' variables, quoted)."""

    def __init__(self, url):
        self.url = url

    def value(self, sql, **variables):
        """Runs `sql`, which must select one JSON value, and returns it decoded."""
        args = ["psql", self.url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        done = subprocess.run(args, input=sql, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql exited with {done.returncode}: {done.stderr.strip()}")
        return json.loads(done.stdout)

    def events(self, workspace, source, page_url=None):
        """The stored events of one source (optionally of one page URL): messageId, type, event and message."""
        return self.value(
            """
            SELECT coalesce(json_agg(json_build_object(
                       'messageId', e.message_id, 'type', e.type, 'event', e.event, 'message', e.message
                   ) ORDER BY e.received_at, e.message_id), '[]')
            FROM events e JOIN sources s ON s.workspace_id = e.workspace_id AND s.id = e.source_id
            WHERE e.workspace_id = :'workspace' AND s.name = :'source'
              AND (:'page_url' = '' OR e.message->'context'->'page'->>'url' = :'page_url')
            """,
            workspace=workspace, source=source, page_url=page_url or "",
        )

    def failed_events(self, workspace, source):
        """What ingestion refused from this source, grouped by reason: [{code, message, count}]."""
        return self.value(
            """
            SELECT coalesce(json_agg(json_build_object('code', code, 'message', message, 'count', n)), '[]')
            FROM (SELECT f.error_code AS code, f.error_message AS message, count(*) AS n
                  FROM failed_events f JOIN sources s ON s.workspace_id = f.workspace_id AND s.id = f.source_id
                  WHERE f.workspace_id = :'workspace' AND s.name = :'source'
                  GROUP BY 1, 2) AS reasons
            """,
            workspace=workspace, source=source,
        )
