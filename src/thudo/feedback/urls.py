"""Pages of citizen feedback (Vietnamese paths)."""

from django.urls import path

from thudo.feedback import open311, views

app_name = "feedback"

urlpatterns = [
    # public and citizens
    path("phan-anh/", views.public_list, name="public_list"),
    path("phan-anh/gui/", views.report_start, name="report"),
    path("phan-anh/nhap/<int:pk>/<slug:step>/", views.draft_step, name="draft_step"),
    path("phan-anh/cua-toi/", views.mine, name="mine"),
    path("phan-anh/cua-toi/<str:code>/", views.mine_detail, name="mine_detail"),
    path("phan-anh/cua-toi/<str:code>/<slug:action>/", views.own_action, name="own_action"),
    path("phan-anh/anh/<int:pk>/", views.photo, name="photo"),
    path("phan-anh/<str:code>/", views.public_detail, name="public_detail"),
    # Open311 GeoReport v2 (JSON)
    path("open311/v2/services.json", open311.services, name="open311_services"),
    path("open311/v2/services/<str:code>.json", open311.service_definition, name="open311_service"),
    path("open311/v2/requests.json", open311.requests, name="open311_requests"),
    path("open311/v2/requests/<str:request_id>.json", open311.request_detail, name="open311_request"),
    # officials
    path("can-bo/phan-anh/tiep-nhan/", views.triage, name="triage"),
    path("can-bo/phan-anh/", views.unit_queue, name="unit_queue"),
    path("can-bo/phan-anh/<str:code>/", views.work_detail, name="work_detail"),
    path("can-bo/phan-anh/<str:code>/<slug:action>/", views.work_action, name="work_action"),
]
