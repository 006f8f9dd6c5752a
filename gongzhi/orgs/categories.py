"""The seed set of 事项分类 (大类 / 小类): community and urban-management matters.

Codes are stable; admins add, rename or retire categories in the back office. The cases
package adds deadlines and routing policy per category.
"""

from typing import Any

SEED: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "HJ",
        "市容环境",
        [
            ("HJ01", "暴露垃圾"),
            ("HJ02", "垃圾分类"),
            ("HJ03", "绿化损毁"),
            ("HJ04", "乱张贴乱涂写"),
            ("HJ05", "犬类管理"),
        ],
    ),
    (
        "LD",
        "楼道与消防",
        [
            ("LD01", "楼道堆物"),
            ("LD02", "电瓶车楼道充电"),
            ("LD03", "消防通道占用"),
            ("LD04", "消防设施损坏"),
        ],
    ),
    ("WJ", "违法建设", [("WJ01", "违法搭建"), ("WJ02", "擅自改变房屋结构"), ("WJ03", "破墙开店")]),
    (
        "FW",
        "房屋管理",
        [("FW01", "群租"), ("FW02", "短租（日租房）"), ("FW03", "房屋渗漏"), ("FW04", "非成套房屋维修")],
    ),
    (
        "JY",
        "街面秩序",
        [
            ("JY01", "占道经营"),
            ("JY02", "跨门营业"),
            ("JY03", "无证经营"),
            ("JY04", "非机动车乱停"),
            ("JY05", "停车"),
        ],
    ),
    (
        "SS",
        "市政设施",
        [("SS01", "路灯损坏"), ("SS02", "道路破损"), ("SS03", "窨井盖缺损"), ("SS04", "积水")],
    ),
    ("AQ", "社会治安", [("AQ01", "噪音扰民"), ("AQ02", "邻里纠纷"), ("AQ03", "治安隐患")]),
    ("WY", "物业管理", [("WY01", "物业服务"), ("WY02", "电梯故障"), ("WY03", "二次供水")]),
    ("MS", "民生服务", [("MS01", "养老服务需求"), ("MS02", "困难帮扶"), ("MS03", "为老上门探视")]),
]


def seed_categories(category_model: Any) -> None:
    """Create the seed categories that are missing (used by the migration and by tests that
    flush the database). Takes the model so a migration can pass its historical one."""
    for code, name, children in SEED:
        parent, _ = category_model.objects.get_or_create(code=code, defaults={"name": name})
        for child_code, child_name in children:
            category_model.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "parent": parent}
            )
