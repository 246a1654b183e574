from django.urls import path

from thudo.procedures import views

app_name = "procedures"

urlpatterns = [
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/<str:code>/", views.detail, name="detail"),
]
