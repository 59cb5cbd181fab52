"""Meta's Graph API as the Facebook connectors use it (CHN-2, CHN-3): the webhook signature, the
calls, and what Meta's error codes mean for a delivery.

The base URL is ``settings.GRAPH_API_URL`` so the tests (and a staging setup) talk to a local
fake Graph server that answers as Meta documents, error codes included.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings

from .base import DeliveryFailed

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
TIMEOUT_SECONDS = 10.0

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling and the
# Messenger Platform error-codes page). Throttling clears by itself: try again later.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80006})
TRANSIENT_CODES = frozenset({1, 2})
TOKEN_CODE = 190
PERMISSION_CODES = frozenset({10, 200, 230})
OUTSIDE_WINDOW_SUBCODE = 2018278
UNAVAILABLE_CODES = frozenset({551})
NO_MATCHING_USER_SUBCODE = 2018001


def valid_signature(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>``,
    compared in constant time. Over the raw bytes: re-serialised JSON would not match."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


def sign(app_secret: str, raw_body: bytes) -> str:
    """The header value Meta would send; for tests, the fake Graph server and the benchmark."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


@dataclass
class GraphError(Exception):
    """Meta answered, and said no."""

    status: int
    code: int | None
    subcode: int | None
    text: str

    def __str__(self) -> str:
        return f"Graph error {self.code}/{self.subcode} (HTTP {self.status}): {self.text}"


class GraphUnreachable(Exception):
    """No answer from Meta: connection refused, time-out, or a 5xx without a Graph error."""


def call(method: str, path: str, access_token: str, *, json: dict | None = None,
         params: dict | None = None) -> dict:
    """One Graph request. The token goes in the query string as Meta documents; it is never logged."""
    url = f"{settings.GRAPH_API_URL}/{path.lstrip('/')}"
    query = {**(params or {}), "access_token": access_token}
    try:
        response = httpx.request(method, url, params=query, json=json, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise GraphUnreachable(type(exc).__name__) from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success and isinstance(data, dict):
        return data
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        raise GraphUnreachable(f"HTTP {response.status_code}")
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    raise GraphError(response.status_code, code, subcode, str(error.get("message", ""))[:300])


@dataclass(frozen=True)
class Refusal:
    """What a Graph failure means for one delivery, and for the channel as a whole."""

    reason: str
    retryable: bool
    channel_error: str | None


def classify(failure: GraphError | GraphUnreachable) -> Refusal:
    from django.utils.translation import gettext as _

    if isinstance(failure, GraphUnreachable):
        return Refusal(_("Facebook could not be reached (%(detail)s); sending again automatically.")
                       % {"detail": failure}, True, _("Facebook could not be reached."))
    if failure.code in RATE_LIMIT_CODES:
        return Refusal(_("Facebook is limiting the number of messages (code %(code)s); sending again later.")
                       % {"code": failure.code}, True, None)
    if failure.code in TRANSIENT_CODES or failure.status >= 500:
        return Refusal(_("Facebook had a temporary problem; sending again automatically."), True,
                       _("Facebook had a temporary problem."))
    if failure.code == TOKEN_CODE:
        message = _("The Page access token expired or was revoked. Reconnect the Facebook Page, then send again.")
        return Refusal(message, False, message)
    if failure.subcode == OUTSIDE_WINDOW_SUBCODE:
        return Refusal(_("Outside the messaging window Facebook allows: the person has not written for too "
                         "long."), False, None)
    if failure.code in UNAVAILABLE_CODES or failure.subcode == NO_MATCHING_USER_SUBCODE:
        return Refusal(_("This person cannot receive messages from the Page any more."), False, None)
    if failure.code in PERMISSION_CODES:
        message = _("The Page did not grant the permission this needs (code %(code)s).") % {"code": failure.code}
        return Refusal(message, False, message)
    return Refusal(_("Facebook refused the message: %(text)s") % {"text": failure.text or failure.code}, False, None)


def delivery_failed(failure: GraphError | GraphUnreachable, channel_id: int) -> DeliveryFailed:
    """Turn a Graph failure into the connector interface's exception, recording the channel's
    error where the portal shows it (CHN-3)."""
    from .services import record_channel_error

    refusal = classify(failure)
    if refusal.channel_error:
        record_channel_error(channel_id, refusal.channel_error)
    log.warning("graph call failed", extra={"channel_id": channel_id, "graph_error": str(failure)})
    return DeliveryFailed(refusal.reason, retryable=refusal.retryable)


def send(channel_id: int, path: str, access_token: str, payload: dict) -> dict:
    """POST an outbound message for a channel: a failure becomes the connector interface's
    exception (with the channel's error recorded), a success clears the channel's error."""
    from .services import clear_channel_error

    try:
        answer = call("POST", path, access_token, json=payload)
    except (GraphError, GraphUnreachable) as failure:
        raise delivery_failed(failure, channel_id) from None
    clear_channel_error(channel_id)
    return answer
