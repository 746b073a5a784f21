-- The time an ISO-8601 string names, exactly as segmentation's `Timestamp.parse` reads it, or NULL: the SQL
-- form of segment definitions compares two strings as times when both parse, so the two must accept the
-- same spellings. PostgreSQL's own timestamptz input accepts many more (`yesterday`, `May 5`, `2026-1-2`) and
-- refuses some Segment clients send (year 0000, leap second 60), hence a parser of its own.
--
-- Accepted: `YYYY-MM-DD`, then `T`, `t` or a space, `HH:MM:SS`, an optional fraction after `.` or `,` (one digit
-- or more), then nothing, `Z`/`z`, or an offset `+HH`, `+HHMM`, `+HH:MM` (a lone trailing minute digit is
-- ignored, as the Swift parser ignores it). Days are checked against the month; hours below 24, minutes below
-- 60, seconds below 61. The fraction is kept to the microsecond, timestamptz's resolution.
--
-- Pure arithmetic on the epoch (days from the civil date, Howard Hinnant's algorithm), never the session's
-- time zone: IMMUTABLE is true, so the planner may fold it over constants.
CREATE FUNCTION kinship_segment_time(text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p.month BETWEEN 1 AND 12
            AND p.day BETWEEN 1 AND CASE
                WHEN p.month = 2 THEN CASE WHEN (p.year % 4 = 0 AND p.year % 100 <> 0) OR p.year % 400 = 0 THEN 29 ELSE 28 END
                WHEN p.month IN (4, 6, 9, 11) THEN 30
                ELSE 31 END
            AND p.hour < 24 AND p.minute < 60 AND p.second < 61
            AND p.offset_hours < 24 AND p.offset_minutes < 60
        THEN timestamptz '1970-01-01 00:00:00+00' + interval '1 microsecond' * (
            (c.days * 86400 + p.hour * 3600 + p.minute * 60 + p.second - p.sign * (p.offset_hours * 3600 + p.offset_minutes * 60))
                * 1000000::bigint
            + p.micros)
    END
    FROM (
        SELECT m[1]::bigint AS year, m[2]::int AS month, m[3]::int AS day,
               m[4]::int AS hour, m[5]::int AS minute, m[6]::int AS second,
               coalesce(round(('0.' || m[7])::numeric * 1000000)::bigint, 0) AS micros,
               CASE WHEN m[8] = '-' THEN -1 ELSE 1 END AS sign,
               coalesce(m[9]::int, 0) AS offset_hours,
               CASE WHEN length(m[10]) = 2 THEN m[10]::int ELSE 0 END AS offset_minutes
        FROM regexp_match(
            $1,
            '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):?([0-9]{0,2}))?$'
        ) AS m
        WHERE m IS NOT NULL
    ) AS p
    CROSS JOIN LATERAL (
        SELECT era * 146097 + (year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year) - 719468 AS days
        FROM (
            SELECT y - era * 400 AS year_of_era, era,
                   (153 * (p.month + CASE WHEN p.month > 2 THEN -3 ELSE 9 END) + 2) / 5 + p.day - 1 AS day_of_year
            FROM (SELECT y, CASE WHEN y >= 0 THEN y ELSE y - 399 END / 400 AS era
                  FROM (SELECT CASE WHEN p.month <= 2 THEN p.year - 1 ELSE p.year END AS y) AS shifted) AS eras
        ) AS civil
    ) AS c
$$;
