"""Pages of directives and tasks (officials' workspace, Vietnamese paths)."""

from django.urls import path

from thudo.tasks import views

app_name = "tasks"

urlpatterns = [
    path("can-bo/nhiem-vu/", views.unit_tasks, name="unit"),
    path("can-bo/nhiem-vu/da-giao/", views.assigned, name="assigned"),
    path("can-bo/nhiem-vu/giao/", views.assign, name="assign"),
    path("can-bo/nhiem-vu/giao/<int:pk>/<slug:step>/", views.assign_step, name="assign_step"),
    path("can-bo/nhiem-vu/bang-theo-doi/", views.scoreboard, name="scoreboard"),
    path("can-bo/nhiem-vu/so-theo-doi.xlsx", views.register_export, name="register_export"),
    path("can-bo/nhiem-vu/ke-hoach/", views.plans, name="plans"),
    path("can-bo/nhiem-vu/ke-hoach/tao/", views.plan_create, name="plan_create"),
    path("can-bo/nhiem-vu/ke-hoach/<int:pk>/", views.plan, name="plan"),
    path("can-bo/nhiem-vu/<int:pk>/", views.detail, name="detail"),
    path("can-bo/nhiem-vu/<int:pk>/giao-tiep/", views.split, name="split"),
    path("can-bo/nhiem-vu/<int:pk>/nguoi-chu-tri/", views.designate, name="designate"),
    path("can-bo/nhiem-vu/<int:pk>/tep/<int:file_pk>/", views.task_file, name="file"),
    path("can-bo/nhiem-vu/<int:pk>/<slug:verb>/", views.act, name="act"),
]
