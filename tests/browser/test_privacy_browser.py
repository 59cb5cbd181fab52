"""Browser walk of a data-subject request from intake to the delivered package (PRV-2, PRV-6):
the Administrator registers an access request, sends the identity link, the person confirms it in
their own browser, the Administrator generates the package and downloads the readable summary."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
EMAIL = "sofie.maes@example.test"


@pytest.fixture
def sofie(org, settings, tmp_path):
    from interact.connectors import webchat
    from interact.connectors.models import Channel
    from interact.conversations.models import Conversation, Message
    from interact.core import clock

    settings.PRIVACY_DIR = tmp_path / "privacy"
    channel = Channel.objects.create(organisation=org, kind="webchat", name="Site")
    visitor = webchat.visitor_for(channel, webchat.identify(channel))
    visitor.first_name, visitor.last_name, visitor.email = "Sofie", "Maes", EMAIL
    visitor.save()
    # Stored directly: the conversation engine broadcasts after commit, and Playwright's loop owns this thread.
    now = clock.now()
    conv = Conversation.objects.create(organisation=org, channel=channel, visitor=visitor, status="ended",
                                       created_at=now, queued_at=now, last_message_at=now, ended_at=now)
    Message.objects.create(organisation=org, channel=channel, conversation=conv, sender="visitor",
                           body="Is my warranty still valid?", created_at=now)
    return visitor


def test_prv2_request_from_intake_to_delivered_package(page, sofie, admin, sign_in, shot, browser):
    sign_in(page, admin.email)
    page.click("nav.side >> text=Privacy")
    page.click("[data-testid=privacy-tabs] >> text=Requests")
    page.select_option("select[name=kind]", "access")
    page.select_option("select[name=identifier_kind]", "email")
    page.fill("input[name=identifier]", EMAIL)
    page.click("[data-testid=request-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/privacy/requests/\d+/$"))
    assert "Awaiting identity check" in page.text_content("[data-testid=status]")
    assert "starts after the identity check" in page.text_content("[data-testid=deadline]")
    shot(page, "privacy-request-registered")

    page.click("text=Send an identity link to the person")
    link = page.text_content("[data-testid=identity-link] code").strip()
    assert "/privacy/verify/" in link

    person = browser.new_context(locale="fr-BE").new_page()
    person.goto(link)
    assert "Sofie" not in person.content()
    person.click("[data-testid=confirm]")
    person.wait_for_selector("[data-testid=verified]")
    shot(person, "privacy-identity-confirmed")
    person.context.close()

    page.reload()
    assert "In progress" in page.text_content("[data-testid=status]")
    assert "days left" in page.text_content("[data-testid=deadline]")
    page.click("[data-testid=fulfil-form] button[type=submit]")
    page.wait_for_selector("[data-testid=outcome]")
    assert "Completed" in page.text_content("[data-testid=status]")
    assert "the person (identity link)" in page.text_content("[data-testid=audit]")
    shot(page, "privacy-request-completed")
    with page.expect_download() as download_info:
        page.click("text=Readable summary (HTML)")
    summary = open(download_info.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "Is my warranty still valid?" in summary and "Why it is processed" in summary

    page.click("[data-testid=privacy-tabs] >> text=Access log")
    assert "Data-subject package" in page.text_content("[data-testid=access-log]")
    shot(page, "privacy-access-log")
