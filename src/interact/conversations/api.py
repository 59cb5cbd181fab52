"""API of conversations (CNV-1..7, CNV-10): the inbox, chatting, dispatch, visitor profiles and
History, for clients that build their own agent tools. The same services as the portal, so the
same rules, the same errors and the same events."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from interact.accounts.models import User
from interact.admin_portal.models import Skill, Topic
from interact.core.api import authorize
from interact.core.errors import ServiceError
from interact.privacy.access_log import log_conversation, log_visitor

from . import selectors, services
from .models import MESSAGE_MAX_CHARS, Conversation, Message, Visitor

router = Router(tags=["conversations"])


class ConversationOut(Schema):
    id: int
    status: str
    channel: int
    channel_name: str
    visitor: int
    visitor_name: str
    language: str
    assignee: int | None
    offered_to: int | None
    skills: list[int]
    topics: list[int]
    created_at: dt.datetime
    queued_at: dt.datetime
    taken_at: dt.datetime | None
    first_response_at: dt.datetime | None
    last_message_at: dt.datetime
    ended_at: dt.datetime | None
    message_count: int

    @staticmethod
    def resolve_channel(obj: Conversation) -> int:
        return obj.channel_id

    @staticmethod
    def resolve_channel_name(obj: Conversation) -> str:
        return obj.channel.name

    @staticmethod
    def resolve_visitor(obj: Conversation) -> int:
        return obj.visitor_id

    @staticmethod
    def resolve_visitor_name(obj: Conversation) -> str:
        return str(obj.visitor.name)

    @staticmethod
    def resolve_assignee(obj: Conversation) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_offered_to(obj: Conversation) -> int | None:
        return obj.offered_to_id

    @staticmethod
    def resolve_skills(obj: Conversation) -> list[int]:
        return sorted(s.pk for s in obj.skills.all())

    @staticmethod
    def resolve_topics(obj: Conversation) -> list[int]:
        return sorted(t.pk for t in obj.topics.all())


class InboxOut(Schema):
    mine: list[ConversationOut]
    assigned: list[ConversationOut]
    queue: list[ConversationOut]
    others: list[ConversationOut]
    bot: list[ConversationOut] = Field([], description="Conversations the chatbot is having (Bot plan, BOT-2); "
                                                       "pause the bot to take one over.")


class MessageOut(Schema):
    id: int
    sender: str
    author: int | None
    body: str
    client_id: str | None
    external_id: str | None
    created_at: dt.datetime
    delivery: str
    delivery_error: str

    @staticmethod
    def resolve_author(obj: Message) -> int | None:
        return obj.author_id


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=MESSAGE_MAX_CHARS)
    client_id: str | None = Field(None, max_length=64, description="Your id for this message; a retry with the "
                                                                   "same id is stored once.")


class AssignIn(Schema):
    assignee: int


class SkillsIn(Schema):
    skills: list[int] = Field(max_length=100)


class TopicsIn(Schema):
    topics: list[int] = Field(min_length=1, max_length=100)


class VisitorOut(Schema):
    id: int
    channel: int
    verified: bool
    display_name: str
    first_name: str
    last_name: str
    email: str
    birth_date: dt.date | None
    phone: str
    mobile: str
    language: str
    attributes: dict
    created_at: dt.datetime
    last_seen_at: dt.datetime

    @staticmethod
    def resolve_channel(obj: Visitor) -> int:
        return obj.channel_id


class VisitorIn(Schema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    birth_date: dt.date | None = None
    phone: str | None = Field(None, max_length=40)
    mobile: str | None = Field(None, max_length=40)


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class NoteOut(Schema):
    id: int
    body: str
    author: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> int | None:
        return obj.author_id


class EventOut(Schema):
    id: int
    kind: str
    conversation: int | None
    payload: dict
    created_at: dt.datetime

    @staticmethod
    def resolve_conversation(obj) -> int | None:
        return obj.conversation_id


class HistoryQuery(Schema):
    channel: int | None = None
    language: str = Field("", max_length=8)
    topic: int | None = None
    skill: int | None = None
    end_user: str = Field("", max_length=100)
    visitor: str = Field("", max_length=100)
    since: dt.date | None = None
    until: dt.date | None = None
    text: str = Field("", max_length=200)
    page: int = Field(1, ge=1, le=100_000)


class HistoryPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ConversationOut]


def _handler(request: HttpRequest) -> User:
    return authorize(request, "conversations.handle")


def _owned(queryset, ids: list[int], field: str) -> list:
    """The organisation's objects with these ids; an id it does not own is a 400 naming the field."""
    found = list(queryset.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ServiceError(f"invalid_{field.rstrip('s')}", f"Unknown {field.rstrip('s')}.", field=field)
    return found


def _conversation(user: User, pk: int) -> Conversation:
    return selectors.conversation(user, pk)


@router.get("/conversations", response=InboxOut)
def inbox(request: HttpRequest):
    """The caller's inbox: active conversations, those assigned to them, the queue routed to them,
    and (dispatchers) every other open conversation."""
    return selectors.inbox(_handler(request))


@router.get("/conversations/{conversation_id}", response=ConversationOut)
def get_conversation(request: HttpRequest, conversation_id: int):
    user = authorize(request)
    conversation = _conversation(user, conversation_id)
    log_conversation(user, conversation, via="api")  # PRV-6
    return conversation


@router.get("/conversations/{conversation_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, conversation_id: int, after: int = Query(0, ge=0)):
    """Messages in order; ``after`` returns only those with a greater id (polling clients)."""
    user = authorize(request)
    return list(selectors.messages(_conversation(user, conversation_id)).filter(pk__gt=after)[:1000])


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut})
def send_message(request: HttpRequest, conversation_id: int, data: MessageIn):
    """Reply to the visitor; answered once the message is stored. Delivery runs as a job whose
    state (`pending`, `sent`, `failed`) the message reports."""
    user = _handler(request)
    return Status(201, services.send_reply(_conversation(user, conversation_id), user, data.body,
                                           client_id=data.client_id))


@router.post("/conversations/{conversation_id}/take", response=ConversationOut)
def take_conversation(request: HttpRequest, conversation_id: int):
    user = _handler(request)
    return services.take(_conversation(user, conversation_id), user)


@router.post("/conversations/{conversation_id}/release", response=ConversationOut)
def release_conversation(request: HttpRequest, conversation_id: int):
    user = _handler(request)
    return services.release(_conversation(user, conversation_id), user)


@router.post("/conversations/{conversation_id}/assign", response=ConversationOut)
def assign_conversation(request: HttpRequest, conversation_id: int, data: AssignIn):
    user = _handler(request)
    conversation = _conversation(user, conversation_id)
    target = User.objects.filter(pk=data.assignee, organisation_id=user.organisation_id).first()
    if target is None:
        raise ServiceError("invalid_assignee", "Choose an Administrator, Supervisor or Agent of your organisation.",
                           field="assignee")
    return services.assign(conversation, target, user)


@router.put("/conversations/{conversation_id}/skills", response=ConversationOut)
def set_conversation_skills(request: HttpRequest, conversation_id: int, data: SkillsIn):
    user = _handler(request)
    conversation = _conversation(user, conversation_id)
    skills = _owned(Skill.objects.for_org(user.organisation), data.skills, "skills")
    return services.set_skills(conversation, skills, user)


@router.post("/conversations/{conversation_id}/end", response=ConversationOut)
def end_conversation(request: HttpRequest, conversation_id: int):
    user = _handler(request)
    return services.end(_conversation(user, conversation_id), user)


@router.post("/conversations/{conversation_id}/archive", response=ConversationOut)
def archive_conversation(request: HttpRequest, conversation_id: int, data: TopicsIn):
    user = _handler(request)
    conversation = _conversation(user, conversation_id)
    topics = _owned(Topic.objects.for_org(user.organisation), data.topics, "topics")
    return services.archive(conversation, topics, user)


@router.post("/messages/{message_id}/retry", response=MessageOut)
def retry_message(request: HttpRequest, message_id: int):
    """Send a message whose delivery failed once more (CNV-10)."""
    user = _handler(request)
    message = Message.objects.for_org(user.organisation).filter(pk=message_id).first()
    if message is None or not selectors.may_view(user, message.conversation):
        raise Http404
    return services.retry_delivery(message, user)


@router.get("/visitors/{visitor_id}", response=VisitorOut)
def get_visitor(request: HttpRequest, visitor_id: int):
    user = authorize(request, "visitors.view")
    visitor = selectors.visitor(user, visitor_id)
    log_visitor(user, visitor, via="api")  # PRV-6
    return visitor


@router.patch("/visitors/{visitor_id}", response=VisitorOut)
def update_visitor(request: HttpRequest, visitor_id: int, data: VisitorIn):
    """Edit the profile fields end users may fill in (CNV-5); omitted fields stay as they are."""
    user = authorize(request, "visitors.view")
    visitor = selectors.visitor(user, visitor_id)
    return services.update_visitor(visitor, user, **data.dict(exclude_unset=True))


@router.get("/visitors/{visitor_id}/conversations", response=list[ConversationOut])
def visitor_conversations(request: HttpRequest, visitor_id: int):
    """The visitor's conversations on their channel, newest first (CNV-5)."""
    user = authorize(request, "visitors.view")
    return selectors.previous_conversations(selectors.visitor(user, visitor_id), limit=100)


@router.get("/visitors/{visitor_id}/notes", response=list[NoteOut])
def list_notes(request: HttpRequest, visitor_id: int):
    user = authorize(request, "visitors.view")
    return list(selectors.visitor(user, visitor_id).notes.all()[:200])


@router.post("/visitors/{visitor_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, visitor_id: int, data: NoteIn):
    user = authorize(request, "visitors.view")
    return Status(201, services.add_note(selectors.visitor(user, visitor_id), user, data.body))


@router.get("/history", response=HistoryPage)
def history(request: HttpRequest, filters: Query[HistoryQuery]):
    """Ended and archived conversations (CNV-7), newest first, 25 a page. ``text`` searches message
    content (PostgreSQL full-text search in production)."""
    user = authorize(request, "history.view")
    values = filters.dict()
    page_number = values.pop("page")
    paginator = Paginator(selectors.history(user, selectors.HistoryFilters(**values)), selectors.PAGE_SIZE)
    page = paginator.get_page(page_number)
    return {"count": paginator.count, "page": page.number, "pages": paginator.num_pages,
            "results": list(page.object_list)}


@router.get("/events", response=list[EventOut])
def events(request: HttpRequest, after: int = Query(0, ge=0)):
    """Queue-level events after an id, for clients that poll instead of holding a websocket."""
    user = _handler(request)
    from .events import QUEUE_KINDS

    return selectors.events_after(user.organisation_id, after, kinds=QUEUE_KINDS, limit=500)
