"""ADM-8: licensed seats raised or lowered through portal and API, effective from registration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from interact.core import clock


@pytest.mark.django_db
def test_adm8_owner_raises_then_lowers_with_effective_dates(make_org, api_client):
    org = make_org(min_end_users=3)
    c = api_client(org.users.get())
    with clock.frozen(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)):
        up = c.post("/api/seats", {"seats": 8}, content_type="application/json")
    assert up.status_code == 200 and up.json()["effective_date"] == "2026-03-10"
    with clock.frozen(dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)):
        down = c.post("/api/seats", {"seats": 4}, content_type="application/json")
    assert down.json()["previous_seats"] == 8 and down.json()["effective_date"] == "2026-04-02"
    state = c.get("/api/seats").json()
    assert state["seats"] == 4
    # newest registration first; the order form's own line (3, registered today) comes after the frozen dates
    assert [(ch["previous_seats"], ch["new_seats"]) for ch in state["changes"]] == [(0, 3), (8, 4), (3, 8)]


@pytest.mark.django_db
def test_adm8_never_below_contract_minimum_nor_active_end_users(make_org, make_user, api_client):
    org = make_org(min_end_users=3)
    owner = org.users.get()
    c = api_client(owner)
    below = c.post("/api/seats", {"seats": 2}, content_type="application/json")
    assert below.status_code == 400 and below.json()["error"]["code"] == "below_minimum"
    c.post("/api/seats", {"seats": 6}, content_type="application/json")
    for _ in range(4):
        make_user(org)
    in_use = c.post("/api/seats", {"seats": 4}, content_type="application/json")
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "seats_in_use"
    assert c.post("/api/seats", {"seats": -1}, content_type="application/json").status_code == 422


@pytest.mark.django_db
def test_adm8_portal_page_and_permissions(make_org, make_user, login):
    org = make_org(min_end_users=2)
    owner = org.users.get()
    page = login(owner).post(reverse("accounts:seats"), {"seats": 5})
    assert page.status_code == 302
    org.refresh_from_db()
    assert org.seats == 5
    agent = make_user(org)
    assert login(agent).get(reverse("accounts:seats")).status_code == 403


@pytest.mark.django_db
def test_adm8_administrator_without_buyer_profile_sees_but_cannot_change_seats(make_org, make_user, login):
    org = make_org(min_end_users=2)
    other_admin = make_user(org, role="administrator")
    client = login(other_admin)
    assert client.get(reverse("accounts:seats")).status_code == 200
    assert client.post(reverse("accounts:seats"), {"seats": 7}).status_code == 403
    org.refresh_from_db()
    assert org.seats == 2
