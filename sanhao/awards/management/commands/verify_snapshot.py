from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sanhao.audit.services import verify_chain
from sanhao.awards.models import Snapshot
from sanhao.awards.services import verify


class Command(BaseCommand):
    help = (
        "Recomputes a frozen snapshot from its own scheme and facts and checks that it gives "
        "the same bytes, the same hash, and that the audit chain still holds its head."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "snapshot", nargs="?", help="the snapshot's hash (at least 8 characters) or number"
        )

    def handle(self, *args: object, **options: object) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        given = str(options.get("snapshot") or "").strip().lower()
        snapshots = Snapshot.objects.select_related("run", "run__scheme_version").order_by("id")
        if given.isdigit() and len(given) < 8:
            snapshots = snapshots.filter(pk=int(given))
        elif given:
            if len(given) < 8:
                raise CommandError(_("Give at least 8 characters of the snapshot's hash."))
            snapshots = snapshots.filter(content_hash__startswith=given)
        chosen = list(snapshots)
        if not chosen:
            raise CommandError(_("No snapshot matches %(given)s.") % {"given": given or "—"})
        failed = 0
        for snapshot in chosen:
            problems = verify(snapshot)
            seq, head = snapshot.chain_head.split(":", 1)
            if not verify_chain(expect=(int(seq), head)).ok:
                problems.append(_("the audit chain no longer holds the head %(head)s")
                                % {"head": snapshot.chain_head})  # fmt: skip
            if problems:
                failed += 1
                self.stderr.write(
                    _("Snapshot %(hash)s does not hold: %(problems)s.")
                    % {"hash": snapshot.content_hash, "problems": "; ".join(problems)}
                )
            else:
                self.stdout.write(
                    _("Snapshot %(hash)s holds: recomputed to the same %(n)s bytes.")
                    % {"hash": snapshot.content_hash, "n": len(snapshot.content.encode())}
                )
        if failed:
            raise CommandError(_("%(n)s snapshots do not hold.") % {"n": failed})
