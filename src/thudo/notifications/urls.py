from django.urls import path

from thudo.notifications import views

app_name = "notifications"

urlpatterns = [
    path("thong-bao/", views.notification_list, name="list"),
    path("thong-bao/<int:pk>/da-doc/", views.mark_read, name="mark_read"),
    path("thong-bao/da-doc-het/", views.mark_all_read, name="mark_all_read"),
    path("hop-thu/", views.mailbox, name="mailbox"),
]
