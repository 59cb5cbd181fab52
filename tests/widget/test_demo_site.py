"""CHN-1: the widget's script is served to any website, and the demo shop embeds it like a client would."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_chn1_widget_script_is_served_as_javascript_to_any_origin(client):
    response = client.get("/static/widget/interact-widget.js", HTTP_ORIGIN="https://shop.example")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"  # a module script from another origin needs CORS
    assert b"import.meta.url" in body and b"attachShadow" in body


def test_chn1_demo_site_embeds_the_chosen_channel_without_login(client, channel):
    response = client.get(f"/demo/site/?channel={channel.public_key}")
    html = response.content.decode()
    assert response.status_code == 200
    assert (f'<script type="module" src="http://testserver/static/widget/interact-widget.js" '
            f'data-channel="{channel.public_key}"></script>') in html
    assert "Demo Company" in html


def test_chn1_demo_site_with_an_unknown_key_is_404(client, channel):
    response = client.get("/demo/site/?channel=nope")
    assert response.status_code == 404 and "No website chat channel has this key." in response.content.decode()


def test_chn1_demo_site_without_demo_data_says_how_to_load_it(client, channel):
    response = client.get("/demo/site/")
    assert response.status_code == 404 and "interact demo" in response.content.decode()


def test_chn1_demo_site_embeds_the_demo_organisations_first_website_chat(client, settings):
    from interact.connectors.models import Channel
    from interact.core import demo

    settings.PRODUCTION = False
    demo.load()
    website = Channel.objects.get(organisation__name=demo.DEMO_ORG, kind="webchat")
    response = client.get("/demo/site/")
    assert response.status_code == 200 and f'data-channel="{website.public_key}"' in response.content.decode()
