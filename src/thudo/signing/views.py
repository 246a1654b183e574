"""Public pages: upload a PDF to check it; the facts of an issued file (reached by QR code)."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from thudo.core.errors import DomainError, NotFound
from thudo.signing import queries
from thudo.signing.api import read_upload
from thudo.signing.verify import verify_pdf


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp PDF cần xác thực"),
        help_text=_("Tệp PDF do cơ quan nhà nước trên Thủ đô số cấp, tối đa 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def verify_page(request):
    report = None
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    if request.method == "POST" and form.is_valid():
        try:
            report = verify_pdf(read_upload(form.cleaned_data["file"]))
        except DomainError as exc:
            form.add_error("file", exc.message)
    status = 200 if request.method == "GET" or report is not None else 422
    context = {
        "form": form,
        "report": report,
        "anchors": queries.trust_anchors(),
        "signers": queries.signer_certificates(),
    }
    return render(request, "signing/verify.html", context, status=status)


def certificate_download(request, kind: str, pk: str, fmt: str):
    """A published certificate (the platform CA, or a signer's certificate or chain)."""
    try:
        content, name = queries.certificate_file(kind, int(pk), fmt)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    content_type = "application/x-pem-file" if fmt == "pem" else "application/pkix-cert"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def issued_page(request, sha256: str):
    try:
        doc = queries.issued_document(sha256, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "signing/issued.html", {"doc": doc})
