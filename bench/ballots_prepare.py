"""Prepare the voting benchmark's sessions and check them afterwards (run by
bench/ballots_load.py, under the same BALLOT_CODE_KEY as the server it prepares for).

    python bench/ballots_prepare.py prepare OUT.json load:24000 kill9:3000 ...
    python bench/ballots_prepare.py verify SESSION_PK ANSWERS.json

Loads the demo district if it is not there, then for each NAME:CODES one open ballot
session of the year's leaders (one per unit, a realistic ballot: 13 candidates, 优秀 for
at most a share of them) with CODES codes in one voter group, issued through
`services.issue_codes` in batches of its maximum. The codes' printable slips (a PDF of
QR codes per batch) are not what is measured: they are replaced by an empty PDF here, so
that preparing 40,000 codes takes seconds rather than minutes. Writes the plain codes,
the sessions' ids and a valid ballot to OUT.json for the load generators.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import django


def prepare(out_path: str, specs: list[str]) -> int:
    from django.utils import timezone

    from sanhao.accounts.models import User
    from sanhao.ballots import printing, services
    from sanhao.campaigns.models import CampaignYear
    from sanhao.demo.world import demo_loaded, seed_demo

    started = time.perf_counter()
    if not demo_loaded():
        seed_demo()
    seeded = time.perf_counter()
    # issue_codes imports code_slips_pdf from the module when called: this replaces it.
    printing.code_slips_pdf = lambda *a, **k: b"%PDF-1.4\n%bench\n"  # type: ignore[assignment]
    office = User.objects.get(username="office")
    year = CampaignYear.objects.order_by("-year").first()
    assert year is not None
    group = services.scheme_of(year).groups[0]
    now = timezone.now()
    out: dict[str, object] = {"sessions": {}}
    for spec in specs:
        name, count = spec.split(":")
        session = services.create_session(
            year,
            title=f"bench {name}",
            unit=None,
            category="leader",
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + dt.timedelta(hours=6),
            groups=[services.GroupPlan(group, int(count))],
            actor=office,
        )
        voter_group = session.groups.get()
        plain: list[str] = []
        left = int(count)
        while left:
            n = min(left, services.MAX_CODES_PER_BATCH)
            _batch, codes = services.issue_codes(
                session, voter_group, n, actor=office, vote_url="http://127.0.0.1/vote/"
            )
            plain += codes
            left -= n
        services.open_session(session, actor=office)
        candidates = list(session.candidates.all())
        _cands, rules = services._rules(session)  # the rules as the voting page reads them
        top = rules["top"]["leader"]
        limit = rules["limits"]["leader"]
        grades = rules["grades"]["leader"]  # best first, then the abstention
        # A realistic ballot: `limit` candidates graded best, the others spread over the rest.
        ballot = {
            c.candidate: top if k < limit else grades[1 + k % (len(grades) - 1)]
            for k, c in enumerate(candidates)
        }
        out["sessions"][name] = {"pk": session.pk, "codes": plain, "ballot": ballot}  # type: ignore[index]
    with open(out_path, "w") as f:
        json.dump(out, f)
    print(
        f"prepared: demo {seeded - started:.1f} s, sessions {time.perf_counter() - seeded:.1f} s",
        file=sys.stderr,
    )
    return 0


def verify(session_pk: int, answers_path: str) -> int:
    """What the database holds for the session, against what the clients were answered
    (ANSWERS.json: `receipts` answered "accepted", and optionally `accepted_codes` and
    `used_codes`, the codes answered "accepted" and "already used"). Prints JSON."""
    from sanhao.ballots.codes import digest
    from sanhao.ballots.models import Ballot, Receipt, VoterCode

    answers = json.loads(Path(answers_path).read_text())
    receipts = answers["receipts"]
    stored = Ballot.objects.filter(session_id=session_pk).count()
    kept = set(Receipt.objects.filter(session_id=session_pk).values_list("digest", flat=True))
    used = set(
        VoterCode.objects.filter(session_id=session_pk, used=True).values_list("digest", flat=True)
    )
    given = [digest(r.replace("-", ""), purpose="receipt") for r in receipts]
    accepted_codes = {digest(c) for c in answers.get("accepted_codes", [])}
    used_codes = {digest(c) for c in answers.get("used_codes", [])}
    out = {
        "accepted": len(receipts),
        "stored": stored,
        "receipts": len(kept),
        "consumed": len(used),
        "accepted_receipts_missing": sum(1 for d in given if d not in kept),
        "accepted_receipts_twice": len(given) - len(set(given)),
        "answered_codes_not_consumed": len((accepted_codes | used_codes) - used),
        "consumed_codes_not_answered": len(used - accepted_codes - used_codes)
        if "accepted_codes" in answers
        else None,
    }
    print(json.dumps(out))
    return 0


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhao.settings")
    django.setup()
    command, *args = sys.argv[1:]
    if command == "prepare":
        return prepare(args[0], args[1:])
    if command == "verify":
        return verify(int(args[0]), args[1])
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    sys.exit(main())
