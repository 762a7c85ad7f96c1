"""CSV files open safely in a spreadsheet (issue 15, item 7; OWASP "CSV injection"): a cell that a
spreadsheet would read as a formula starts with `'`, in every CSV the project writes; amounts stay
numbers, negative ones included."""

import csv
import io
from decimal import Decimal

import pytest

from backend.csv_export import csv_writer, spreadsheet_safe
from referrals.payouts.services import bank_export_csv, bank_payouts_to_export, run_payouts
from referrals.reports.api import AttributionReportApi
from referrals.reports.filters import ReportFilters
from referrals.reports.query import Report, ReportRow
from referrals.rewards.services import adjust_rewards
from tests.referrals.test_rewards_api import host_with_plan

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")', "-", "+"]
PLAIN = ["Clara", "", "12.50", "-12.50", "+12", "-3", "0", "2026-01-01", "a=b", " =1", "é"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_starts_with_a_quote(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_text_and_plain_numbers_are_written_as_they_are(value):
    assert spreadsheet_safe(value) == value


def test_numbers_given_as_numbers_are_untouched():
    assert spreadsheet_safe(Decimal("-12.50")) == Decimal("-12.50")
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe(None) is None


def test_the_writer_escapes_every_cell_of_every_row():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["=1+1", "-12.50"])
    writer.writerows([["@me", "ok"]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=1+1", "-12.50"], ["'@me", "ok"]]


@pytest.mark.django_db
def test_the_bank_export_escapes_a_hosts_name_and_keeps_the_amount_a_number(settings):
    # given a host whose name is a formula, owed 30.00, and no Stripe: a bank transfer waits
    settings.STRIPE_SECRET_KEY = ""
    host = host_with_plan()
    host.first_name, host.last_name = '=HYPERLINK("http://evil.example","Click")', "@SUM(1+1)"
    host.save(update_fields=["first_name", "last_name"])
    adjust_rewards(host=host, amount=Decimal("30"), reason="great party", by=None)
    run_payouts()

    # when finance exports the transfers
    [row] = list(csv.DictReader(io.StringIO(bank_export_csv(bank_payouts_to_export()))))

    # then the name is text and the amount a number
    assert row["first_name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["last_name"] == "'@SUM(1+1)"
    assert row["amount"] == "30.00"


def test_the_report_csv_escapes_labels_and_keeps_negative_amounts_numbers():
    # given a report row labelled with a formula, whose refunds exceed its sales
    row = ReportRow(
        key=7, label="-2+3+cmd|' /C calc'!A0", gross_sales=Decimal("0"), net_sales=Decimal("-12.50")
    )
    report = Report(group_by="host", currency="EUR", filters=ReportFilters(), rows=[row])

    # when the report is streamed as CSV
    response = AttributionReportApi()._stream_csv(report)
    text = b"".join(response.streaming_content).decode()

    # then the label is text and the net sales a negative number
    [record, _totals] = list(csv.DictReader(io.StringIO(text)))
    assert record["label"] == "'-2+3+cmd|' /C calc'!A0"
    assert record["net_sales"] == "-12.50"
