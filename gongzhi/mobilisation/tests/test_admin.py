"""The entrances in the back office (standing data: each gate's opening hours): a block cadre
adds a gate in their block; a gate in another block is refused with the field's message and
nothing written; a committee worker, who may not mobilise, is not offered entrances; incidents
are shown, never edited."""

import pytest

from gongzhi.mobilisation.models import Entrance
from gongzhi.testing.clients import admin_client


@pytest.mark.django_db
def test_a_block_cadre_keeps_the_gates_of_their_block_only(world):
    block = admin_client(world.users["block"])  # MOBILISE over K1
    url = "/admin/mobilisation/entrance/add/"
    gate = {"node": world.tree.e1.pk, "name": "北门", "opens": "06:00", "closes": "22:00", "active": "on"}
    added = block.post(url, gate)
    assert added.status_code == 302, added.content.decode()[:2000]
    assert Entrance.objects.filter(node=world.tree.e1, name="北门").exists()
    elsewhere = block.post(url, {**gate, "node": world.tree.r3.pk, "name": "南丹东门"})  # R3 is in K2
    assert (
        elsewhere.status_code == 200 and "出入口须设在您可启动应急动员的范围内" in elsewhere.content.decode()
    )
    assert not Entrance.objects.filter(name="南丹东门").exists()
    committee = admin_client(world.users["committee"])
    assert committee.get("/admin/mobilisation/entrance/").status_code == 403
    assert block.get("/admin/mobilisation/incident/add/").status_code == 403
