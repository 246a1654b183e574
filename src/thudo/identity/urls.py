from django.urls import path

from thudo.identity import views

app_name = "identity"

urlpatterns = [
    path("dang-ky/", views.sign_up, name="sign_up"),
    path("tai-khoan/", views.profile, name="profile"),
    path("tai-khoan/xac-thuc/", views.verify, name="verify"),
    path("tai-khoan/du-lieu/", views.export, name="export"),
]
