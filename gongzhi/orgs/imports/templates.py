"""The four import/export templates as data: the reader, the validator, the empty-template
download and the export all take their columns from here, so a sheet written by one is read
by the other.

Headers are the file format (staff type them in Excel), so they stay Chinese whatever the
page language; the notes sheet explains each column.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Choices

from gongzhi.geo.levels import Level
from gongzhi.orgs.models import Person
from gongzhi.orgs.roles import MeetingRole, PostRole, UnitKind

TEMPLATE_MARK_SHEET = "_gongzhi"  # hidden sheet: A1 holds the template id, A2 its version
NOTES_SHEET = "填写说明"
TEMPLATE_VERSION = 1
MASK_CHAR = "*"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the row key, and the service's field name its errors come back under
    must_fill: bool = False
    may_omit: bool = True  # the column may be left out of the sheet entirely
    note: str = ""
    width: int = 14
    choices: type[Choices] | None = None  # the cell holds one of these labels (listed in the notes)
    max_length: int = 0  # the model field's limit, checked before PostgreSQL would refuse the write
    options: tuple[str, ...] = ()  # a fixed list of words that is not a choices class (是/否)


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    @property
    def template_id(self) -> str:
        return f"gongzhi:{self.kind}"

    def column_for(self, field: str) -> Column | None:
        return next((c for c in self.columns if c.field == field), None)

    def header_for(self, field: str) -> str:
        column = self.column_for(field)
        return column.header if column else ""


def _required(header: str, field: str, note: str, **options: Any) -> Column:
    return Column(header, field, must_fill=True, may_omit=False, note=note, **options)


COMMON_NOTES = (
    "第一行是列名，请勿修改；从第二行起每行一条记录，空行会被跳过。",
    "编码是每条记录的身份：再次导入相同编码会更新原记录，不会重复新建。",
    "文件中任何一行有错，整个文件都不会导入；请按错误报告逐行修改后重新上传。",
    "日期可写成 2024-01-31、2024/1/31 或 2024年1月31日，也可用 Excel 的日期格式。",
)

TREE = Template(
    kind="tree",
    title="辖区",
    sheet="辖区",
    columns=(
        _required("编码", "code", "唯一且不再更改；字母、数字、点、横线或下划线，最长40位"),
        _required("名称", "name", "改名称即为更名，旧名称保留在变更记录中", width=20, max_length=100),
        _required("层级", "level", "街道、块区、居民区、小区、网格、楼栋、户", choices=Level),
        Column("上级编码", "parent", may_omit=False, note="街道不填；改上级编码即为迁移，下级随之迁移"),
        Column("地址", "address", note="可不填", width=24, max_length=200),
        Column("经度", "lon", note="位置点，如 121.4512；与纬度一起填写"),
        Column("纬度", "lat", note="位置点，如 31.1903；与经度一起填写"),
        Column("边界GeoJSON", "geometry", note="可选：Polygon 或 MultiPolygon 的 GeoJSON 文本", width=30),
    ),
    notes=(
        "上级可以写在同一文件中，行的先后顺序不限。",
        "经纬度和边界只填一种；留空表示不修改已有的位置或边界。",
        "层级不能通过导入修改。",
    ),
)

UNITS = Template(
    kind="units",
    title="单位",
    sheet="单位",
    columns=(
        _required("编码", "code", "唯一且不再更改"),
        _required("名称", "name", "单位全称", width=24, max_length=100),
        _required("类型", "kind", "如：居民委员会、物业服务企业、派出所、共建单位", choices=UnitKind),
        _required("所在辖区编码", "node", "单位所在的辖区节点编码（须已存在）"),
        Column("办公电话", "office_phone", note="可不填", max_length=30),
        Column("地址", "address", note="可不填", width=24, max_length=200),
    ),
)

PEOPLE = Template(
    kind="people",
    title="人员",
    sheet="人员",
    columns=(
        _required("编码", "code", "唯一且不再更改"),
        _required("姓名", "name", "", max_length=50),
        Column("性别", "gender", note="男 或 女", choices=Person.Gender),
        Column("出生日期", "birth_date", note="日期"),
        Column("手机号", "phone", note="11位手机号；含 * 的打码号码表示“不修改”"),
        Column("身份证号", "id_number", note="18位，末位可为X；请设为文本格式；含 * 表示“不修改”", width=22),
        Column("居住户编码", "home", note="“户”一级节点的编码（须已存在）"),
        Column("独居", "lives_alone", note="是 或 否，不填为否", options=("是", "否")),
    ),
    notes=(
        "导出的人员表只含打码的手机号和身份证号（如 138****8000）。",
        "重新导入时，含 * 的号码表示保留系统中原有号码不变；要修改号码请填写完整号码。",
        "新增人员不能填写打码号码。",
    ),
)

POSTS = Template(
    kind="posts",
    title="三定岗位",
    sheet="三定岗位",
    columns=(
        _required("编码", "code", "岗位编码，唯一且不再更改"),
        _required("单位编码", "unit", "须已在单位表中导入"),
        _required("辖区编码", "node", "岗位负责的辖区节点编码"),
        _required("岗位", "title", "岗位名称，如 社区民警", max_length=60),
        Column("职责", "duty", note="可不填", width=30, max_length=300),
        Column(
            "岗位（英文）",
            "title_en",
            note="可不填，英文界面显示；整列不在表中时保留原有英文",
            max_length=100,
        ),
        Column(
            "职责（英文）",
            "duty_en",
            note="可不填，英文界面显示；整列不在表中时保留原有英文",
            width=30,
            max_length=500,
        ),
        Column("负责事项编码", "categories", note="事项分类编码，多个用逗号分隔，如 HJ01,LD01", width=20),
        _required("责任人编码", "person", "须已在人员表中导入"),
        Column("AB岗编码", "deputy", note="替补人员编码，可不填"),
        _required("角色", "role", "如：居委会社工、网格员、街道干部、职能部门人员", choices=PostRole),
        Column(
            "居务会席位", "meeting_role", note="可不填；如 居民区党组织、物业、社区民警", choices=MeetingRole
        ),
        _required("起始日期", "active_from", "日期"),
        Column("截止日期", "active_until", note="可不填；不早于起始日期"),
    ),
    notes=("导入顺序：先辖区，再单位和人员，最后三定岗位。",),
)

# The street's working calendar (docs/working-calendar.md): chinesecalendar knows only the years
# announced before its release, so next year's days are entered from the State Council notice.
CALENDAR_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
CALENDAR = Template(
    kind="calendar",
    title="工作日历",
    sheet="工作日历",
    columns=(
        _required("日期", "date", "每行一天，如 2027-01-01"),
        _required("安排", "arrangement", "休息 或 上班（调休上班的周末填“上班”）", options=("休息", "上班")),
        Column("说明", "note", note="节日名称，如 春节、调休上班", width=20, max_length=60),
    ),
    notes=(
        "按国务院办公厅《关于某年部分节假日安排的通知》逐日填写：",
        "放假的每一天填“休息”（" + "、".join(CALENDAR_HOLIDAYS) + "），调休上班的周末填“上班”。",
        "只填打破“周一至周五上班”规则的日子；同一日期再次导入会覆盖原安排。",
        "只有街道管理员可以导入；导入后所有时限立即按新日历计算。",
    ),
)

TEMPLATES: dict[str, Template] = {t.kind: t for t in (TREE, UNITS, PEOPLE, POSTS, CALENDAR)}
