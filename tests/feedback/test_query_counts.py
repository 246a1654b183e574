"""SQL queries per list of the feedback app do not grow with the number of rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories_feedback as ff
from thudo.feedback import actions

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    client.get(url)  # warm caches (grants, calendars)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _reports(p, owner, n: int) -> None:
    for _ in range(n):
        r = actions.accept(ff.report(p, by=owner, photos=[("a.jpg", ff.jpeg())]), by=p.triage)
        r = actions.handle(r, by=p.handler, answer="Đã xử lý xong.", photo_files=[("b.jpg", ff.jpeg())])
        actions.publish_answer(r, by=p.triage)
        ff.report(p, by=owner)  # one waiting for acceptance


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anonymous", "/phan-anh/"),
        ("anonymous", "/api/v1/feedback/public"),
        ("anonymous", "/open311/v2/requests.json"),
        ("owner", "/phan-anh/cua-toi/"),
        ("owner", "/api/v1/feedback"),
        ("leader", "/can-bo/phan-anh/tiep-nhan/"),
        ("leader", "/can-bo/phan-anh/"),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, who, url):
    p = ff.place()
    ff.route(p)
    owner = ff.citizen()
    people = {"owner": owner, "leader": p.leader}
    if who in people:
        client.force_login(people[who])
    _reports(p, owner, 2)
    few = _queries(client, url)
    _reports(p, owner, 4)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 6"
