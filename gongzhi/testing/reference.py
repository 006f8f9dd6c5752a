"""Reference rows that data migrations seed (categories, their policies, the inbox channel).

A transactional test ends by flushing the database, which drops these rows too; tests call
`ensure_reference_data()` so every test starts from the same street whatever ran before."""

from gongzhi.cases.models import CategoryPolicy
from gongzhi.cases.policies import seed_policies
from gongzhi.notify.models import Channel
from gongzhi.orgs.categories import SEED, seed_categories
from gongzhi.orgs.models import Category


def ensure_reference_data() -> None:
    last_code = SEED[-1][2][-1][0]
    if not Category.objects.filter(code=last_code).exists():
        seed_categories(Category)
        seed_policies(Category, CategoryPolicy)
    if not Channel.objects.filter(kind=Channel.Kind.INBOX).exists():
        Channel.objects.create(name="站内消息", kind=Channel.Kind.INBOX, active=True)
