"""Issue 3's definition of done, in Debian's Chromium with two people: a visitor on the demo site
writes through the widget, an agent in another browser context sees it arrive live, takes it,
replies; the visitor sees the reply; the agent ends and archives it with a topic; an
Administrator finds it in History (CHN-1, CNV-1, CNV-6, CNV-7, CNV-9)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def company(make_org, make_user, asgi_server):
    from interact.admin_portal.models import OfficeHoursPeriod, Topic
    from interact.connectors.models import Channel, ChannelKind

    org = make_org(plan="pro", options=("sdk",))
    for weekday in range(7):
        OfficeHoursPeriod.objects.create(organisation=org, weekday=weekday, opens=dt.time(0, 0),
                                         closes=dt.time(23, 59))
    channel = Channel.objects.create(organisation=org, kind=ChannelKind.WEBCHAT, name="Shop chat",
                                     allowed_origins=asgi_server)
    Topic.objects.create(organisation=org, name="Product information")
    agent = make_user(org, "agent", first_name="Anna", last_name="Peeters")
    admin = org.users.get(org_profile="access_owner")
    admin.set_password(PASSWORD)
    admin.save()
    return {"channel": channel, "agent": agent, "admin": admin}


def test_visitor_and_agent_chat_end_to_end_then_history(live_page, company, shot, sign_in):
    visitor = live_page
    agent = visitor.new_page()

    sign_in(agent, company["agent"].email)
    agent.goto(agent.base + "/portal/inbox/")
    agent.wait_for_selector("#live-state[data-state=live]")

    visitor.goto(f"{visitor.base}/demo/site/?channel={company['channel'].public_key}")
    visitor.click("button.launcher")
    visitor.fill("textarea", "Hello, is the oak table available in 180 cm?")
    visitor.press("textarea", "Enter")
    visitor.wait_for_selector(".msg.visitor[data-status=sent]")
    visitor.wait_for_selector(".status:has-text('You are number 1 in the queue.')")

    item = agent.wait_for_selector('.conv-item[data-section="queue"]')  # live, no reload
    item.click()
    agent.wait_for_selector("#messages >> text=oak table")
    agent.click("button[data-action=take]")
    visitor.wait_for_selector(".notice:has-text('Anna joined the conversation.')")
    agent.fill("#composer textarea", "Hello! Yes, the 180 cm oak table is in stock.")
    agent.press("#composer textarea", "Enter")
    visitor.wait_for_selector(".msg.agent:has-text('in stock')")
    shot(visitor, "e2e-visitor")
    visitor.fill("textarea", "Perfect, thank you!")
    visitor.press("textarea", "Enter")
    agent.wait_for_selector(".msg-visitor >> text=Perfect, thank you")
    shot(agent, "e2e-agent")

    agent.once("dialog", lambda dialog: dialog.accept())
    agent.click("button[data-action=end]")
    visitor.wait_for_selector(".ended:has-text('This conversation has ended.')")
    agent.check("form.archive-form label:has-text('Product information') input")
    agent.click("button[data-action=archive]")
    agent.wait_for_selector(".chat-closed >> text=Product information")

    boss = visitor.new_page()
    sign_in(boss, company["admin"].email)
    boss.goto(boss.base + "/portal/history/?text=oak")
    rows = boss.locator("#history-rows tr[data-id]")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "Product information" in rows.first.text_content() and "Anna Peeters" in rows.first.text_content()
    shot(boss, "e2e-history")
