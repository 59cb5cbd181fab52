"""API of the accounts context: tokens, the caller, end users, seats (IAM, ADM-1, ADM-8)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from interact.core.api import authorize, error
from interact.core.permissions import permissions_of

from . import selectors, services
from .models import ApiToken, Realm, User

router = Router(tags=["accounts"])


class TokenRequest(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    name: str = Field("API", max_length=100)


class TokenCreate(Schema):
    name: str = Field(max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    secret: str


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    org_profile: str
    sub_profiles: list[str]
    organisation: str
    plan: str
    options: list[str]
    permissions: list[str]


class UserIn(Schema):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    role: str = Field("", max_length=20)
    mother_tongue: str = Field("", max_length=8)
    org_profile: str = Field("", max_length=20)
    sub_profiles: list[str] = []
    skills: list[int] = []
    channels: list[int] = []
    languages: list[str] = []
    max_conversations: int = Field(5, ge=0, le=50, description="Routing offers no more simultaneous "
                                                               "conversations than this (CNV-2).")


class UserOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    role: str
    mother_tongue: str
    org_profile: str
    sub_profiles: list[str]
    is_active: bool
    is_locked: bool
    max_conversations: int
    skills: list[int]
    channels: list[int]
    languages: list[str]

    @staticmethod
    def resolve_skills(obj: User) -> list[int]:
        return [s.pk for s in obj.skills.all()]

    @staticmethod
    def resolve_channels(obj: User) -> list[int]:
        return [c.pk for c in obj.channels.all()]

    @staticmethod
    def resolve_languages(obj: User) -> list[str]:
        return [lang.code for lang in obj.languages.all()]


class SeatsIn(Schema):
    seats: int = Field(ge=1, le=10000)


class SeatChangeOut(Schema):
    previous_seats: int
    new_seats: int
    effective_date: dt.date
    registered_at: dt.datetime


class SeatsOut(Schema):
    seats: int
    min_end_users: int
    used: int
    changes: list[SeatChangeOut]


class TransferIn(Schema):
    user_id: int


class ErrorOut(Schema):
    error: dict


def _token_out(token: ApiToken, secret: str | None = None) -> dict:
    data = {k: getattr(token, k) for k in ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")}
    if secret:
        data["secret"] = secret
    return data


@router.post("/auth/token", auth=None, response={201: NewTokenOut, 401: ErrorOut},
             summary="Exchange e-mail and password for a personal API token")
def token_from_password(request: HttpRequest, payload: TokenRequest):
    """Goes through the same lockout as the portal (IAM-2): 5 failures block the account."""
    user = authenticate(request, username=payload.email, password=payload.password, realm=Realm.CLIENT)
    if user is None:
        return error(request, 401, "invalid_credentials",
                     "E-mail or password incorrect; after 5 failures the account is blocked.")
    token, secret = services.create_api_token(user, payload.name)
    return Status(201, _token_out(token, secret))


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = authorize(request)
    org = user.organisation
    return {
        "id": user.pk, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "role": user.role, "org_profile": user.org_profile, "sub_profiles": user.sub_profiles,
        "organisation": org.name, "plan": org.plan, "options": org.options,
        "permissions": sorted(permissions_of(user)),
    }


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest):
    return [_token_out(t) for t in authorize(request).api_tokens.all()]


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenCreate):
    token, secret = services.create_api_token(authorize(request), payload.name)
    return Status(201, _token_out(token, secret))


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int):
    token = ApiToken.objects.get(user=authorize(request), pk=token_id)
    services.revoke_api_token(token)
    return Status(204, None)


@router.get("/users", response=list[UserOut])
def list_users(request: HttpRequest, q: str = "", sort: str = "last_name", role: str = ""):
    """Search on first name, last name, e-mail, role, mother tongue; ``sort`` by any of them, ``-`` for descending."""
    user = authorize(request, "users.view")
    return list(selectors.end_users(user.organisation, q[:100], sort, role))


def _save(actor: User, payload: UserIn, instance: User | None) -> User:
    data = services.EndUserData(
        first_name=payload.first_name, last_name=payload.last_name, email=payload.email, role=payload.role,
        mother_tongue=payload.mother_tongue, org_profile=payload.org_profile, sub_profiles=payload.sub_profiles,
        max_conversations=payload.max_conversations,
    )
    with transaction.atomic():
        if instance is None:
            user = services.create_end_user(actor, actor.organisation, data)
        else:
            user = services.update_end_user(actor, instance, data)
        services.set_routing_profile(user, payload.skills, payload.channels, payload.languages)
    return user


@router.post("/users", response={201: UserOut})
def create_user(request: HttpRequest, payload: UserIn):
    actor = authorize(request, "users.manage")
    return Status(201, _save(actor, payload, None))


@router.get("/users/{user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: int):
    actor = authorize(request, "users.view")
    return selectors.end_user(actor.organisation, user_id)


@router.put("/users/{user_id}", response=UserOut)
def update_user(request: HttpRequest, user_id: int, payload: UserIn):
    actor = authorize(request, "users.manage")
    return _save(actor, payload, selectors.end_user(actor.organisation, user_id))


@router.post("/users/{user_id}/deactivate", response=UserOut)
def deactivate_user(request: HttpRequest, user_id: int):
    actor = authorize(request, "users.manage")
    return services.set_active(actor, selectors.end_user(actor.organisation, user_id), False)


@router.post("/users/{user_id}/activate", response=UserOut)
def activate_user(request: HttpRequest, user_id: int):
    actor = authorize(request, "users.manage")
    return services.set_active(actor, selectors.end_user(actor.organisation, user_id), True)


@router.delete("/users/{user_id}", response={204: None})
def delete_user(request: HttpRequest, user_id: int):
    actor = authorize(request, "users.manage")
    services.delete_end_user(actor, selectors.end_user(actor.organisation, user_id))
    return Status(204, None)


@router.get("/seats", response=SeatsOut)
def get_seats(request: HttpRequest):
    org = authorize(request, "seats.view").organisation
    return {"seats": org.seats, "min_end_users": org.min_end_users,
            "used": org.users.filter(is_active=True).exclude(role="").count(),
            "changes": list(org.seat_changes.all()[:100])}


@router.post("/seats", response=SeatChangeOut)
def change_seats(request: HttpRequest, payload: SeatsIn):
    actor = authorize(request, "seats.manage")
    return services.change_seats(actor, actor.organisation, payload.seats)


@router.post("/access-owner/transfer", response={204: None})
def transfer_owner(request: HttpRequest, payload: TransferIn):
    actor = authorize(request, "profiles.manage")
    services.transfer_access_owner(actor, selectors.end_user(actor.organisation, payload.user_id))
    return Status(204, None)
