"""ADM-6: office hours, closure days and Belgian public holidays, page, API and selector."""

from __future__ import annotations

import datetime as dt
import json

import holidays
import pytest
from django.utils import translation

from interact.admin_portal import selectors, services
from interact.admin_portal.models import ClosureDay, OfficeHoursPeriod
from interact.core.calendar import BRUSSELS
from interact.core.errors import Conflict, ServiceError

pytestmark = pytest.mark.django_db
T = dt.time
BE_2025 = len(holidays.country_holidays("BE", years=2025))  # 12, Easter and Whit Sunday included


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


# --- services and selector -------------------------------------------------------------------------


def test_adm6_overlap_refused_including_overnight_and_week_wrap(org):
    services.add_period(org, 0, T(9), T(12))
    services.add_period(org, 0, T(13), T(17))  # several periods a day
    services.add_period(org, 0, T(12), T(13))  # touching is not overlapping
    with pytest.raises(Conflict) as exc:
        services.add_period(org, 0, T(16), T(18))
    assert exc.value.code == "period_overlap" and "Monday" in exc.value.message
    services.add_period(org, 6, T(22), T(2))  # Sunday night into Monday
    with pytest.raises(Conflict):
        services.add_period(org, 0, T(1), T(3))  # Monday 01:00 is inside Sunday night
    with pytest.raises(Conflict):
        services.add_period(org, 6, T(21), T(23))
    with pytest.raises(ServiceError) as empty:
        services.add_period(org, 2, T(9), T(9))
    assert empty.value.code == "empty_period"


def test_adm6_is_open_now_selector(org, other_org):
    services.add_period(org, 4, T(22), T(2))  # Friday night
    saturday_one = dt.datetime(2025, 3, 8, 1, 0, tzinfo=BRUSSELS)
    assert selectors.is_open_now(org, saturday_one)
    assert not selectors.is_open_now(other_org, saturday_one)
    services.add_closure(org, dt.date(2025, 3, 8), "Inventory")
    assert not selectors.is_open_now(org, saturday_one)
    assert selectors.next_change(org, dt.datetime(2025, 3, 14, 12, 0, tzinfo=BRUSSELS)) \
        == dt.datetime(2025, 3, 14, 22, 0, tzinfo=BRUSSELS)


def test_adm6_national_day_closed_after_import(org):
    for weekday in range(5):
        services.add_period(org, weekday, T(9), T(17))
    assert selectors.is_open_now(org, dt.datetime(2025, 7, 21, 10, 0, tzinfo=BRUSSELS))
    services.import_belgian_holidays(org, 2025, "fr")
    assert ClosureDay.objects.for_org(org).get(date=dt.date(2025, 7, 21)).label == "Fête nationale"
    assert not selectors.is_open_now(org, dt.datetime(2025, 7, 21, 10, 0, tzinfo=BRUSSELS))


def test_adm6_holiday_import_is_idempotent_and_keeps_manual_days(org):
    services.add_closure(org, dt.date(2025, 12, 25), "Our own Christmas")
    first = services.import_belgian_holidays(org, 2025, "nl")
    assert len(first) == BE_2025 - 1  # Christmas was already closed
    assert services.import_belgian_holidays(org, 2025, "nl") == []
    rows = ClosureDay.objects.for_org(org)
    assert rows.count() == BE_2025
    assert rows.get(date=dt.date(2025, 12, 25)).label == "Our own Christmas"
    assert rows.get(date=dt.date(2025, 1, 1)).label == "Nieuwjaar"
    assert rows.get(date=dt.date(2025, 1, 1)).source == "holidays"


@pytest.mark.parametrize("ui, label", [("en", "New Year's Day"), ("en-us", "New Year's Day"), ("fr", "Nouvel An"),
                                       ("nl", "Nieuwjaar"), (None, "New Year's Day")])
def test_adm6_holiday_names_follow_the_ui_language(org, ui, label):
    services.import_belgian_holidays(org, 2026, ui)
    assert ClosureDay.objects.for_org(org).get(date=dt.date(2026, 1, 1)).label == label


@pytest.mark.parametrize("year", [1999, 2101, -5])
def test_adm6_holiday_year_out_of_range(org, year):
    with pytest.raises(ServiceError) as exc:
        services.import_belgian_holidays(org, year)
    assert exc.value.code == "invalid_year"


# --- page ---------------------------------------------------------------------------------------


def test_adm6_page_add_and_delete_periods_and_closures(org, admin, login):
    client = login(admin)
    assert client.get("/portal/office-hours/").status_code == 200
    assert client.post("/portal/office-hours/periods/",
                       {"weekday": "4", "opens": "22:00", "closes": "02:00"}).status_code == 302
    period = OfficeHoursPeriod.objects.for_org(org).get()
    assert (period.weekday, period.opens, period.closes) == (4, T(22), T(2))
    page = client.get("/portal/office-hours/").content.decode()
    assert "22:00–02:00" in page and "(next day)" in page
    overlap = client.post("/portal/office-hours/periods/", {"weekday": "4", "opens": "23:00", "closes": "23:30"})
    assert overlap.status_code == 400 and "overlaps" in overlap.content.decode()
    same = client.post("/portal/office-hours/periods/", {"weekday": "1", "opens": "09:00", "closes": "09:00"})
    assert same.status_code == 400 and "same time" in same.content.decode()
    bad = client.post("/portal/office-hours/periods/", {"weekday": "9", "opens": "25:00", "closes": ""})
    assert bad.status_code == 400
    assert client.post(f"/portal/office-hours/periods/{period.pk}/delete/").status_code == 302
    assert not OfficeHoursPeriod.objects.for_org(org).exists()

    assert client.post("/portal/office-hours/closures/", {"date": "2025-08-01", "label": "Summer"}).status_code == 302
    closure = ClosureDay.objects.for_org(org).get()
    dup = client.post("/portal/office-hours/closures/", {"date": "2025-08-01", "label": "Again"})
    assert dup.status_code == 400 and "already a closure day" in dup.content.decode()
    assert client.post("/portal/office-hours/closures/", {"date": "not a date", "label": ""}).status_code == 400
    assert client.post(f"/portal/office-hours/closures/{closure.pk}/delete/").status_code == 302
    assert not ClosureDay.objects.for_org(org).exists()


def test_adm6_page_import_holidays_in_ui_language(org, admin, login):
    client = login(admin)
    with translation.override("fr"):
        response = client.post("/portal/office-hours/closures/import-holidays/", {"year": "2025"},
                               HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert ClosureDay.objects.for_org(org).get(date=dt.date(2025, 7, 21)).label == "Fête nationale"
    assert client.post("/portal/office-hours/closures/import-holidays/", {"year": "2025"}).status_code == 302
    assert ClosureDay.objects.for_org(org).count() == BE_2025
    assert client.post("/portal/office-hours/closures/import-holidays/", {"year": "1900"}).status_code == 400
    assert client.post("/portal/office-hours/closures/import-holidays/", {"year": "abc"}).status_code == 400


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_adm6_page_forbidden_without_permission(org, make_user, login, role):
    period = services.add_period(org, 0, T(9), T(17))
    client = login(make_user(org, role))
    assert client.get("/portal/office-hours/").status_code == 403
    assert client.post(f"/portal/office-hours/periods/{period.pk}/delete/").status_code == 403
    assert client.post("/portal/office-hours/closures/import-holidays/", {"year": "2025"}).status_code == 403
    assert OfficeHoursPeriod.objects.filter(pk=period.pk).exists()


def test_adm6_page_other_organisation_is_404(other_org, admin, login):
    period = services.add_period(other_org, 0, T(9), T(17))
    closure = services.add_closure(other_org, dt.date(2025, 8, 1), "Theirs")
    client = login(admin)
    assert client.post(f"/portal/office-hours/periods/{period.pk}/delete/").status_code == 404
    assert client.post(f"/portal/office-hours/closures/{closure.pk}/delete/").status_code == 404
    assert OfficeHoursPeriod.objects.filter(pk=period.pk).exists()
    assert ClosureDay.objects.filter(pk=closure.pk).exists()


# --- API ------------------------------------------------------------------------------------------


def test_adm6_api_periods(org, admin, api_client):
    client = api_client(admin)
    created = _post(client, "/api/office-hours/periods", {"weekday": 4, "opens": "22:00", "closes": "02:00"})
    assert created.status_code == 201, created.content
    assert created.json()["overnight"] is True
    overlap = _post(client, "/api/office-hours/periods", {"weekday": 5, "opens": "01:00", "closes": "03:00"})
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "period_overlap"
    empty = _post(client, "/api/office-hours/periods", {"weekday": 1, "opens": "09:00", "closes": "09:00"})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_period"
    for body in ({"weekday": 7, "opens": "09:00", "closes": "10:00"},
                 {"weekday": 1, "opens": "25:00", "closes": "10:00"}, {"weekday": 1}):
        assert _post(client, "/api/office-hours/periods", body).status_code == 422
    assert len(client.get("/api/office-hours/periods").json()) == 1
    assert client.delete(f"/api/office-hours/periods/{created.json()['id']}").status_code == 204
    assert client.get("/api/office-hours/periods").json() == []


def test_adm6_api_closures_and_import(org, admin, api_client):
    client = api_client(admin)
    created = _post(client, "/api/office-hours/closures", {"date": "2025-08-01", "label": "Summer"})
    assert created.status_code == 201 and created.json()["source"] == "manual"
    assert _post(client, "/api/office-hours/closures",
                 {"date": "2025-08-01", "label": "x"}).json()["error"]["code"] == "date_taken"
    assert _post(client, "/api/office-hours/closures", {"date": "2025-02-30", "label": "x"}).status_code == 422
    assert _post(client, "/api/office-hours/closures", {"date": "2025-08-02", "label": ""}).status_code == 422
    imported = _post(client, "/api/office-hours/closures/import-holidays", {"year": 2025})
    assert imported.status_code == 200 and len(imported.json()["added"]) == BE_2025
    assert {c["source"] for c in imported.json()["added"]} == {"holidays"}
    assert _post(client, "/api/office-hours/closures/import-holidays", {"year": 2025}).json() == {"added": []}
    for year in (1999, 2101, "soon"):
        assert _post(client, "/api/office-hours/closures/import-holidays", {"year": year}).status_code == 422
    assert len(client.get("/api/office-hours/closures?year=2025").json()) == BE_2025 + 1
    assert client.get("/api/office-hours/closures?year=99999").status_code == 422
    assert client.delete(f"/api/office-hours/closures/{created.json()['id']}").status_code == 204
    status = client.get("/api/office-hours/status")
    assert status.status_code == 200 and status.json()["open"] is False


def test_adm6_api_forbidden_and_isolated(org, other_org, admin, api_client, make_user):
    period = services.add_period(other_org, 0, T(9), T(17))
    closure = services.add_closure(other_org, dt.date(2025, 8, 1), "Theirs")
    client = api_client(admin)
    assert client.get("/api/office-hours/periods").json() == []
    assert client.get("/api/office-hours/closures").json() == []
    assert client.delete(f"/api/office-hours/periods/{period.pk}").status_code == 404
    assert client.delete(f"/api/office-hours/closures/{closure.pk}").status_code == 404
    agent = api_client(make_user(org, "agent"))
    assert agent.get("/api/office-hours/periods").status_code == 403
    assert _post(agent, "/api/office-hours/closures/import-holidays", {"year": 2025}).status_code == 403
    assert not ClosureDay.objects.for_org(org).exists()
