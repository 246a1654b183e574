from django.urls import path

from thudo.core import views

app_name = "core"

urlpatterns = [
    path("units/", views.unit_list, name="units"),
    path("units/<str:scheme>/<str:code>/", views.unit_detail, name="unit"),
    path("calendar/due/", views.due, name="due"),
]
