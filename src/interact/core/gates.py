"""Plan gating for websockets (TEN-2): the same rule as pages and API, answered as an error frame
naming the missing plan or option, then a close with code 4403."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async

from interact.core.plans import PlanRequired, require_feature


class FeatureGateMixin:
    """For ``AsyncWebsocketConsumer`` subclasses: set ``required_feature`` and call
    ``await self.refuse_unless_feature(organisation)`` in ``connect`` before accepting."""

    required_feature: str | None = None

    async def refuse_unless_feature(self, organisation) -> bool:
        if self.required_feature is None:
            return True
        try:
            await database_sync_to_async(require_feature)(organisation, self.required_feature)
        except PlanRequired as refusal:
            await self.accept()
            details = refusal.as_dict()
            # ``code`` on top like every other error frame; ``error`` keeps the API's full shape.
            await self.send(json.dumps({"type": "error", "code": details.get("code", "plan_required"),
                                        "message": details.get("message", ""), "error": details}))
            await self.close(code=4403)
            return False
        return True
