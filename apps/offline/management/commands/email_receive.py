"""``manage.py email_receive [FILE|-]``: take one raw email in, as the IMAP mailbox does (the
workspace found from its reply or support address), and say what became of it."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.conversations.models import Conversation
from apps.offline.services import InboundBusy, InboundTooLarge, inbound_receive


class Command(BaseCommand):
    help = "Take one raw email (a file, or - for standard input) in, as the IMAP mailbox does."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="the raw email; - reads stdin")

    def handle(self, *args, **options):
        name = options["file"]
        limit = settings.INBOUND_EMAIL_MAX_BYTES
        try:
            if name == "-":
                raw = sys.stdin.buffer.read(limit + 1)
            else:
                with Path(name).open("rb") as file:
                    raw = file.read(limit + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}") from exc
        if not raw:
            raise CommandError("The email is empty.")
        try:
            record = inbound_receive(raw=raw, source="command")
        except (InboundTooLarge, InboundBusy) as exc:
            raise CommandError(exc.message) from exc
        if record is None:
            self.stdout.write("ignored: no workspace has this reply or support address")
            return
        line = record.state + (f": {record.reason}" if record.reason else "")
        if record.conversation_id:
            with scope(tenant=record.tenant):
                number = Conversation.objects.values_list("number", flat=True).get(
                    pk=record.conversation_id
                )
            line += f" (conversation #{number})"
        self.stdout.write(line)
