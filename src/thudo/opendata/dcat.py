"""The catalogue as DCAT-AP (Turtle, JSON-LD, RDF/XML) for national harvesters, following the
ckanext-dcat mapping: title→dct:title, notes→dct:description, tags→dcat:keyword,
groups→dcat:theme, frequency→dct:accrualPeriodicity (EU frequency authority table), resources→
dcat:Distribution with dcat:accessURL. Text is Vietnamese, tagged ``@vi``."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from thudo.core.context import absolute_url
from thudo.opendata.ckan import resource_url
from thudo.opendata.licences import LICENCES
from thudo.opendata.models import Dataset

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
LANG_VI = URIRef("http://publications.europa.eu/resource/authority/language/VIE")
FORMATS = {"json-ld": "json-ld", "jsonld": "json-ld", "ttl": "turtle", "rdf": "xml", "xml": "xml"}
CONTENT_TYPES = {
    "json-ld": "application/ld+json",
    "turtle": "text/turtle",
    "xml": "application/rdf+xml",
}


def _vi(text: str) -> Literal:
    return Literal(text, lang="vi")


def graph(datasets: Iterable[Dataset]) -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        g.bind(prefix, ns)
    catalog = URIRef(absolute_url("/catalog"))
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, _vi("Danh mục dữ liệu mở Thủ đô số")))
    g.add((catalog, DCTERMS.description, _vi("Dữ liệu mở do các cơ quan của thành phố công bố")))
    g.add((catalog, DCTERMS.language, LANG_VI))
    g.add((catalog, FOAF.homepage, URIRef(absolute_url(reverse("opendata:catalogue")))))
    for dataset in datasets:
        _dataset(g, catalog, dataset)
    return g


def _dataset(g: Graph, catalog: URIRef, dataset: Dataset) -> None:
    page = absolute_url(reverse("opendata:dataset", kwargs={"name": dataset.name}))
    node = URIRef(page)
    g.add((catalog, DCAT.dataset, node))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    g.add((node, DCTERMS.title, _vi(dataset.title)))
    g.add((node, DCTERMS.description, _vi(dataset.notes or dataset.title)))
    g.add((node, DCAT.landingPage, URIRef(dataset.url or page)))
    g.add((node, DCTERMS.issued, Literal(dataset.metadata_created.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(dataset.metadata_modified.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.language, LANG_VI))
    g.add((node, DCTERMS.accrualPeriodicity, FREQ[dataset.frequency]))
    for tag in dataset.tags.all():
        g.add((node, DCAT.keyword, _vi(tag.name)))
    for group in dataset.groups.all():
        g.add((node, DCAT.theme, URIRef(absolute_url(f"/du-lieu-mo/?groups={group.name}"))))
    org = dataset.organisation
    publisher = URIRef(absolute_url(f"/du-lieu-mo/?organization={org.name}"))
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, _vi(org.title)))
    g.add((publisher, DCTERMS.identifier, Literal(org.agency.code)))
    if dataset.contact_name or dataset.contact_email:
        contact = BNode()
        g.add((node, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, _vi(dataset.contact_name or org.title)))
        if dataset.contact_email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    if dataset.spatial:
        place = BNode()
        g.add((node, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, FOAF.name, _vi(dataset.spatial)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, Literal(dataset.temporal_start.isoformat(), datatype=XSD.date)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, Literal(dataset.temporal_end.isoformat(), datatype=XSD.date)))
    licence = LICENCES.get(dataset.license_id)
    for resource in dataset.resources.all():
        dist = URIRef(f"{page}#resource-{resource.pk}")
        g.add((node, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, _vi(resource.name)))
        if resource.description:
            g.add((dist, DCTERMS.description, _vi(resource.description)))
        url = URIRef(resource_url(resource))
        g.add((dist, DCAT.accessURL, url))
        if resource.file:
            g.add((dist, DCAT.downloadURL, url))
        if resource.format:
            g.add((dist, DCTERMS["format"], Literal(resource.format)))
        if resource.mimetype:
            g.add(
                (
                    dist,
                    DCAT.mediaType,
                    URIRef(f"https://www.iana.org/assignments/media-types/{resource.mimetype}"),
                )
            )
        if resource.size is not None:
            g.add((dist, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.modified, Literal(resource.last_modified.isoformat(), datatype=XSD.dateTime)))
        if licence:
            g.add((dist, DCTERMS.license, URIRef(licence.url)))
