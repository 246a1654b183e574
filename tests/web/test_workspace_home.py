"""Officials land on their work (issue 11, item 6): after signing in, the workspace home counts
what waits in each queue and links to it; a dossier forwarded to the whole section (no assignee)
is in each member's own queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.e2e.journeys import PASSWORD, make_world, submit_online
from thudo.dossiers import actions, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def tiles(client, user) -> dict[str, tuple[int, str]]:
    """{kind: (count, link)} as the workspace home shows them."""
    client.force_login(user)
    response = client.get("/workspace/")
    assert response.status_code == 200
    return {t["kind"]: (t["count"], t["url"]) for t in response.context["tiles"]}


def test_an_official_signing_in_lands_on_the_workspace_and_a_citizen_on_the_portal(client, world):
    response = client.post("/login/", {"username": "motcua", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    client.logout()
    response = client.post("/login/", {"username": "congdan", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    client.logout()
    response = client.post("/login/?next=/can-bo/ky-so/", {"username": "lanhdao", "password": PASSWORD})
    assert response["Location"] == "/can-bo/ky-so/"  # a page asked for still wins


def test_counts_link_to_the_filtered_queues(client, world):
    month_ago = timezone.now() - timedelta(days=30)
    late = submit_online(world, now=month_ago)
    actions.receive(late, by=world.reception, now=month_ago)
    submit_online(world)  # waits for reception
    reception = tiles(client, world.reception)
    assert reception["reception"] == (1, "/can-bo/tiep-nhan/")
    assert reception["overdue"] == (1, "/can-bo/ho-so/?tab=overdue")
    assert "signing" not in reception  # a one-stop officer does not sign
    page = client.get("/workspace/").content.decode()
    assert "Chờ tiếp nhận, trả kết quả" in page and 'href="/can-bo/ho-so/?tab=due_soon"' in page
    client.logout()
    specialist = tiles(client, world.specialist)
    assert "reception" not in specialist and specialist["due_soon"][1] == "/can-bo/ho-so/?tab=due_soon"
    client.logout()
    assert tiles(client, world.leader)["signing"] == (0, "/can-bo/ky-so/")


def test_due_soon_counts_dossiers_due_within_one_working_day_on_the_calendar(client, world):
    # received four working days before it is due (3-day procedure): not yet due soon
    d = submit_online(world)
    actions.receive(d, by=world.reception)
    assert tiles(client, world.specialist)["due_soon"][0] == 0
    d.refresh_from_db()
    # one hour before the due moment: due within one working day, not overdue
    counts = queries.workspace_counts(world.specialist, now=d.due_at - timedelta(hours=1))
    assert counts["due_soon"] == 1 and counts["overdue"] == 0
    counts = queries.workspace_counts(world.specialist, now=d.due_at + timedelta(hours=1))
    assert counts["due_soon"] == 0 and counts["overdue"] == 1


def test_a_dossier_forwarded_to_the_whole_section_is_in_each_members_queue(client, world):
    colleague = factories.official(role="specialist", agency=world.agency, username="chuyenvien2")
    stranger = factories.official(role="specialist", agency=world.other_agency, username="chuyenvien.khac")
    d = submit_online(world)
    actions.receive(d, by=world.reception)
    actions.forward(d, by=world.reception)  # to the specialists' step, nobody named
    d.refresh_from_db()
    assert d.assignee_id is None and d.current_step.role == "specialist"
    for member in (world.specialist, colleague):
        client.force_login(member)
        assert d.code in client.get("/can-bo/ho-so/").content.decode()  # the default queue: "mine"
        assert tiles(client, member)["mine"][0] == 1
        client.logout()
    client.force_login(stranger)
    assert d.code not in client.get("/can-bo/ho-so/").content.decode()
    client.logout()
    # the one-stop officer (another role) does not get it in their own queue
    assert queries.queue(world.reception, kind="mine").count() == 0
    # once assigned to one person, it leaves the others' queues
    actions.forward(d, by=world.specialist, assignee=world.leader)
    assert queries.queue(colleague, kind="mine").count() == 0
    assert queries.queue(world.leader, kind="mine").count() == 1
