"""PRV-2: one test (at least) per right, the identity check, the deadline, the audit trail, and bad
input — unknown persons, forged or expired identity links, double submissions, other organisations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail, signing

from interact.core import clock
from interact.core.errors import ServiceError
from interact.privacy import packages, services
from interact.privacy.models import DataSubjectRequest, RequestStatus, Restriction

EMAIL = "anna.peeters@example.test"


@pytest.fixture
def anna(make_visitor, say, make_user, org):
    from interact.conversations import services as conversations

    visitor = make_visitor(first_name="Anna", last_name="Peeters", email=EMAIL, phone="0475 12 34 56")
    say(visitor, "Where is my parcel?")
    agent = make_user(org, role="agent")
    conversations.add_note(visitor, agent, "Called back on Monday")
    return visitor


def _open(org, admin, kind, identifier=EMAIL, identifier_kind="email", **kwargs):
    req = services.register_request(org, admin, kind=kind, identifier_kind=identifier_kind, identifier=identifier,
                                    **kwargs)
    return services.verify_identity(req, admin, "registered_email")


# --- intake and identity ---------------------------------------------------------------------------

def test_prv2_intake_records_the_request_without_starting_the_clock(org, admin, anna):
    req = services.register_request(org, admin, kind="access", identifier_kind="email",
                                    identifier=" Anna.Peeters@Example.test ")
    assert req.status == RequestStatus.AWAITING_IDENTITY and req.due_at is None
    assert req.identifier == EMAIL and req.visitor_ids == []  # nobody looked up before the identity check
    assert list(req.steps.values_list("action", "actor_id")) == [("received", admin.pk)]


def test_prv2_the_identity_check_starts_the_30_days_and_finds_the_person(org, admin, anna):
    at = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(at):
        req = _open(org, admin, "access")
    assert req.status == RequestStatus.IN_PROGRESS
    assert req.information_complete_at == at and req.due_at == at + dt.timedelta(days=30)
    assert req.visitor_ids == [anna.pk]
    step = req.steps.get(action="identity_checked")
    assert step.actor_id == admin.pk and step.detail["method"] == "registered_email"


def test_prv2_a_phone_number_finds_the_person_whatever_its_format(org, admin, anna):
    req = _open(org, admin, "access", identifier="+32 475 12 34 56", identifier_kind="phone")
    assert req.visitor_ids == [anna.pk]


def test_prv2_the_person_confirms_through_the_identity_link(org, admin, anna, client,
                                                           django_capture_on_commit_callbacks):
    req = services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        url = services.identity_link(req, admin, "https://portal.example")
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body and mail.outbox[0].to == [EMAIL]
    path = url.replace("https://portal.example", "")
    page = client.get(path)
    assert page.status_code == 200 and "Anna" not in page.content.decode()
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    req.refresh_from_db()
    assert req.status == RequestStatus.IN_PROGRESS and req.identity_method == "identity_link"
    assert req.steps.get(action="identity_checked").actor_kind == "person"
    # Used once: the same link now says only that it is not valid.
    again = client.post(path)
    assert again.status_code == 400 and "not valid" in again.content.decode()


@pytest.mark.parametrize("case", ["forged", "expired", "other_nonce", "garbage"])
def test_prv2_forged_and_expired_links_reveal_nothing(org, admin, anna, client, case):
    from unittest import mock

    req = services.register_request(org, admin, kind="erasure", identifier_kind="email", identifier=EMAIL)
    if case == "expired":
        with mock.patch("django.core.signing.time.time", return_value=clock.now().timestamp() - 8 * 86400):
            url = services.identity_link(req, admin, "http://testserver")
    else:
        url = services.identity_link(req, admin, "http://testserver")
    token = url.rstrip("/").rsplit("/", 1)[1]
    if case == "forged":
        token = signing.TimestampSigner(salt="other").sign_object({"r": req.pk, "n": "x"})
    elif case == "other_nonce":
        token = signing.TimestampSigner(salt="interact.privacy.identity-link").sign_object({"r": req.pk, "n": "0" * 32})
    elif case == "garbage":
        token = "x" * 40
    answer = client.post(f"/privacy/verify/{token}/")
    body = answer.content.decode()
    assert answer.status_code == 400 and "not valid or has expired" in body
    assert "Anna" not in body and EMAIL not in body
    req.refresh_from_db()
    assert req.status == RequestStatus.AWAITING_IDENTITY


def test_prv2_double_submission_and_twin_requests_are_refused(org, admin):
    services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL,
                              submission_key="form-0123456789")
    with pytest.raises(ServiceError) as dup:
        services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL,
                                  submission_key="form-0123456789")
    assert dup.value.code == "duplicate_submission" and dup.value.status == 409
    with pytest.raises(ServiceError) as twin:
        services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL.upper())
    assert twin.value.code == "request_already_open"
    assert DataSubjectRequest.objects.count() == 1


@pytest.mark.parametrize(("kind", "identifier_kind", "identifier", "code"), [
    ("access", "email", "not-an-address", "invalid_identifier"),
    ("access", "phone", "12", "invalid_identifier"),
    ("access", "visitor_id", "12abc", "invalid_identifier"),
    ("forget-me", "email", EMAIL, "invalid_kind"),
    ("access", "passport", "X1", "invalid_identifier_kind"),
    ("access", "channel_identity", "psid-1", "invalid_channel"),
])
def test_prv2_bad_input_gets_a_clear_error(org, admin, kind, identifier_kind, identifier, code):
    with pytest.raises(ServiceError) as refused:
        services.register_request(org, admin, kind=kind, identifier_kind=identifier_kind, identifier=identifier)
    assert refused.value.code == code and refused.value.field


def test_prv2_a_channel_of_another_organisation_is_refused_like_an_unknown_one(org, admin, other_org):
    from interact.connectors.models import Channel

    theirs = Channel.objects.create(organisation=other_org, kind="webchat", name="Theirs")
    with pytest.raises(ServiceError) as refused:
        services.register_request(org, admin, kind="access", identifier_kind="channel_identity", identifier="abc",
                                  channel_id=theirs.pk)
    assert refused.value.code == "invalid_channel"


def test_prv2_only_privacy_managers_handle_requests(org, make_user):
    agent = make_user(org, role="agent")
    with pytest.raises(ServiceError) as refused:
        services.register_request(org, agent, kind="access", identifier_kind="email", identifier=EMAIL)
    assert refused.value.status == 403


def test_prv2_fulfilment_waits_for_the_identity_check(org, admin, anna):
    req = services.register_request(org, admin, kind="erasure", identifier_kind="email", identifier=EMAIL)
    with pytest.raises(ServiceError) as refused:
        services.fulfil(req, admin)
    assert refused.value.code == "identity_not_checked"
    anna.refresh_from_db()
    assert anna.first_name == "Anna"


# --- deadline ----------------------------------------------------------------------------------------

def test_prv2_extension_once_with_notice_before_day_30(org, admin, anna, django_capture_on_commit_callbacks):
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        req = _open(org, admin, "access")
    with clock.frozen(start + dt.timedelta(days=29, hours=23)), django_capture_on_commit_callbacks(execute=True):
        req = services.extend_deadline(req, admin, 45, "Many requests this month")
    assert req.final_due_at == start + dt.timedelta(days=75)
    assert "more time" in mail.outbox[-1].subject.lower() and mail.outbox[-1].to == [EMAIL]
    assert req.steps.get(action="deadline_extended").detail["days"] == 45
    with pytest.raises(ServiceError) as twice:
        services.extend_deadline(req, admin, 10, "Again")
    assert twice.value.code == "already_extended"


def test_prv2_no_extension_after_the_initial_deadline(org, admin, anna):
    start = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        req = _open(org, admin, "access")
    with clock.frozen(start + dt.timedelta(days=30)), pytest.raises(ServiceError) as late:
        services.extend_deadline(req, admin, 10, "Too late")
    assert late.value.code == "notice_too_late"


# --- the rights --------------------------------------------------------------------------------------

def test_prv2_access_package_has_everything_with_purpose_origin_and_recipients(org, admin, anna):
    req = services.fulfil(_open(org, admin, "access"), admin)
    assert req.status == RequestStatus.COMPLETED and req.package_at
    data = json.loads(packages.file_of(req, "package.json").read_text())
    sections = {s["data"]: s for s in data["sections"]}
    profile = sections["conversations.Visitor"]
    assert profile["rows"][0]["first_name"] == "Anna" and profile["rows"][0]["email"] == EMAIL
    assert profile["purpose"] and profile["origin"] and profile["recipients"]
    assert sections["conversations.Message"]["rows"][0]["body"] == "Where is my parcel?"
    assert sections["conversations.VisitorNote"]["rows"][0]["body"] == "Called back on Monday"
    html = packages.file_of(req, "summary.html").read_text()
    assert "Where is my parcel?" in html and "Why it is processed" in html


def test_prv2_access_for_an_unknown_person_says_no_data_is_held(org, admin, anna):
    req = services.fulfil(_open(org, admin, "access", identifier="nobody@example.test"), admin)
    data = json.loads(packages.file_of(req, "package.json").read_text())
    assert data["found"] is False and all(not s["rows"] for s in data["sections"])
    assert "holds no data" in req.outcome


def test_prv2_portability_gives_only_what_the_person_supplied(org, admin, anna, make_user):
    from interact.conversations import services as conversations

    conv = anna.conversations.get()
    agent = make_user(org, role="agent")
    conversations.take(conv, agent)
    conversations.send_reply(conv, agent, "Tomorrow")
    req = services.fulfil(_open(org, admin, "portability"), admin)
    data = json.loads(packages.file_of(req, "package.json").read_text())
    sections = {s["data"]: s for s in data["sections"]}
    assert [r["body"] for r in sections["conversations.Message"]["rows"]] == ["Where is my parcel?"]
    assert sections["conversations.VisitorNote"]["rows"] == []  # written by end users, not supplied
    assert "attributes" not in sections["conversations.Visitor"]["rows"][0]
    assert packages.file_of(req, "summary.html") is None


def test_prv2_rectification_corrects_the_profile(org, admin, anna):
    req = services.fulfil(_open(org, admin, "rectification"), admin,
                          changes={"last_name": "Peeters-Janssens", "birth_date": "1985-02-01"})
    anna.refresh_from_db()
    assert anna.last_name == "Peeters-Janssens" and anna.birth_date == dt.date(1985, 2, 1)
    assert req.steps.get(action="completed").detail["fields"] == ["birth_date", "last_name"]


def test_prv2_rectification_refuses_bad_values_and_changes_nothing(org, admin, anna):
    req = _open(org, admin, "rectification")
    for changes, code in (({"email": "nope"}, "invalid_email"), ({"password": "x"}, "unknown_field"),
                          ({"birth_date": "2999-01-01"}, "invalid_birth_date"), ({}, "changes_required")):
        with pytest.raises(ServiceError) as refused:
            services.fulfil(req, admin, changes=changes)
        assert refused.value.code == code
    anna.refresh_from_db()
    assert anna.email == EMAIL


def test_prv2_erasure_anonymises_the_person(org, admin, anna):
    req = services.fulfil(_open(org, admin, "erasure"), admin)
    anna.refresh_from_db()
    assert (anna.first_name, anna.email, anna.phone) == ("", "", "") and anna.external_id.startswith("erased-")
    assert anna.conversations.get().messages.get().body == ""
    assert req.identifier == "" and "Erased: 1 profile(s)" in req.outcome


def test_prv2_restriction_stops_automated_processing(org, admin, anna):
    from interact.bots.models import BotPause

    services.fulfil(_open(org, admin, "restriction"), admin)
    assert Restriction.objects.get(visitor_id=anna.pk).kind == "restriction"
    assert BotPause.objects.filter(visitor=anna).exists()


def test_prv2_objection_withdraws_consents_and_stops_the_bot(org, admin, anna):
    from interact.privacy import consent

    subject = consent.subject_of(org, "email", EMAIL)
    consent.record(org, subject, purpose="marketing.email", channel="webchat", action="given", at=None,
                   source="widget", wording_version="v1", collector=admin)
    req = services.fulfil(_open(org, admin, "objection"), admin)
    assert not consent.has_consent(org, subject, "marketing.email")
    assert "1 consent(s) withdrawn" in req.outcome


def test_prv2_a_closed_request_cannot_be_fulfilled_again(org, admin, anna):
    req = services.fulfil(_open(org, admin, "access"), admin)
    with pytest.raises(ServiceError) as refused:
        services.fulfil(req, admin)
    assert refused.value.code == "request_closed"


def test_prv2_refusal_is_recorded_with_its_reason(org, admin):
    req = services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL)
    req = services.refuse(req, admin, "Identity could not be confirmed")
    assert req.status == RequestStatus.REFUSED and req.steps.get(action="refused").actor_id == admin.pk
