"""The two bot protocols, read strictly (BOT-3): what a bot may answer, and the signature example
of docs/bots.md."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interact.bots.protocols import BotFailure, parse_rasa_answer, parse_webhook_answer, signature, verify


def test_bot3_docs_example_signature_is_what_we_compute():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "bots.md").read_text()
    start = text.index("<!-- signature-example -->")
    block = text[start:text.index("<!-- /signature-example -->")]
    secret = block.split("secret: `")[1].split("`")[0]
    timestamp = block.split("X-Interact-Timestamp: ")[1].split()[0]
    body = block.split("body: `")[1].split("`")[0].encode()
    expected = block.split("X-Interact-Signature: ")[1].split()[0]
    assert signature(secret, timestamp, body) == expected


def test_bot3_verify_refuses_old_or_forged_requests():
    body = b"{}"
    sig = signature("k", "1000", body)
    assert verify("k", "1000", sig, body, now=1100)
    assert not verify("k", "1000", sig, body, now=2000), "replayed after 5 minutes"
    assert not verify("other", "1000", sig, body, now=1100)
    assert not verify("k", "1000", sig, b"{ }", now=1100)
    assert not verify("k", None, sig, body, now=1100)


def test_bot3_webhook_answers_that_follow_the_protocol():
    answer = parse_webhook_answer(200, json.dumps({"replies": [{"text": " Hi "}, {"text": "Pick", "buttons": [
        {"title": "A", "payload": "a"}]}], "handover": {"skill": 3}}).encode())
    assert [r.text for r in answer.replies] == ["Hi", "Pick"]
    assert answer.replies[1].meta == {"buttons": [{"title": "A", "payload": "a"}]}
    assert answer.handover.skill == "3"
    assert parse_webhook_answer(204, b"").replies == []
    assert parse_webhook_answer(202, b"whatever").replies == []
    assert parse_webhook_answer(200, b'{"handover": {}}').handover.skill is None
    assert parse_webhook_answer(200, b"{}").replies == []


@pytest.mark.parametrize(("status", "body"), [
    (500, b'{"replies": []}'), (404, b""), (301, b""), (200, b""), (200, b"not json"), (200, b"\xff\xfe"),
    (200, b"[]"), (200, b'"text"'), (200, b'{"replies": {"text": "x"}}'), (200, b'{"replies": [{"text": ""}]}'),
    (200, b'{"replies": [{"text": "   "}]}'), (200, b'{"replies": [{"text": 42}]}'),
    (200, b'{"replies": [{"text": "x", "extra": 1}]}'), (200, b'{"reply": "x"}'),
    (200, json.dumps({"replies": [{"text": "x" * 5001}]}).encode()),
    (200, json.dumps({"replies": [{"text": "x"}] * 11}).encode()), (200, b'{"handover": true}'),
    (200, b'{"handover": {"skill": ["a"]}}'),
])
def test_bot3_anything_else_is_a_bot_failure(status, body):
    with pytest.raises(BotFailure):
        parse_webhook_answer(status, body)


@given(st.binary(max_size=200))
def test_bot3_random_bytes_never_crash_the_readers(raw):
    for parse in (parse_webhook_answer, parse_rasa_answer):
        with contextlib.suppress(BotFailure):
            parse(200, raw)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                                       max_size=4), max_leaves=20))
def test_bot3_random_json_never_crashes_the_readers(value):
    raw = json.dumps(value).encode()
    for parse in (parse_webhook_answer, parse_rasa_answer):
        with contextlib.suppress(BotFailure):
            parse(200, raw)


def test_bot3_rasa_answers():
    answer = parse_rasa_answer(200, json.dumps([
        {"recipient_id": "v", "text": "Hi"},
        {"recipient_id": "v", "image": "https://x.example/a.png"},
        {"recipient_id": "v", "buttons": [{"title": "Yes", "payload": "/yes"}]},
        {"recipient_id": "v", "custom": {"some": "widget"}},
        {"recipient_id": "v", "custom": {"handover": True, "skill": "billing"}},
    ]).encode())
    assert [r.text for r in answer.replies] == ["Hi", "https://x.example/a.png", "Yes"]
    assert answer.handover.skill == "billing"
    assert parse_rasa_answer(200, b"[]").replies == []
    for bad in (b"{}", b'[{"text": 3}]', b'[{"image": "javascript:x"}]', b'[{"buttons": "x"}]', b"[1]",
                b'[{"custom": {"handover": true, "skill": {"a": 1}}}]'):
        with pytest.raises(BotFailure):
            parse_rasa_answer(200, bad)
