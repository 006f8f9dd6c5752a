"""One small demo street for every module of this package, generated once and removed after.

Generating a street is the heaviest setup in the suite; the four modules here (generator,
community, orders, care) each read a different side of the same street, so they share one
(the root conftest's scheduler keeps this package on one xdist worker, in one run). Tests roll
back their own changes, so each module still starts from the street as generated."""

import pytest
from django.test import override_settings

from gongzhi.demo.generator import generate
from gongzhi.demo.reset import reset_demo
from gongzhi.demo.tests.street.shared import NOW, SCALE, SEED
from gongzhi.testing.reference import ensure_reference_data


@pytest.fixture(scope="package")
def media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The street's media folder: consent scans and pledge files are written there and read back
    (mktemp numbers folders per session, so another module may hold "media0")."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="package", autouse=True)
def street(django_db_setup, django_db_blocker, media_root):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), override_settings(DEBUG=True, MEDIA_ROOT=str(media_root)):
        ensure_reference_data()  # an earlier module's transactional test may have flushed it
        summary = generate(seed=SEED, scale=SCALE, now=NOW)
        yield summary
        reset_demo()
