"""The case-scope matrix for the second half of its users (the matrix, its probes and the first
half are in test_case_scope_matrix.py): a file of its own so that xdist checks both at once."""

import pytest

from gongzhi.api.tests.test_case_scope_matrix import HALF, MATRIX_USERS, check_user, matrix  # noqa: F401
from gongzhi.api.tests.test_meetings import _frozen, discussed, issued, mw  # noqa: F401 (fixtures)


@pytest.mark.parametrize("who", MATRIX_USERS[HALF:])
def test_every_case_list_is_inside_the_scope(matrix, who):  # noqa: F811 (the imported fixture)
    check_user(matrix, who)
