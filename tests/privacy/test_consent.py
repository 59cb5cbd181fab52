"""PRV-4: append-only consent records; withdrawal effective at once; state at any past date; proof kept
for the consent's duration + 5 years, then purged."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interact.core import clock
from interact.core.errors import ServiceError
from interact.privacy import consent, retention
from interact.privacy.models import ConsentRecord

T0 = dt.datetime(2024, 1, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def subject(org):
    return consent.subject_of(org, "email", "jan@example.test")


def _give(org, subject, admin, at, **kw):
    return consent.record(org, subject, purpose=kw.pop("purpose", "marketing.email"), channel="webchat",
                          action="given", at=at, source="chat checkbox", wording_version="v2", collector=admin, **kw)


def test_prv4_a_record_holds_person_purpose_channel_time_source_wording_and_collector(org, admin, subject):
    row = _give(org, subject, admin, T0)
    assert (row.purpose, row.channel, row.at, row.source, row.wording_version, row.collector_id) == (
        "marketing.email", "webchat", T0, "chat checkbox", "v2", admin.pk)
    assert "jan@example.test" not in repr(ConsentRecord.objects.values_list().get(pk=row.pk))


def test_prv4_records_are_append_only(org, admin, subject):
    row = _give(org, subject, admin, T0)
    row.purpose = "other"
    with pytest.raises(ValueError):
        row.save()


def test_prv4_withdrawal_takes_effect_at_once_and_the_past_is_reconstructed(org, admin, subject):
    with clock.frozen(T0 + dt.timedelta(days=100)):
        _give(org, subject, admin, T0)
        assert consent.has_consent(org, subject, "marketing.email")
        consent.record(org, subject, purpose="marketing.email", channel="email", action="withdrawn", at=None,
                       source="unsubscribe link", wording_version="v2", collector=None, collector_kind="person")
        assert not consent.has_consent(org, subject, "marketing.email")
    assert consent.state_at(org, subject, "marketing.email", T0 - dt.timedelta(seconds=1)).given is False
    assert consent.state_at(org, subject, "marketing.email", T0 + dt.timedelta(days=50)).given is True
    assert consent.state_at(org, subject, "marketing.email", T0 + dt.timedelta(days=101)).given is False


def test_prv4_a_consent_with_a_duration_expires(org, admin, subject):
    _give(org, subject, admin, T0, duration_days=30)
    assert consent.state_at(org, subject, "marketing.email", T0 + dt.timedelta(days=29)).given
    assert not consent.state_at(org, subject, "marketing.email", T0 + dt.timedelta(days=30)).given


@pytest.mark.parametrize(("field", "value", "code"), [
    ("purpose", "Bad Purpose!", "invalid_purpose"), ("channel", "carrier-pigeon", "invalid_channel"),
    ("action", "maybe", "invalid_action"), ("source", "", "invalid_source"),
])
def test_prv4_bad_input_is_refused(org, admin, subject, field, value, code):
    data = {"purpose": "marketing.email", "channel": "webchat", "action": "given", "at": T0, "source": "x",
            "wording_version": "v1", "collector": admin, field: value}
    with pytest.raises(ServiceError) as refused:
        consent.record(org, subject, **data)
    assert refused.value.code == code


def test_prv4_withdrawing_what_was_never_given_is_refused(org, admin, subject):
    with pytest.raises(ServiceError) as refused:
        consent.record(org, subject, purpose="marketing.email", channel="webchat", action="withdrawn", at=T0,
                       source="x", wording_version="v1", collector=admin)
    assert refused.value.code == "not_given"


def test_prv4_consent_of_another_organisation_is_separate(org, other_org, admin, subject):
    _give(org, subject, admin, T0)
    theirs = consent.subject_of(other_org, "email", "jan@example.test")
    assert not consent.has_consent(other_org, theirs, "marketing.email")


def test_prv4_proof_is_kept_for_the_duration_plus_5_years_then_purged(org, admin, subject):
    with clock.frozen(T0 + dt.timedelta(days=10)):
        _give(org, subject, admin, T0, duration_days=365)
    ends = T0 + dt.timedelta(days=365)
    retention.run_daily_purge(ends.replace(year=ends.year + 5) - dt.timedelta(days=1))
    assert ConsentRecord.objects.filter(organisation=org).count() == 1
    retention.run_daily_purge(ends.replace(year=ends.year + 5) + dt.timedelta(days=1))
    assert ConsentRecord.objects.filter(organisation=org).count() == 0


def test_prv4_a_consent_in_force_is_never_purged(org, admin, subject):
    _give(org, subject, admin, T0)
    retention.run_daily_purge(T0.replace(year=T0.year + 20))
    assert ConsentRecord.objects.filter(organisation=org).count() == 1


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=1000), st.booleans()), min_size=1, max_size=8))
def test_prv4_the_state_at_any_date_is_the_last_record_before_it(org, admin, events):
    subject = consent.subject_of(org, "email", f"p{abs(hash(tuple(events)))}@example.test")
    applied = []
    for day, give in sorted(events):
        at = T0 + dt.timedelta(days=day)
        currently = consent.state_at(org, subject, "p.x", at).given
        if give or currently:
            consent.record(org, subject, purpose="p.x", channel="webchat", action="given" if give else "withdrawn",
                           at=at, source="s", wording_version="v", collector=admin)
            applied.append((day, give))
    for probe in range(0, 1001, 97):
        expected = next((give for day, give in reversed(applied) if day <= probe), False)
        assert consent.state_at(org, subject, "p.x", T0 + dt.timedelta(days=probe)).given is expected
