"""DCAT-AP for harvesters (O4): the catalogue parses with rdflib in the three formats, every
dataset has a Vietnamese title and description and a distribution with an access URL, and
``modified_since`` keeps only what changed."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests import factories_opendata as fo
from thudo.opendata.models import Dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    org = fo.organisation()
    old = fo.dataset(org, name="cu", title="Bộ cũ", notes="Mô tả bộ cũ", tags=[{"name": "giao thông"}])
    Dataset.objects.filter(pk=old.pk).update(metadata_modified=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    fo.dataset(org, name="moi", title="Bộ mới", notes="", frequency="MONTHLY", temporal_start="2025-01-01")
    fo.dataset(org, name="kin", title="Bộ không công khai", private=True)
    return org


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_the_catalogue_parses_and_every_dataset_is_complete(client, catalogue, fmt, parser):
    answer = client.get(f"/catalog.{fmt}")
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.content, format=parser)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2  # the private one is not published
    for node in datasets:
        titles = list(graph.objects(node, DCTERMS.title))
        descriptions = list(graph.objects(node, DCTERMS.description))
        assert titles and all(t.language == "vi" for t in titles)
        assert descriptions and all(d.language == "vi" and str(d) for d in descriptions)
        distributions = list(graph.objects(node, DCAT.distribution))
        assert distributions
        assert all(list(graph.objects(d, DCAT.accessURL)) for d in distributions)


def test_modified_since_keeps_only_recent_changes(client, catalogue):
    graph = Graph().parse(
        data=client.get("/catalog.ttl", {"modified_since": "2026-01-01"}).content, format="turtle"
    )
    titles = {str(t) for n in graph.subjects(RDF.type, DCAT.Dataset) for t in graph.objects(n, DCTERMS.title)}
    assert titles == {"Bộ mới"}
    assert client.get("/catalog.ttl", {"modified_since": "hôm qua"}).status_code == 400
    assert client.get("/catalog.csv").status_code == 404
