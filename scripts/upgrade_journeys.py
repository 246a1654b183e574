"""Journeys after an upgrade (scripts/upgrade_check.sh): run with ``thudo shell -c`` by the
release under test, on the database and data directory the previous release filled.

- the public lookup (page and API) of a dossier the previous release made;
- a paper the previous release stored is served to its owner, byte for byte (its SHA-256);
- a dossier action through the API: an official of the processing agency receives a submitted
  dossier the previous release made, and the dossier moves on.

Prints one line per journey; raises (non-zero exit) at the first that fails.
"""

import hashlib
import json

from django.test import Client

from thudo.core.models import Role, RoleGrant
from thudo.dossiers.models import Attachment, Dossier, Status


def check(condition: object, message: object) -> None:
    if not condition:
        raise SystemExit(f"upgrade journey FAILED: {message}")


def ok(what: str) -> None:
    print(f"upgrade journey ok: {what}", flush=True)


d = Dossier.objects.exclude(secret="").order_by("pk").first()
check(d is not None, "the previous release's demo made no dossier")
anon = Client()
page = anon.get(f"/tra-cuu/{d.code}/", {"s": d.secret})
check(page.status_code == 200 and d.code in page.content.decode(), page.status_code)
api = anon.get("/api/v1/dossiers/lookup", {"code": d.code, "secret": d.secret})
check(api.status_code == 200 and api.json()["code"] == d.code, api.content)
ok(f"public lookup of {d.code} (page and API)")

a = (
    Attachment.objects.filter(dossier__applicant_user__isnull=False, kind="paper")
    .select_related("dossier__applicant_user")
    .order_by("pk")
    .first()
)
check(a is not None, "no citizen's paper from the previous release")
owner = Client()
owner.force_login(a.dossier.applicant_user)
r = owner.get(f"/api/v1/dossiers/{a.dossier.code}/attachments/{a.pk}")
check(r.status_code == 200, r.status_code)
check(hashlib.sha256(b"".join(r.streaming_content)).hexdigest() == a.sha256, "the stored paper changed")
ok(f"paper {a.pk} of {a.dossier.code} served to its owner, SHA-256 unchanged")

received = None
for d in Dossier.objects.filter(status=Status.SUBMITTED).order_by("pk")[:20]:
    grant = (
        RoleGrant.objects.filter(role=Role.RECEPTION, agency=d.processing_agency)
        .select_related("user")
        .first()
    )
    if grant is None:
        continue
    official = Client()
    official.force_login(grant.user)
    r = official.post(
        f"/api/v1/dossiers/{d.code}/receive",
        data=json.dumps({"note": "Nâng cấp"}),
        content_type="application/json",
    )
    check(r.status_code == 200, (d.code, r.status_code, r.content[:500]))
    check(r.json()["status"] == "processing", r.content[:500])
    received = d.code
    break
check(received, "no submitted dossier with a reception official in the previous release's demo")
ok(f"{received} received through the API by the agency's reception official")
