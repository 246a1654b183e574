from django.urls import path

from thudo.security import views

app_name = "security"

urlpatterns = [
    path("xac-thuc-2-buoc/", views.verify, name="verify"),
    path("xac-thuc-2-buoc/thiet-lap/", views.setup, name="setup"),
]
