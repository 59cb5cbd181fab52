"""STO-2: backups of one organisation (at activation and weekly), restore of one organisation, and the
erasure log replayed after any restore so no erased person comes back (PRV-3)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from interact.core import clock
from interact.privacy import backups, services, tasks
from interact.privacy.models import Backup

from .scan import table_hits

NAME, EMAIL, WORDS = "Wilhelmina", "wilhelmina@example.test", "grapefruitsonata"


@pytest.fixture
def person(make_visitor, say, make_user, org):
    from interact.conversations import services as conversations

    visitor = make_visitor(first_name=NAME, email=EMAIL)
    message = say(visitor, f"{WORDS}, says {NAME}")
    conversations.add_note(visitor, make_user(org, role="agent"), f"{NAME} is nice")
    conversations.end(message.conversation, None)
    return visitor


def test_sto2_the_first_backup_is_taken_at_activation(make_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org = make_org()
    backup = Backup.objects.get(organisation=org)
    assert backup.kind == "activation" and backup.rows >= 1
    assert backups.read(backup)["models"]["accounts.User"][0]["fields"]["email"].startswith("owner")


def test_sto2_weekly_backups_once_per_week_per_organisation(org, other_org):
    monday = dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.UTC)
    with clock.frozen(monday):
        tasks.weekly_backups.call_local()
    with clock.frozen(monday + dt.timedelta(days=3)):
        tasks.weekly_backups.call_local()
    assert Backup.objects.filter(kind="weekly").count() == 2
    with clock.frozen(monday + dt.timedelta(days=7)):
        tasks.weekly_backups.call_local()
    assert Backup.objects.filter(kind="weekly", organisation=org).count() == 2


def test_sto2_a_backup_file_is_encrypted(org, person):
    backup = backups.take_backup(org.pk)
    from pathlib import Path

    raw = Path(backup.path).read_bytes()
    assert NAME.encode() not in raw and WORDS.encode() not in raw
    assert backups.read(backup)["models"]["conversations.Visitor"][0]["fields"]["first_name"] == NAME


def test_sto2_restore_brings_one_organisation_back_and_leaves_others_alone(org, other_org, person, make_visitor):
    from interact.connectors.models import Channel
    from interact.conversations.models import Message, Visitor, VisitorNote

    theirs = Channel.objects.create(organisation=other_org, kind="webchat", name="Theirs")
    backup = backups.take_backup(org.pk)
    Message.objects.filter(organisation=org).update(body="changed after the backup")
    VisitorNote.objects.filter(organisation=org).delete()
    later = make_visitor(first_name="Created later")
    backups.restore(backup)
    assert Message.objects.get(organisation=org).body.startswith(WORDS)
    assert VisitorNote.objects.filter(organisation=org).count() == 1
    assert not Visitor.objects.filter(pk=later.pk).exists()
    assert Channel.objects.filter(pk=theirs.pk).exists()


def test_sto2_restoring_an_old_backup_never_brings_an_erased_person_back(org, admin, person, tmp_path):
    """The backup predates the erasure; after the restore the person must still be gone."""
    old = backups.take_backup(org.pk)
    kept_copy = tmp_path / "offsite.bin"
    shutil.copy(old.path, kept_copy)  # an older copy kept elsewhere, as backups are
    req = services.register_request(org, admin, kind="erasure", identifier_kind="email", identifier=EMAIL)
    services.verify_identity(req, admin, "id_document")
    services.fulfil(req, admin)
    assert table_hits([NAME, EMAIL, WORDS]) == []

    shutil.copy(kept_copy, old.path)
    record = backups.restore(old)
    assert record.report["erasures_replayed"] == 1
    assert table_hits([NAME, EMAIL, WORDS]) == []
    from interact.conversations.models import Message

    assert Message.objects.filter(organisation=org).count() == 1  # the row is back, its content is not


def test_sto2_replay_also_recognises_the_person_under_another_row(org, admin, person, make_visitor):
    """A row the backup holds under a different id (e.g. re-created) is found by its keyed hashes."""
    from interact.conversations.models import Visitor
    from interact.privacy import erasure

    twin = make_visitor(first_name="Twin", email=EMAIL)
    erasure.erase_visitor(person)
    Visitor.objects.filter(pk=twin.pk).update(first_name=NAME)  # not erased: simulates an old copy
    assert erasure.replay_erasures(org.pk) == 1
    twin.refresh_from_db()
    assert twin.first_name == "" and twin.email == ""
