"""Demo content of the signing app: the demo CA and a signing certificate for every leader."""

from django.utils.translation import gettext as _

from thudo.core.models import Role, RoleGrant
from thudo.signing import pki
from thudo.signing.models import SigningCredential


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    pki.ensure_demo_ca()
    grants = list(RoleGrant.objects.filter(role=Role.LEADER).select_related("user", "agency").order_by("pk"))
    for i, grant in enumerate(grants, start=1):
        has_one = (
            SigningCredential.objects.filter(user=grant.user, agency=grant.agency, revoked_at__isnull=True)
            .exclude(p12_path="")
            .exists()
        )
        if not has_one:
            pki.issue_certificate(grant.user, title=str(Role.LEADER.label), agency=grant.agency)
        progress(_("Chứng thư ký số của lãnh đạo"), i, len(grants))
    stdout.write(_("Tổ chức cấp chứng thư thử nghiệm: %(path)s\n") % {"path": pki.ca_pem_path()})
    return []
