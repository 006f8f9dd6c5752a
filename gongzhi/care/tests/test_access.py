"""Who sees a care subject: the posts that serve them, the committee of their area and the
cadres above, the auditor; another grid worker, another area's committee, a department: no."""

import pytest

from gongzhi.care import selectors
from gongzhi.care.choices import SubjectKind
from gongzhi.testing.factories import PersonFactory


@pytest.mark.django_db
def test_each_role_sees_the_subjects_it_should(world):
    seen = {who: list(selectors.subjects(user=user)) for who, user in world.users.items()}
    expected = {"committee", "grid", "volunteer", "street_admin", "auditor"}
    assert {who for who, found in seen.items() if found == [world.subject]} == expected
    assert {who for who, found in seen.items() if not found} == set(world.users) - expected
    assert selectors.subject_get(user=world.users["dept"], pk=world.subject.pk) is None
    assert selectors.subject_get(user=world.users["grid"], pk=world.subject.pk) == world.subject


@pytest.mark.django_db
def test_candidates_are_suggested_never_enrolled(world):
    PersonFactory(name="赵阿婆", home=world.tree.h1, birth_date="1938-01-01", lives_alone=True)
    PersonFactory(name="钱老伯", home=world.tree.h1, birth_date="1960-06-01", lives_alone=True)
    PersonFactory(name="孙先生", home=world.tree.h1, birth_date="1950-06-01", lives_alone=False)
    found = {c.person.name: c.kind for c in selectors.candidates(user=world.users["committee"])}
    assert found == {"赵阿婆": SubjectKind.ALONE_80, "钱老伯": SubjectKind.ALONE_60}  # 张阿婆 is enrolled
    assert selectors.candidates(user=world.users["grid"]) == []
    assert selectors.candidates(user=world.users["committee_r3"]) == []
