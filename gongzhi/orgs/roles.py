"""Unit kinds, post roles and the 1+8+X meeting roles, as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("区级机关")
    STREET_OFFICE = "street_office", _("街道办事处")
    DEPARTMENT = "department", _("职能部门")
    POLICE = "police", _("派出所")
    URBAN_MANAGEMENT = "urban_management", _("城管执法中队")
    MARKET_SUPERVISION = "market_supervision", _("市场监管所")
    HOUSING = "housing", _("房管办")
    HEALTH = "health", _("社区卫生服务中心")
    LEGAL = "legal", _("司法所")
    RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY = "property", _("物业服务企业")
    CO_BUILDING = "co_building", _("共建单位")
    ENTERPRISE = "enterprise", _("非公企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    LAW_FIRM = "law_firm", _("律师事务所")
    CULTURE = "culture", _("文化团队")
    VOLUNTEER = "volunteer", _("志愿者队伍")


class PostRole(models.TextChoices):
    """What a post-holder does in the product; orgs.access turns it into powers."""

    # A district's staff (docs/tenancy.md) oversee the streets under the district node.
    DISTRICT_ADMIN = "district_admin", _("区管理员")
    DISTRICT_CADRE = "district_cadre", _("区干部")
    STREET_CADRE = "street_cadre", _("街道干部")
    STREET_ADMIN = "street_admin", _("街道管理员")
    AUDITOR = "auditor", _("审计员")
    BLOCK_CADRE = "block_cadre", _("块区干部")
    PARTY_SECRETARY = "party_secretary", _("居民区党组织书记")
    COMMITTEE_STAFF = "committee_staff", _("居委会社工")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPARTMENT = "department", _("职能部门人员")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    PARTNER = "partner", _("共治成员")


class MeetingRole(models.TextChoices):
    """Seats at the 居务会: 1 (Party organisation) + 8 fixed roles + X."""

    PARTY_ORG = "party_org", _("居民区党组织")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY = "property", _("物业")
    POLICE = "police", _("社区民警")
    URBAN_MANAGEMENT = "urban_management", _("城管执法")
    MARKET_SUPERVISION = "market_supervision", _("市场监管")
    HOUSING = "housing", _("房管办")
    STREET_LIAISON = "street_liaison", _("街道联络员")
    DEPUTY = "deputy", _("两代表一委员")
    CO_BUILDING = "co_building", _("共建单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    LAWYER = "lawyer", _("特约律师")
    CULTURE = "culture", _("文化团队")
    VOLUNTEER = "volunteer", _("志愿者")
    PARTY_MEMBER_REP = "party_member_rep", _("党员代表")
    RESIDENT_REP = "resident_rep", _("居民代表")


THE_ONE = MeetingRole.PARTY_ORG
THE_EIGHT = (
    MeetingRole.RESIDENTS_COMMITTEE,
    MeetingRole.OWNERS_COMMITTEE,
    MeetingRole.PROPERTY,
    MeetingRole.POLICE,
    MeetingRole.URBAN_MANAGEMENT,
    MeetingRole.MARKET_SUPERVISION,
    MeetingRole.HOUSING,
    MeetingRole.STREET_LIAISON,
)


class PartyOrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", _("街道党工委")
    BLOCK_GROUP = "block_group", _("块区党的工作小组")
    COMMITTEE = "committee", _("社区党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class MemberType(models.TextChoices):
    """How a Party member is managed (docs/domain.md §4)."""

    IN_SERVICE = "in_service", _("在职党员（积分式）")
    RETIRED = "retired", _("退休党员（关爱式）")
    MOBILE = "mobile", _("流动党员（动态式）")
    NEW_ORG = "new_org", _("新经济组织党员（互动式）")
    IN_DIFFICULTY = "in_difficulty", _("困难党员（帮扶式）")
