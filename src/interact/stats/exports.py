"""CSV export of any dashboard table (STA-3): the table as shown, durations in seconds, with the
period in the file name. Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from .selectors import Filters, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a channel or topic named "=HYPERLINK(…)" stays text
    return value


def csv_response(table: Table, f: Filters) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{table.key}_{f.first.isoformat()}_{f.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel reads UTF-8 accents only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow([str(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    return response
