from django.urls import path, re_path

from thudo.signing import views

app_name = "signing"

urlpatterns = [
    path("xac-thuc/", views.verify_page, name="verify"),
    re_path(r"^xac-thuc/(?P<sha256>[0-9a-fA-F]{64})/$", views.issued_page, name="issued"),
    re_path(
        r"^xac-thuc/chung-thu/(?P<kind>ca|signer)-(?P<pk>[0-9]{1,18})\.(?P<fmt>pem|der)$",
        views.certificate_download,
        name="certificate",
    ),
]
