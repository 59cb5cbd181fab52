"""PRV-2..6 through the portal and the API: per role, across organisations, with machine-readable errors."""

from __future__ import annotations

import json

import pytest

from interact.privacy.models import AccessLogEntry, DataSubjectRequest

EMAIL = "marie.dubois@example.test"


@pytest.fixture
def marie(make_visitor, say):
    visitor = make_visitor(first_name="Marie", email=EMAIL)
    say(visitor, "Bonjour, ma commande?")
    return visitor


def test_prv2_portal_intake_to_package_download(org, admin, login, marie):
    client = login(admin)
    page = client.get("/portal/privacy/requests/")
    assert page.status_code == 200
    key = page.context["form"].initial["submission_key"]
    data = {"kind": "access", "identifier_kind": "email", "identifier": EMAIL, "submission_key": key, "notes": ""}
    created = client.post("/portal/privacy/requests/", data)
    assert created.status_code == 302
    again = client.post("/portal/privacy/requests/", data)  # the same form sent twice
    assert again.status_code == 400 and "already registered" in again.content.decode()
    req = DataSubjectRequest.objects.get()
    detail = f"/portal/privacy/requests/{req.pk}/"
    assert client.post(detail, {"action": "fulfil"}).status_code == 400  # identity first
    client.post(detail, {"action": "verify", "method": "registered_email"})
    assert client.post(detail, {"action": "fulfil"}).status_code == 302
    page = client.get(detail).content.decode()
    assert "Readable summary" in page and "Identity checked" in page  # the step, in words
    download = client.get(f"/portal/privacy/requests/{req.pk}/files/summary.html")
    assert download.status_code == 200 and b"Bonjour, ma commande?" in b"".join(download.streaming_content)
    assert AccessLogEntry.objects.filter(kind="package", object_id=req.pk, actor=admin).exists()
    assert client.get(f"/portal/privacy/requests/{req.pk}/files/../../secret").status_code == 404


@pytest.mark.parametrize("role", ["agent", "supervisor", "analyst"])
def test_prv2_only_administrators_and_the_access_owner_reach_the_privacy_centre(org, make_user, login, role):
    client = login(make_user(org, role=role))
    for url in ("/portal/privacy/", "/portal/privacy/requests/", "/portal/privacy/consents/",
                "/portal/privacy/retention/", "/portal/privacy/access-log/"):
        assert client.get(url).status_code == 403, url


def test_prv2_api_request_lifecycle(org, admin, api_client, marie):
    client = api_client(admin)
    created = client.post("/api/privacy/requests", json.dumps(
        {"kind": "erasure", "identifier_kind": "email", "identifier": EMAIL, "submission_key": "k-0000000001"}),
        content_type="application/json")
    assert created.status_code == 201 and created.json()["due_at"] is None
    rid = created.json()["id"]
    dup = client.post("/api/privacy/requests", json.dumps(
        {"kind": "erasure", "identifier_kind": "email", "identifier": EMAIL, "submission_key": "k-0000000001"}),
        content_type="application/json")
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate_submission"
    early = client.post(f"/api/privacy/requests/{rid}/fulfil", "{}", content_type="application/json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "identity_not_checked"
    checked = client.post(f"/api/privacy/requests/{rid}/identity", json.dumps({"method": "id_document"}),
                          content_type="application/json")
    assert checked.status_code == 200 and checked.json()["due_at"]
    done = client.post(f"/api/privacy/requests/{rid}/fulfil", "{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    marie.refresh_from_db()
    assert marie.first_name == ""
    steps = client.get(f"/api/privacy/requests/{rid}").json()["steps"]
    assert [s["action"] for s in steps] == ["received", "identity_checked", "completed"]
    assert all(s["actor_id"] == admin.pk for s in steps)


def test_prv2_api_access_package(org, admin, api_client, marie):
    client = api_client(admin)
    rid = client.post("/api/privacy/requests", json.dumps(
        {"kind": "portability", "identifier_kind": "visitor_id", "identifier": str(marie.pk)}),
        content_type="application/json").json()["id"]
    client.post(f"/api/privacy/requests/{rid}/identity", json.dumps({"method": "verified_channel"}),
                content_type="application/json")
    client.post(f"/api/privacy/requests/{rid}/fulfil", "{}", content_type="application/json")
    package = client.get(f"/api/privacy/requests/{rid}/package").json()
    assert package["format"] == "interact.privacy.package" and package["kind"] == "portability"


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"kind": "access", "identifier_kind": "email", "identifier": "nope"}, 400, "invalid_identifier"),
    ({"kind": "teleport", "identifier_kind": "email", "identifier": EMAIL}, 400, "invalid_kind"),
    ({"kind": "access", "identifier_kind": "email"}, 422, "validation_error"),
])
def test_prv2_api_bad_input(org, admin, api_client, payload, status, code):
    answer = api_client(admin).post("/api/privacy/requests", json.dumps(payload), content_type="application/json")
    assert answer.status_code == status and answer.json()["error"]["code"] == code


def test_prv2_another_organisations_request_is_not_found_and_reveals_nothing(org, admin, other_org, api_client,
                                                                           make_user, marie):
    from interact.privacy import services

    req = services.register_request(org, admin, kind="access", identifier_kind="email", identifier=EMAIL)
    theirs = make_user(other_org, role="administrator")
    for method, url in (("get", f"/api/privacy/requests/{req.pk}"),
                        ("post", f"/api/privacy/requests/{req.pk}/identity"),
                        ("post", f"/api/privacy/requests/{req.pk}/fulfil")):
        client = api_client(theirs)
        answer = client.get(url) if method == "get" else client.post(
            url, json.dumps({"method": "id_document"}), content_type="application/json")
        assert answer.status_code == 404 and EMAIL not in answer.content.decode()
    # The other organisation registering a request about the same person learns nothing either.
    created = api_client(theirs).post("/api/privacy/requests", json.dumps(
        {"kind": "access", "identifier_kind": "email", "identifier": EMAIL}), content_type="application/json")
    assert created.status_code == 201
    rid = created.json()["id"]
    api_client(theirs).post(f"/api/privacy/requests/{rid}/identity", json.dumps({"method": "id_document"}),
                            content_type="application/json")
    done = api_client(theirs).post(f"/api/privacy/requests/{rid}/fulfil", "{}", content_type="application/json")
    assert "no data" in done.json()["outcome"]


def test_prv2_agents_are_refused_by_the_api(org, make_user, api_client):
    answer = api_client(make_user(org, role="agent")).get("/api/privacy/requests")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_prv4_api_consent_and_state(org, admin, api_client):
    client = api_client(admin)
    given = client.post("/api/privacy/consents", json.dumps({
        "identifier_kind": "email", "identifier": EMAIL, "purpose": "marketing.sms", "channel": "webchat",
        "action": "given", "source": "chat", "wording_version": "v1"}), content_type="application/json")
    assert given.status_code == 201
    state = client.get("/api/privacy/consents/state", {"identifier_kind": "email", "identifier": EMAIL,
                                                       "purpose": "marketing.sms"}).json()
    assert state["given"] is True
    bad = client.post("/api/privacy/consents", json.dumps({
        "identifier_kind": "email", "identifier": EMAIL, "purpose": "marketing.sms", "channel": "webchat",
        "action": "withdrawn", "at": "2000-01-01T00:00:00Z", "source": "x", "wording_version": "v1"}),
        content_type="application/json")
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "not_given"


def test_prv4_portal_consent_page_records_and_reconstructs(org, admin, login):
    client = login(admin)
    answer = client.post("/portal/privacy/consents/", {
        "identifier_kind": "email", "identifier": EMAIL, "purpose": "newsletter", "action": "given",
        "channel": "web_form", "source": "footer form", "wording_version": "2025-01"})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "newsletter" in page and "footer form" in page and "given" in page


def test_prv5_api_retention(org, admin, api_client):
    client = api_client(admin)
    assert {c["code"] for c in client.get("/api/privacy/retention").json()["catalogue"]} >= {"content", "transcript"}
    updated = client.put("/api/privacy/retention", json.dumps({"transcript_retention_days": 90}),
                         content_type="application/json")
    assert updated.json()["transcript_retention_days"] == 90
    refused = client.put("/api/privacy/retention", json.dumps({"transcript_retention_days": 0}),
                         content_type="application/json")
    assert refused.status_code == 422


def test_prv3_holds_through_the_api_stay_in_the_organisation(org, admin, other_org, api_client, make_user, marie):
    client = api_client(admin)
    hold = client.post("/api/privacy/holds", json.dumps({"visitor_id": marie.pk, "reason": "Dispute"}),
                       content_type="application/json")
    assert hold.status_code == 201
    theirs = api_client(make_user(other_org, role="administrator"))
    assert theirs.post(f"/api/privacy/holds/{hold.json()['id']}/release").status_code == 404
    placed = theirs.post("/api/privacy/holds", json.dumps({"visitor_id": marie.pk, "reason": "x"}),
                         content_type="application/json")
    assert placed.status_code == 404 and placed.json()["error"]["code"] == "unknown_visitor"


def test_prv6_api_access_log_for_administrators(org, admin, api_client, make_user, marie):
    client = api_client(admin)
    client.get(f"/api/visitors/{marie.pk}")
    rows = client.get("/api/privacy/access-log").json()
    assert rows[0]["kind"] == "visitor" and rows[0]["visitor_id"] == marie.pk
    assert api_client(make_user(org, role="supervisor")).get("/api/privacy/access-log").status_code == 403
