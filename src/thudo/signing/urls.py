from django.urls import path, re_path

from thudo.signing import views

app_name = "signing"

urlpatterns = [
    path("xac-thuc/", views.verify_page, name="verify"),
    re_path(r"^xac-thuc/(?P<sha256>[0-9a-fA-F]{64})/$", views.issued_page, name="issued"),
]
