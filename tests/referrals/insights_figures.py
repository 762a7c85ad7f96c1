"""The insights page's figures, read from its HTML (or from the browser), and the same figures
asked of the report API: both as {(table, row key, column): value}, values as Decimal."""

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from ambassadors.models import Campaign

REPORT = "/api/v1/reports/attribution/"
Figures = dict[tuple[str, str, str], Decimal | None]


def as_value(text: Any) -> Decimal | None:
    return None if text in ("", None) else Decimal(str(text))


class _FigureParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, str | None]] = []  # (tag, table, key)
        self.figures: Figures = {}
        self.texts: dict[tuple[str, str, str], str] = {}
        self.reading: tuple[tuple[str, str, str], int] | None = None  # a figure's text being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        table = found.get("data-table") or (self.stack[-1][1] if self.stack else None)
        key = found.get("data-key")
        if key is None:
            key = self.stack[-1][2] if self.stack else None
        if "data-column" in found and table is not None:
            where = (table, key or "", str(found["data-column"]))
            self.figures[where] = as_value(found.get("data-value"))
            self.texts[where] = ""
            self.reading = (where, len(self.stack))
        if tag not in ("br", "img", "input", "meta", "link", "path", "rect", "use"):
            self.stack.append((tag, table, key))

    def handle_data(self, data: str) -> None:
        if self.reading is not None:
            self.texts[self.reading[0]] += data

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if self.reading is not None and len(self.stack) <= self.reading[1]:
            self.reading = None


def figures_of_page(html: str) -> Figures:
    return figures_and_texts_of_page(html)[0]


def figures_and_texts_of_page(html: str) -> tuple[Figures, dict[tuple[str, str, str], str]]:
    parser = _FigureParser()
    parser.feed(html)
    return parser.figures, parser.texts


def misread(figures: Figures, texts: dict[tuple[str, str, str], str]) -> dict[tuple[str, str, str], str]:
    """Figures whose text a person reads is not their value: the same digits, whatever the
    language's separators and currency sign ("4 526,15 €" for 4526.15); "—" for none."""
    digits = re.compile(r"\D")
    return {
        where: texts[where]
        for where, value in figures.items()
        if (value is None and texts[where].strip() != "—")
        or (value is not None and digits.sub("", texts[where]) != digits.sub("", str(value)))
    }


# The same walk in the browser: `page.evaluate(FIGURES_IN_BROWSER)`.
FIGURES_IN_BROWSER = """() => Array.from(document.querySelectorAll("[data-column]")).map(cell => {
  const table = cell.closest("[data-table]");
  const row = cell.closest("[data-key]");
  return [table.dataset.table, row && table.contains(row) ? row.dataset.key : "", cell.dataset.column,
          cell.dataset.value, cell.textContent];
})"""


def figures_from_browser(rows: list[list[str]]) -> tuple[Figures, dict[tuple[str, str, str], str]]:
    figures = {(table, key, column): as_value(value) for table, key, column, value, _ in rows}
    return figures, {(table, key, column): text for table, key, column, _, text in rows}


def figures_from_api(client: Any, campaign: Campaign) -> Figures:
    """What the report API says for each figure the page shows (the page may show fewer rows:
    its top tables keep the first ten)."""

    def report(**params: Any) -> dict[str, Any]:
        response = client.get(REPORT, {"campaign": campaign.pk, **params})
        assert response.status_code == 200, response.content
        return response.json()

    expected: Figures = {}
    totals = report()["totals"]
    for column in ("net_sales", "orders", "buyers", "rewards_accrued", "rewards_paid"):
        expected[("totals", "", column)] = as_value(totals[column])
    for column in ("kit_cost", "net_sales", "return_on_kit"):
        expected[("kit", "", column)] = as_value(totals[column])
    summary = client.get(f"/api/v1/reports/campaigns/{campaign.pk}/summary/").json()
    expected[("funnel", "selected", "count")] = Decimal(sum(summary["hosts_by_status"].values()))
    parties = summary["parties_by_status"]
    expected[("funnel", "parties_held", "count")] = Decimal(parties.get("held", 0) + parties.get("closed", 0))
    expected[("funnel", "guests", "count")] = as_value(totals["guests"])
    expected[("funnel", "buyers", "count")] = as_value(totals["buyers"])
    columns = {
        "week": ("orders", "net_sales", "rewards_accrued", "rewards_paid"),
        "method": ("orders", "net_sales", "rewards_accrued"),
        "host": ("orders", "net_sales", "kit_cost", "return_on_kit"),
        "party": ("guests", "guests_who_bought", "net_sales"),
    }
    for group_by, names in columns.items():
        for row in report(group_by=group_by)["rows"]:
            for column in names:
                expected[(group_by, row["key"] or "", column)] = as_value(row[column])
    countries: dict[str, list[Decimal]] = {}
    for row in report(group_by="postal_area")["rows"]:
        key = row["key"] or ""
        if key.startswith("FR-") and key != "FR-97":
            expected[("postal_area", key, "orders")] = as_value(row["orders"])
            expected[("postal_area", key, "net_sales")] = as_value(row["net_sales"])
        else:
            area = key if key.startswith("FR-") else key.partition("-")[0]
            countries.setdefault(area, []).append(Decimal(row["net_sales"]))
    for area, amounts in countries.items():
        expected[("other_areas", area, "net_sales")] = sum(amounts, Decimal(0))
    everything = client.get(REPORT, {"group_by": "campaign"})
    if everything.status_code == 200:  # one currency across the campaigns: all of them compared
        for row in everything.json()["rows"]:
            for column in ("guests", "buyers", "net_sales", "return_on_kit"):
                expected[("campaign", row["key"] or "", column)] = as_value(row[column])
    return expected


def mismatches(page: Figures, api: Figures) -> dict[tuple[str, str, str], tuple[Any, Any]]:
    """Every figure of the page that the API gives otherwise (figures the API does not give, such
    as the number of applications, are checked apart)."""
    return {
        where: (value, api[where])
        for where, value in page.items()
        if where in api
        and (value is None) != (api[where] is None)
        or where in api
        and value is not None
        and api[where] is not None
        and value != api[where]
    }
