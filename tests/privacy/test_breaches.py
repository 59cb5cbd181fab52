"""PRV-7: the breach register with the 72-hour timeline (GDPR art. 33) and the notification to the
affected organisations, which acknowledge it and record informing the people (art. 34)."""

from __future__ import annotations

import datetime as dt

import pytest

from interact.core import clock
from interact.core.errors import ServiceError
from interact.privacy import breaches
from interact.privacy.models import BreachNotice

AWARE = dt.datetime(2025, 5, 5, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def staff(db):
    from interact.accounts.models import User

    return User.objects.create_user("ops@operator.test", "pw-123456789!", realm="operator", staff_role="operator_admin",
                                    first_name="Ops", last_name="Admin")


def _breach(staff):
    with clock.frozen(AWARE + dt.timedelta(hours=1)):
        return breaches.record_breach(staff, aware_at=AWARE, description="Backup disk lost in transit",
                                      categories="visitor profiles", approx_subjects=120, high_risk=True)


def test_prv7_the_authority_deadline_is_72_hours_after_awareness(staff):
    breach = _breach(staff)
    assert breaches.authority_deadline(breach.aware_at) == AWARE + dt.timedelta(hours=72)
    assert not breaches.is_late(breach, AWARE + dt.timedelta(hours=72))
    assert breaches.is_late(breach, AWARE + dt.timedelta(hours=72, seconds=1))


def test_prv7_a_late_notification_needs_the_reasons_for_the_delay(staff):
    breach = _breach(staff)
    with clock.frozen(AWARE + dt.timedelta(hours=80)):
        with pytest.raises(ServiceError) as refused:
            breaches.notify_authority(breach, reference="APD-1")
        assert refused.value.code == "late_reason_required"
        breaches.notify_authority(breach, reference="APD-1", late_reason="Forensics took four days")
    assert breaches.is_late(breach, AWARE + dt.timedelta(days=10))


def test_prv7_in_time_notification(staff):
    breach = _breach(staff)
    with clock.frozen(AWARE + dt.timedelta(hours=30)):
        breaches.notify_authority(breach, reference="APD-2")
    assert not breaches.is_late(breach, AWARE + dt.timedelta(days=10))


def test_prv7_awareness_in_the_future_is_refused(staff):
    with pytest.raises(ServiceError):
        breaches.record_breach(staff, aware_at=clock.now() + dt.timedelta(days=1), description="x")


def test_prv7_affected_organisations_see_and_acknowledge_it_others_do_not(staff, org, other_org, admin, login,
                                                                           make_user):
    breach = _breach(staff)
    assert breaches.notify_organisations(breach, [org.pk]) == 1
    assert breaches.notify_organisations(breach, [org.pk]) == 0  # once per organisation
    client = login(admin)
    page = client.get("/portal/privacy/breaches/")
    assert "Backup disk lost in transit" in page.content.decode()
    notice = BreachNotice.objects.get(organisation=org)
    client.post("/portal/privacy/breaches/", {"notice": notice.pk, "subjects_notified": "1", "note": "E-mail"})
    notice.refresh_from_db()
    assert notice.acknowledged_by_id == admin.pk and notice.subjects_notified_at is not None
    other_admin = other_org.users.get(org_profile="access_owner")
    assert "Backup disk" not in login(other_admin).get("/portal/privacy/breaches/").content.decode()
    assert login(other_admin).post("/portal/privacy/breaches/", {"notice": notice.pk}).status_code == 404


def test_prv7_operator_pages_record_and_notify(staff, org, client):
    client.force_login(staff, backend="interact.accounts.backends.LockoutBackend")
    answer = client.post("/operator/privacy/breaches/", {"aware_at": "2025-05-05T08:00",
                                                         "description": "Mail sent to the wrong list"})
    assert answer.status_code == 302
    url = answer["Location"]
    client.post(url, {"action": "organisations", "organisations": [org.pk]})
    assert BreachNotice.objects.filter(organisation=org).exists()
    assert "72 h" in client.get(url).content.decode()


def test_prv7_residency_is_shown_and_configurable(login, admin, monkeypatch):
    monkeypatch.setenv("INTERACT_DATA_RESIDENCY", "EEA — Frankfurt")
    assert "EEA — Frankfurt" in login(admin).get("/portal/privacy/").content.decode()
