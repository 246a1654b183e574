from django.urls import path

from thudo.opendata import ckan_api

urlpatterns = [path("<str:name>", ckan_api.action)]
