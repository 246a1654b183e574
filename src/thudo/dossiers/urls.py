"""Pages of the dossier workflow (Vietnamese paths: the portal is Vietnamese first)."""

from django.urls import path, re_path

from thudo.dossiers import views, views_counter, views_submit

app_name = "dossiers"

urlpatterns = [
    # citizen portal
    path("ho-so/nop/<str:procedure_code>/", views_submit.start, name="submit"),
    path("ho-so/nhap/", views_submit.draft_list, name="drafts"),
    path("ho-so/nhap/<int:pk>/xoa/", views_submit.draft_discard, name="draft_discard"),
    path("ho-so/nhap/<int:pk>/<slug:step>/", views_submit.draft_step, name="draft_step"),
    path("ho-so/cua-toi/", views.mine, name="mine"),
    path("ho-so/<str:code>/", views.detail, name="detail"),
    path("ho-so/<str:code>/da-nop/", views.receipt, name="receipt"),
    path("ho-so/<str:code>/bo-sung/", views.supplement, name="supplement"),
    path("ho-so/<str:code>/rut/", views.withdraw, name="withdraw"),
    path("ho-so/<str:code>/de-nghi-dung/", views.request_withdrawal, name="request_withdrawal"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
    path("ho-so/<str:code>/thanh-toan/", views.pay, name="pay"),
    path("ho-so/<str:code>/tep/<int:pk>/", views.attachment, name="attachment"),
    path("ho-so/<str:code>/ket-qua/<int:pk>/", views.result_file, name="result"),
    path("ho-so/<str:code>/phieu/<str:form>/", views.notice_file, name="notice"),
    # public lookup (code + secret, from the QR code on the receipt)
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", views.lookup_detail, name="lookup_detail"),
    # officials' workspace
    path("can-bo/tiep-nhan/", views.reception, name="reception"),
    path("can-bo/tiep-nhan/tai-quay/", views_counter.counter, name="counter"),
    path("can-bo/ho-so/", views.work_queue, name="work_queue"),
    path("can-bo/ho-so/<str:code>/", views.work_detail, name="work_detail"),
    re_path(
        r"^can-bo/ho-so/(?P<code>[^/]+)/xem-truoc\.(?P<fmt>png|pdf)$",
        views.result_preview,
        name="result_preview",
    ),
    path("can-bo/ho-so/<str:code>/<slug:action>/", views.work_action, name="work_action"),
    path("can-bo/ky-so/", views.signing_queue, name="signing"),
    path("can-bo/so-theo-doi/", views.tracking_register, name="register"),
]
