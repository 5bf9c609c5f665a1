"""Scheduled times: a wall time in the creator's timezone, kept in UTC, right across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from renum.errors import InvalidInput
from renum.services.publishing import local_moment, suggested_times

NEW_YORK = ZoneInfo("America/New_York")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.mark.parametrize(
    ("wall", "zone", "utc"),
    [
        ("2027-07-01T18:00", NEW_YORK, datetime(2027, 7, 1, 22, 0, tzinfo=UTC)),  # EDT, UTC−4
        ("2027-12-01T18:00", NEW_YORK, datetime(2027, 12, 1, 23, 0, tzinfo=UTC)),  # EST, UTC−5
        ("2027-03-14T03:30", NEW_YORK, datetime(2027, 3, 14, 7, 30, tzinfo=UTC)),  # just after the jump
        # 01:30 happens twice when the clocks go back: the first one (still EDT) is taken.
        ("2027-11-07T01:30", NEW_YORK, datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),
        ("2027-01-15T18:00", SAO_PAULO, datetime(2027, 1, 15, 21, 0, tzinfo=UTC)),
        ("2027-01-15T18:00:00Z", SAO_PAULO, datetime(2027, 1, 15, 18, 0, tzinfo=UTC)),
    ],
)
def test_a_wall_time_is_stored_as_the_right_instant(wall: str, zone: ZoneInfo, utc: datetime) -> None:
    instant, local = local_moment(wall, zone)

    assert instant == utc
    assert datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC) == utc


def test_an_instant_with_an_offset_is_sent_as_the_creators_wall_time() -> None:
    _, local = local_moment("2027-01-15T21:00:00+00:00", SAO_PAULO)

    assert local == "2027-01-15T18:00:00"


def test_a_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        local_moment("2027-03-14T02:30", NEW_YORK)

    assert "publish_at" in refused.value.fields


def test_the_date_picker_suggests_tomorrow_evening_and_refuses_the_next_minutes() -> None:
    now = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo

    earliest, suggested = suggested_times("America/Sao_Paulo", now=now)

    assert earliest == "2027-01-15T09:06"
    assert suggested == "2027-01-16T18:00"
