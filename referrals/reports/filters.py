"""What marketing asks the attribution report for: the filters and the groupings."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

GROUPINGS = ("host", "party", "campaign", "day", "week", "method", "postal_area")


@dataclass(frozen=True)
class ReportFilters:
    """What marketing asked for. Dates are whole UTC days, both ends included."""

    campaign_id: int | None = None
    host_id: int | None = None
    party_id: int | None = None
    method: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def since(self) -> datetime | None:
        return datetime.combine(self.date_from, time.min, tzinfo=UTC) if self.date_from else None

    def until(self) -> datetime | None:
        """Exclusive upper bound: midnight after `date_to`."""
        return (
            datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC) if self.date_to else None
        )
