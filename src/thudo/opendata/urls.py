from django.urls import path

from thudo.opendata import views

app_name = "opendata"

urlpatterns = [
    path("du-lieu-mo/", views.catalogue, name="catalogue"),
    path("du-lieu-mo/chi-so/", views.indicators_page, name="indicators"),
    path("du-lieu-mo/quan-ly/", views.editor, name="editor"),
    path("du-lieu-mo/quan-ly/tao-moi/", views.dataset_new, name="dataset_new"),
    path("du-lieu-mo/bo/<slug:name>/", views.dataset, name="dataset"),
    path("du-lieu-mo/bo/<slug:name>/them-tai-nguyen/", views.resource_new, name="resource_new"),
    path("du-lieu-mo/bo/<slug:name>/cong-khai/", views.dataset_visibility, name="visibility"),
    path("du-lieu-mo/tai-nguyen/<uuid:resource_id>/<str:filename>", views.download, name="download"),
    path("catalog.<str:fmt>", views.catalog_rdf, name="catalog"),
]
