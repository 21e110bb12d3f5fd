"""Today's date, for import, refresh and check's freshness warnings.

SOURCE_DATE_EPOCH (the reproducible-builds convention: seconds since 1970, UTC) stands in for
today when it is set, so a rerun on another day, or a test that runs past midnight, writes the
same dates. A value that is not a whole number is ignored.
"""
from __future__ import annotations

import datetime
import os


def today() -> datetime.date:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.timezone.utc).date()
    return datetime.date.today()
