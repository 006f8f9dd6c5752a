"""The case-scope matrix for the second half of its users (the matrix, its probes and the first
half are in test_case_scope_matrix.py): a file of its own so that xdist checks both at once."""

import pytest

from gongzhi.api.tests.test_case_scope_matrix import (  # noqa: F401 (the module's world and its fixtures)
    HALF,
    MATRIX_USERS,
    check_user,
    matrix,
)
from gongzhi.api.tests.test_meetings import _frozen  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db  # each test reads the module's world in a transaction of its own


@pytest.mark.parametrize("who", MATRIX_USERS[HALF:])
def test_every_case_list_is_inside_the_scope(matrix, who):  # noqa: F811 (the imported fixture)
    check_user(matrix, who)
