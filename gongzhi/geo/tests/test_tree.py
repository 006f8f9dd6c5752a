import pytest
from django.core.exceptions import ValidationError

from gongzhi.geo import selectors, services
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node, NodeChange


def test_subtree_is_one_prefix_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = set(selectors.descendants(tree.k1).values_list("code", flat=True))
    assert codes == {"S-K1", "S-R1", "S-R2", "S-R1-E1", "S-R1-G1", "S-R1-G2", "S-R1-B1", "S-R1-H101"}


def test_households_under_block(tree):
    households = selectors.descendants(tree.k1, level=Level.HOUSEHOLD)
    assert list(households.values_list("code", flat=True)) == ["S-R1-H101"]
    assert not selectors.descendants(tree.k2, level=Level.HOUSEHOLD).exists()


def test_move_rewrites_subtree_paths_and_keeps_history(tree):
    services.node_move(actor=None, node=tree.r1, new_parent=tree.k2, note="调整块区")
    h1 = Node.objects.get(code="S-R1-H101")
    assert h1.path == "/S/S-K2/S-R1/S-R1-E1/S-R1-G1/S-R1-B1/S-R1-H101/"
    assert set(selectors.descendants(tree.k2, level=Level.HOUSEHOLD).values_list("code", flat=True)) == {
        "S-R1-H101"
    }
    change = NodeChange.objects.get(node=tree.r1, kind=NodeChange.Kind.MOVE)
    assert change.before["parent"] == "S-K1" and change.after["parent"] == "S-K2"


def test_move_into_own_subtree_is_refused_and_changes_nothing(tree):
    with pytest.raises(ValidationError) as exc:
        services.node_move(actor=None, node=tree.k1, new_parent=tree.r1)
    assert "parent" in exc.value.message_dict
    assert Node.objects.get(code="S-R1").path == "/S/S-K1/S-R1/"


def test_wrong_level_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        services.node_create(actor=None, code="X1", name="错层户", level=Level.HOUSEHOLD, parent=tree.r1)
    assert "户不能挂在居民区下" in exc.value.message_dict["parent"][0]
    assert not Node.objects.filter(code="X1").exists()


def test_duplicate_code_is_refused(tree):
    with pytest.raises(ValidationError):
        services.node_create(actor=None, code="S-R1", name="重复", level=Level.AREA, parent=tree.k1)


def test_rename_keeps_old_name_in_history(tree):
    services.node_update(actor=None, node=tree.r1, name="东安新村居民区")
    change = NodeChange.objects.get(node=tree.r1, kind=NodeChange.Kind.RENAME)
    assert change.before["name"] == "东安居民区"
    assert change.after["name"] == "东安新村居民区"


def test_geojson_export(tree):
    services.node_update(actor=None, node=tree.b1, geometry={"type": "Point", "coordinates": [121.45, 31.19]})
    fc = selectors.geojson_feature_collection(selectors.descendants(tree.e1))
    by_code = {f["id"]: f for f in fc["features"]}
    assert by_code["S-R1-B1"]["geometry"]["coordinates"] == [121.45, 31.19]
    assert by_code["S-R1-B1"]["properties"]["parent"] == "S-R1-G1"
