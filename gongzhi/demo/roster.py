"""The 三定 roster of the demo street: units, staff and posts, built in memory.

Per residential area a full 1+8+X seat list for its 居务会 (orgs.roles.THE_ONE, THE_EIGHT and a
few X seats), committee staff and a grid worker on every grid; block cadres per block; street
cadres, a street admin and an auditor; department posts that answer for categories, each
with a deputy (AB岗).
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import translation

from gongzhi.cases import policies
from gongzhi.demo import calibration as cal
from gongzhi.demo import names
from gongzhi.demo.district import current
from gongzhi.demo.records import Street
from gongzhi.geo.models import Node
from gongzhi.orgs.models import DualRegistration, Person, Post, Unit
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind

# Categories (orgs.categories.SEED codes) each department answers for.
DEPARTMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    UnitKind.URBAN_MANAGEMENT: (
        "JY01", "JY02", "JY03", "JY06", "JY07", "WJ01", "HJ07", "HJ08", "SG01", "SG02", "SG04",
    ),
    UnitKind.MARKET_SUPERVISION: ("JY03", "JY11"),
    UnitKind.HOUSING: ("FW01", "FW02", "FW03", "FW04", "FW05", "FW06", "WY05", "WY06"),
    UnitKind.POLICE: ("AQ01", "AQ02", "AQ03", "AQ04", "AQ05", "JY10"),
    UnitKind.DEPARTMENT: (
        "HJ06", "HJ10", "HJ12", "JY08", "SS01", "SS02", "SS03", "SS04", "SS05", "SS06", "SS07", "SS08",
        "SS09", "SS11",
    ),
    UnitKind.HEALTH: ("MS05",),
    UnitKind.LEGAL: ("MS08",),
}  # fmt: skip
# The street's other departments (after the areas, so the earlier staff keep their numbers):
# municipal works, the health centre and the justice office, each answering for its categories.
MORE_DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    (UnitKind.DEPARTMENT, "SZ", "区市政市容管理所枫林站", "市政市容站站长"),
    (UnitKind.HEALTH, "WS", "枫林社区卫生服务中心", "家庭医生团队负责人"),
    (UnitKind.LEGAL, "SF", "枫林司法所", "司法所所长"),
)
# An estate's property company answers for the matters its policy makes it lead (cases.policies).
PROPERTY_CATEGORIES: tuple[str, ...] = tuple(
    code for code, rule in policies.SEED.items() if rule[2] == UnitKind.PROPERTY
)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    # (unit kind, code suffix, unit name, lead title)
    (UnitKind.POLICE, "PCS", "枫林派出所", "派出所社区警务队长"),
    (UnitKind.URBAN_MANAGEMENT, "CG", "区城管执法局枫林中队", "城管中队长"),
    (UnitKind.MARKET_SUPERVISION, "SJ", "区市场监管局枫林市场监管所", "市场监管所所长"),
    (UnitKind.HOUSING, "FG", "枫林房管办", "房管办主任"),
)
STREET_CADRE_TITLES = (
    "党政办公室主任",
    "社区自治办主任",
    "社区平安办主任",
    "社区管理办主任",
    "社区服务办主任",
    "党建办主任",
    "营商办主任",
    "城运中心主任",
)
SEAT_DUTIES: dict[str, str] = {
    MeetingRole.PARTY_ORG: "主持居务会，把关议题，统领决策，督办落实，评议结果",
    MeetingRole.RESIDENTS_COMMITTEE: "召集居务会，汇总问题清单，跟踪任务流转单",
    MeetingRole.OWNERS_COMMITTEE: "代表业主参与议事，落实业主大会决定",
    MeetingRole.PROPERTY: "落实物业服务事项，配合整治与维修",
    MeetingRole.POLICE: "治安隐患、邻里纠纷、群租整治中的执法",
    MeetingRole.URBAN_MANAGEMENT: "违法搭建、占道经营、跨门营业的执法",
    MeetingRole.MARKET_SUPERVISION: "无证经营、食品安全的监管",
    MeetingRole.HOUSING: "群租、短租、房屋维修与物业监管",
    MeetingRole.STREET_LIAISON: "联系居民区，协调街道资源，跟进上报事项",
}
# The roster's English (Post.title_en / duty_en, shown in English mode): titles are the
# street's own words, so the demo writes them as a street would in its import sheet.
TITLES_EN: dict[str, str] = {
    "系统管理员": "System administrator",
    "个人信息审计员": "Personal-data auditor",
    "党政办公室主任": "Director, Party and Government Office",
    "社区自治办主任": "Director, Community Self-Governance Office",
    "社区平安办主任": "Director, Community Safety Office",
    "社区管理办主任": "Director, Community Management Office",
    "社区服务办主任": "Director, Community Services Office",
    "党建办主任": "Director, Party Building Office",
    "营商办主任": "Director, Business Environment Office",
    "城运中心主任": "Director, City Operations Centre",
    "块区党的工作小组组长": "Leader, block-area Party work group",
    "块区联络干部": "Block-area liaison cadre",
    "派出所社区警务队长": "Community policing team leader",
    "城管中队长": "Urban-management squadron leader",
    "市场监管所所长": "Head of the market supervision office",
    "房管办主任": "Director of the housing office",
    "居民区党组织书记": "Party secretary of the residential area",
    "居委会主任": "Director of the residents' committee",
    "居委会副主任": "Deputy director of the residents' committee",
    "社工（民政）": "Social worker (civil affairs)",
    "社工（综治）": "Social worker (public safety)",
    "社工（文教）": "Social worker (culture and education)",
    "社工（卫生）": "Social worker (health)",
    "社工（物业）": "Social worker (property)",
    "业委会主任": "Chair of the owners' committee",
    "物业项目经理": "Property project manager",
    "社区民警": "Community police officer",
    "城管执法队员": "Urban-management enforcement officer",
    "市场监管员": "Market supervision officer",
    "房管员": "Housing officer",
    "街道联络员": "Street liaison cadre",
    "网格员": "Grid worker",
    "市政市容站站长": "Head of the municipal works and city appearance station",
    "家庭医生团队负责人": "Head of the family-doctor team",
    "司法所所长": "Head of the justice office",
}
GRID_DUTY = "巡查发现问题，上报并跟踪处置，走访独居老人"
DUTIES_EN: dict[str, str] = {
    SEAT_DUTIES[MeetingRole.PARTY_ORG]: (
        "Chairs the residential affairs meeting, vets its topics, leads its decisions, "
        "supervises their delivery and evaluates the results"
    ),
    SEAT_DUTIES[MeetingRole.RESIDENTS_COMMITTEE]: (
        "Convenes the residential affairs meeting, compiles the list of problems, follows up the task slips"
    ),
    SEAT_DUTIES[MeetingRole.OWNERS_COMMITTEE]: (
        "Speaks for the owners in deliberations and carries out the owners' assembly's decisions"
    ),
    SEAT_DUTIES[MeetingRole.PROPERTY]: "Delivers property services and helps with clean-ups and repairs",
    SEAT_DUTIES[MeetingRole.POLICE]: (
        "Enforcement against security risks, neighbour disputes and overcrowded rentals"
    ),
    SEAT_DUTIES[MeetingRole.URBAN_MANAGEMENT]: (
        "Enforcement against illegal structures, street vending and trading outside shop doors"
    ),
    SEAT_DUTIES[MeetingRole.MARKET_SUPERVISION]: "Supervision of unlicensed businesses and food safety",
    SEAT_DUTIES[MeetingRole.HOUSING]: (
        "Overcrowded and short-term rentals, housing repairs and supervision of property management"
    ),
    SEAT_DUTIES[MeetingRole.STREET_LIAISON]: (
        "Liaises with the residential area, brings in the street's resources, follows up reported matters"
    ),
    GRID_DUTY: "Patrols for problems, reports them and follows them up; visits older people living alone",
}
X_OPTIONAL = (
    MeetingRole.DEPUTY,
    MeetingRole.SOCIAL_ORG,
    MeetingRole.CULTURE,
    MeetingRole.PARTY_MEMBER_REP,
    MeetingRole.RESIDENT_REP,
)
SERVICE_OFFERS = (
    "义诊进社区",
    "法律咨询",
    "助老志愿服务",
    "政策宣讲",
    "文化活动场地",
    "环境整治",
    "就业指导",
)


def _seat_in_english(meeting_role: str, title: str) -> str:
    """An X seat's post is titled by its seat: its English is the seat's catalog label."""
    if not meeting_role or title != str(MeetingRole(meeting_role).label):
        return ""
    with translation.override("en"):
        return str(MeetingRole(meeting_role).label)


@dataclass
class Roster:
    units: list[Unit] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    post_categories: list[tuple[Post, tuple[str, ...]]] = field(default_factory=list)
    registrations: list[DualRegistration] = field(default_factory=list)


class RosterBuilder:
    def __init__(self, street: Street) -> None:
        self.s = street
        self.rng: random.Random = street.rng("roster")
        self.out = Roster()
        self.tree = street.tree

    # --- small constructors -----------------------------------------------------------------

    def unit(self, code: str, name: str, kind: str, node: Node, address: str = "") -> Unit:
        unit = Unit(
            code=code,
            name=current().local(name),
            kind=kind,
            node=node,
            address=address or node.address,
            office_phone=self.s.book.phone(),
        )
        self.out.units.append(unit)
        return unit

    def post(
        self,
        code: str,
        unit: Unit,
        node: Node,
        title: str,
        person: Person,
        role: str,
        *,
        meeting_role: str = "",
        deputy: Person | None = None,
        categories: tuple[str, ...] = (),
        duty: str = "",
    ) -> Post:
        duty = duty or SEAT_DUTIES.get(meeting_role, "")
        post = Post(
            code=code,
            unit=unit,
            node=node,
            title=title,
            title_en=TITLES_EN.get(title) or _seat_in_english(meeting_role, title),
            duty=duty,
            duty_en=DUTIES_EN.get(duty, ""),
            person=person,
            deputy=deputy,
            role=role,
            meeting_role=meeting_role,
            active_from=date(2021, 1, 1) + timedelta(days=self.rng.randrange(4 * 365)),
        )
        self.out.posts.append(post)
        if categories:
            self.out.post_categories.append((post, categories))
        return post

    def staff(self) -> Person:
        return self.s.new_staff(self.rng)

    # --- the roster ----------------------------------------------------------------------------

    def build(self) -> Roster:
        street = self.tree.street
        office = self.unit(current().code_of("U-JDB"), "枫林街道办事处", UnitKind.STREET_OFFICE, street)
        self.post(
            current().code_of("POST-ADMIN"), office, street, "系统管理员", self.staff(), PostRole.STREET_ADMIN
        )
        self.post(
            current().code_of("POST-AUDIT"), office, street, "个人信息审计员", self.staff(), PostRole.AUDITOR
        )
        for i, title in enumerate(STREET_CADRE_TITLES):
            self.post(
                current().code_of(f"POST-JD{i + 1:02d}"),
                office,
                street,
                title,
                self.staff(),
                PostRole.STREET_CADRE,
            )
        for k, block in enumerate(self.tree.blocks):
            for j in range(2):
                title = "块区党的工作小组组长" if j == 0 else "块区联络干部"
                self.post(
                    current().code_of(f"POST-K{k + 1}-{j + 1}"),
                    office,
                    block,
                    title,
                    self.staff(),
                    PostRole.BLOCK_CADRE,
                )
        departments = self._departments(street)
        shared = self._street_partners(street)
        per_block = self._block_officers(departments)
        police = [self.staff() for _ in self.tree.areas]
        for index, area in enumerate(self.tree.areas):
            self._area(index, area.node, office, departments, per_block, police, shared)
        self._more_departments(street)
        return self.out

    def _departments(self, street: Node) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        for kind, suffix, name, title in DEPARTMENTS:
            unit = units[kind] = self.unit(current().code_of(f"U-{suffix}"), name, kind, street)
            lead, deputy = self.staff(), self.staff()
            categories = DEPARTMENT_CATEGORIES[kind]
            self.post(
                current().code_of(f"POST-{suffix}"),
                unit,
                street,
                title,
                lead,
                PostRole.DEPARTMENT,
                deputy=deputy,
                categories=categories,
            )
        for kind, name in ((UnitKind.HEALTH, "枫林社区卫生服务中心"), (UnitKind.LEGAL, "枫林司法所")):
            self.unit(current().code_of(f"U-{kind[:6].upper()}"), name, kind, street)
        return units

    def _more_departments(self, street: Node) -> None:
        existing = {u.kind: u for u in self.out.units if u.node is street}
        for kind, suffix, name, title in MORE_DEPARTMENTS:
            unit = existing.get(kind) or self.unit(current().code_of(f"U-{suffix}"), name, kind, street)
            self.post(
                current().code_of(f"POST-{suffix}"),
                unit,
                street,
                title,
                self.staff(),
                PostRole.DEPARTMENT,
                deputy=self.staff(),
                categories=DEPARTMENT_CATEGORIES[kind],
            )

    def _street_partners(self, street: Node) -> dict[str, list[Unit]]:
        """Units that serve several areas: law firms, social organisations, co-building units,
        the deputies' liaison station; co-building units do 双报到 with two or three areas."""
        areas = [a.node for a in self.tree.areas]
        shared: dict[str, list[Unit]] = {
            MeetingRole.LAWYER: [
                self.unit(current().code_of(f"U-LS{i + 1}"), n, UnitKind.LAW_FIRM, street)
                for i, n in enumerate(names.LAW_FIRMS)
            ],
            MeetingRole.SOCIAL_ORG: [
                self.unit(current().code_of(f"U-SZ{i + 1}"), n, UnitKind.SOCIAL_ORG, street)
                for i, n in enumerate(names.SOCIAL_ORGS)
            ],
            MeetingRole.DEPUTY: [
                self.unit(current().code_of("U-RD"), "枫林街道人大工作委员会", UnitKind.STREET_OFFICE, street)
            ],
            MeetingRole.CO_BUILDING: [],
        }
        for i, name in enumerate(names.CO_BUILDING_UNITS):
            home_area = areas[i * len(areas) // len(names.CO_BUILDING_UNITS)]
            unit = self.unit(current().code_of(f"U-GJ{i + 1:02d}"), name, UnitKind.CO_BUILDING, home_area)
            shared[MeetingRole.CO_BUILDING].append(unit)
            for area in self.rng.sample(areas, self.rng.randint(2, 3)):
                self.out.registrations.append(
                    DualRegistration(
                        unit=unit,
                        node=area,
                        registered_on=date(2019, 1, 1) + timedelta(days=self.rng.randrange(6 * 365)),
                        service_offer=self.rng.choice(SERVICE_OFFERS),
                    )
                )
        return shared

    def _block_officers(self, departments: dict[str, Unit]) -> dict[str, list[Person]]:
        """城管, 市场监管 and 房管 send one officer per block area to its residential areas."""
        kinds = (UnitKind.URBAN_MANAGEMENT, UnitKind.MARKET_SUPERVISION, UnitKind.HOUSING)
        return {kind: [self.staff() for _ in self.tree.blocks] for kind in kinds}

    def _area(
        self,
        index: int,
        area: Node,
        office: Unit,
        departments: dict[str, Unit],
        per_block: dict[str, list[Person]],
        police: list[Person],
        shared: dict[str, list[Unit]],
    ) -> None:
        parts = self.tree.areas[index]
        code = area.code
        committee = self.unit(f"{code}-JW", f"{area.name}委员会", UnitKind.RESIDENTS_COMMITTEE, area)
        secretary = self.staff()
        self.post(
            f"{code}-SJ",
            committee,
            area,
            "居民区党组织书记",
            secretary,
            PostRole.PARTY_SECRETARY,
            meeting_role=MeetingRole.PARTY_ORG,
        )
        workers = [self.staff() for _ in range(self.rng.randint(*cal.COMMITTEE_STAFF_PER_AREA))]
        self.post(
            f"{code}-ZR",
            committee,
            area,
            "居委会主任",
            workers[0],
            PostRole.COMMITTEE_STAFF,
            meeting_role=MeetingRole.RESIDENTS_COMMITTEE,
            deputy=workers[1],
        )
        for j, worker in enumerate(workers[1:]):
            title = "居委会副主任" if j == 0 else f"社工（{('民政', '综治', '文教', '卫生', '物业')[j % 5]}）"
            self.post(f"{code}-SG{j + 1}", committee, area, title, worker, PostRole.COMMITTEE_STAFF)
        self._estates(index, committee)

        # The eight fixed seats, after 居委会 (above).
        first = parts.estates[0]
        owners = next(u for u in self.out.units if u.code == f"{first.node.code}-YW")
        self.post(
            f"{code}-YW",
            owners,
            area,
            "业委会主任",
            self._resident(index, 40, 75),
            PostRole.PARTNER,
            meeting_role=MeetingRole.OWNERS_COMMITTEE,
        )
        managed = next(e for e in parts.estates if e.has_property)
        property_unit = next(u for u in self.out.units if u.code == f"{managed.node.code}-WY")
        property_post = next(p for p in self.out.posts if p.code == f"{managed.node.code}-WY")
        self.post(
            f"{code}-WY",
            property_unit,
            area,
            "物业项目经理",
            property_post.person,
            PostRole.PROPERTY_STAFF,
            meeting_role=MeetingRole.PROPERTY,
        )
        block = self.tree.blocks.index(parts.block)
        seats = (
            (MeetingRole.POLICE, UnitKind.POLICE, "MJ", "社区民警", police[index], police[index - 1]),
            *(
                (role, kind, sfx, title, per_block[kind][block], per_block[kind][block - 1])
                for role, kind, sfx, title in (
                    (MeetingRole.URBAN_MANAGEMENT, UnitKind.URBAN_MANAGEMENT, "CG", "城管执法队员"),
                    (MeetingRole.MARKET_SUPERVISION, UnitKind.MARKET_SUPERVISION, "SC", "市场监管员"),
                    (MeetingRole.HOUSING, UnitKind.HOUSING, "FG", "房管员"),
                )
            ),
        )
        for role, kind, sfx, title, holder, deputy in seats:
            self.post(
                f"{code}-{sfx}",
                departments[kind],
                area,
                title,
                holder,
                PostRole.DEPARTMENT,
                meeting_role=role,
                deputy=deputy,
                categories=DEPARTMENT_CATEGORIES[kind],
            )
        self.post(
            f"{code}-LL",
            office,
            area,
            "街道联络员",
            self.staff(),
            PostRole.STREET_CADRE,
            meeting_role=MeetingRole.STREET_LIAISON,
        )
        self._x_seats(index, area, committee, shared)

    def _estates(self, index: int, committee: Unit) -> None:
        """Per estate an owners' committee and (where there is one) a property company's
        project office with its manager; a grid worker on every grid, each the AB岗 of the next."""
        parts = self.tree.areas[index]
        grid_workers: list[tuple[Node, Person]] = []
        for estate in parts.estates:
            node = estate.node
            self.unit(f"{node.code}-YW", f"{estate.name}业主委员会", UnitKind.OWNERS_COMMITTEE, node)
            if estate.has_property:
                company = self.rng.choice(names.PROPERTY_COMPANIES)
                unit = self.unit(f"{node.code}-WY", f"{company}{estate.name}项目部", UnitKind.PROPERTY, node)
                self.post(
                    f"{node.code}-WY",
                    unit,
                    node,
                    "物业项目经理",
                    self.staff(),
                    PostRole.PROPERTY_STAFF,
                    categories=PROPERTY_CATEGORIES,
                )
            grid_workers.extend((grid, self.staff()) for grid in estate.grids)
        for k, (grid, worker) in enumerate(grid_workers):
            deputy = grid_workers[(k + 1) % len(grid_workers)][1]
            self.post(
                f"{grid.code}-WG",
                committee,
                grid,
                "网格员",
                worker,
                PostRole.GRID_WORKER,
                deputy=deputy if deputy is not worker else None,
                duty=GRID_DUTY,
            )

    def _x_seats(self, index: int, area: Node, committee: Unit, shared: dict[str, list[Unit]]) -> None:
        code = area.code
        x_roles = [MeetingRole.LAWYER, MeetingRole.CO_BUILDING, MeetingRole.VOLUNTEER]
        x_roles += self.rng.sample(X_OPTIONAL, self.rng.randint(1, 3))
        for n, role in enumerate(x_roles):
            if role in shared:
                unit = shared[role][index % len(shared[role])]
            elif role == MeetingRole.VOLUNTEER:
                unit = self.unit(f"{code}-ZY", f"{area.name}志愿者服务队", UnitKind.VOLUNTEER, area)
            elif role == MeetingRole.CULTURE:
                group = names.CULTURE_GROUPS[index % len(names.CULTURE_GROUPS)]
                unit = self.unit(f"{code}-WH", f"{area.name}{group}", UnitKind.CULTURE, area)
            else:
                unit = committee
            person = self._x_person(index, role)
            title = str(MeetingRole(role).label)
            self.post(f"{code}-X{n + 1}", unit, area, title, person, PostRole.PARTNER, meeting_role=role)

    def _x_person(self, index: int, role: str) -> Person:
        if role == MeetingRole.PARTY_MEMBER_REP:
            members = [m for m, a in zip(self.s.members, self.s.member_area, strict=True) if a == index]
            if members:
                return self.rng.choice(members).person
        if role in (MeetingRole.VOLUNTEER, MeetingRole.RESIDENT_REP, MeetingRole.PARTY_MEMBER_REP):
            return self._resident(index, 25, 75)
        return self.staff()

    def _resident(self, index: int, min_age: int, max_age: int) -> Person:
        """A resident of the area (an owner, a volunteer, a representative); staff if none."""
        candidates = self.s.residents.in_area(index, min_age=min_age, max_age=max_age)
        if not candidates:
            return self.staff()
        return self.s.residents.persons[self.rng.choice(candidates)]
