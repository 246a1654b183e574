"""SQL queries per request do not grow with the number of datasets (no N+1): the CKAN search,
package list, organisation list, the public catalogue page, the DCAT catalogue and the editor's
list, each asked with N and again with 3N datasets."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories_opendata as fo

pytestmark = pytest.mark.django_db

N = 4
URLS = [
    "/api/3/action/package_search?rows=100&"
    + "facet.field="
    + json.dumps(["organization", "tags", "res_format"]),
    "/api/3/action/package_list",
    "/api/3/action/organization_list?all_fields=true",
    "/api/3/action/group_list?all_fields=true",
    "/du-lieu-mo/?q=du+lieu",
    "/du-lieu-mo/chi-so/",
    "/catalog.ttl",
    "/du-lieu-mo/quan-ly/",
]


def _count(client, url) -> int:
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def _add(orgs, n):
    for org in orgs:
        for _ in range(n):
            fo.dataset(org, resources=2, tags=[{"name": "giao thông"}, {"name": "mẫu"}], groups=[])


@pytest.mark.parametrize("url", URLS)
def test_queries_do_not_grow_with_datasets(client, url):
    orgs = [fo.organisation(fo.department(f"Sở Thử Nghiệm {i}")) for i in range(2)]
    client.force_login(fo.editor(orgs[0]))
    _add(orgs, N)
    few = _count(client, url)
    _add(orgs, 2 * N)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries with {N} datasets per organisation, {many} with {3 * N}"
    assert few <= 25, f"{url}: {few} queries"
