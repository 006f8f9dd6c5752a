"""Word lists for plausible Chinese names and addresses in the demo street.

Surnames are weighted roughly by their frequency in Shanghai; given names follow the
fashion of the decade a person was born in, so an 85-year-old is a 秀英 or a 根宝 and a
child a 梓涵 or a 浩然. Nothing here names a real person or a real address.
"""

import random

# (surname, weight): common Shanghai surnames first.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("张", 60), ("王", 58), ("陈", 55), ("李", 50), ("徐", 40), ("朱", 36), ("周", 34), ("沈", 32),
    ("顾", 28), ("陆", 27), ("吴", 26), ("刘", 25), ("杨", 22), ("黄", 22), ("钱", 18), ("孙", 17),
    ("胡", 16), ("金", 15), ("蒋", 14), ("曹", 14), ("许", 13), ("姚", 12), ("施", 12), ("汪", 11),
    ("赵", 11), ("郁", 8), ("陶", 8), ("范", 8), ("谢", 8), ("倪", 7), ("邱", 7), ("严", 7),
    ("何", 7), ("马", 7), ("郭", 6), ("高", 6), ("林", 6), ("罗", 6), ("宋", 6), ("唐", 6),
    ("俞", 6), ("戴", 5), ("丁", 5), ("叶", 5), ("潘", 5), ("龚", 5), ("韩", 4), ("袁", 4),
    ("汤", 4), ("夏", 4), ("卢", 4), ("冯", 4), ("邵", 3), ("蔡", 3), ("庄", 3), ("薛", 3),
    ("诸葛", 1), ("欧阳", 1), ("司马", 1),
)  # fmt: skip

# Given names by birth era and gender: (era, gender) -> names.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "M"): (
        "建国", "国强", "根宝", "阿毛", "志明", "德福", "金生", "福林", "宝根", "永康", "荣华", "锦昌",
        "家骏", "文彬", "海生", "振华", "鸿章", "伯平", "仁杰", "炳坤", "关林", "裕民", "兴发", "长庚",
    ),
    ("old", "F"): (
        "秀英", "桂英", "玉兰", "淑珍", "美娟", "凤英", "月娥", "素珍", "惠芳", "佩华", "彩凤", "菊芬",
        "雅琴", "慧君", "丽华", "秀珍", "阿妹", "金娣", "巧英", "宝珠", "根娣", "文娟", "琴芳", "爱珍",
    ),
    ("mid", "M"): (
        "伟", "磊", "军", "勇", "强", "斌", "杰", "俊", "建华", "晓东", "卫东", "永刚", "海峰", "志强",
        "国平", "明", "华", "刚", "立新", "卫国", "文杰", "晓峰", "振宇", "国栋", "正", "骏",
    ),
    ("mid", "F"): (
        "敏", "静", "丽", "燕", "萍", "红", "海燕", "慧", "洁", "晓红", "丽萍", "芳", "颖", "琳",
        "雯", "蓉", "晓燕", "春梅", "婷", "莉", "佳", "瑾", "惠", "倩", "怡", "菁",
    ),
    ("young", "M"): (
        "子轩", "浩然", "宇航", "思远", "俊杰", "一鸣", "泽宇", "博文", "梓睿", "皓轩", "天佑", "嘉懿",
        "睿", "辰", "逸凡", "子墨", "奕辰", "晨阳", "佳豪", "昊天", "铭", "宸", "沐阳", "承泽",
    ),
    ("young", "F"): (
        "梓涵", "欣怡", "一诺", "雨桐", "诗涵", "子萱", "佳怡", "语嫣", "思琪", "可馨", "若曦", "梦瑶",
        "悦", "萱", "婧", "瑶", "紫涵", "芷若", "安琪", "心怡", "乐瑶", "嘉欣", "雨萱", "依诺",
    ),
}  # fmt: skip

# Road names in the style of the district; lane, house and room numbers are random, so no
# generated address is meant to be a real one.
ROADS: tuple[str, ...] = (
    "枫林路", "枫溪路", "枫丹路", "东安路", "东平路", "零陵路", "双峰路", "清溪路", "嘉禾路", "医学路",
    "天钥路", "宛南路", "小木桥路", "大木桥路", "斜桥路", "龙吟路", "桂林南路", "梅陇东路", "南丹中路",
    "永嘉西路",
)  # fmt: skip

ESTATE_STEMS: tuple[str, ...] = (
    "东安", "枫林", "零陵", "双峰", "清溪", "嘉禾", "天钥", "宛南", "斜桥", "龙吟", "桂林", "梅陇",
    "南丹", "永嘉", "明珠", "景泰", "康乐", "长乐", "华庭", "锦绣", "福寿", "和平", "新苑", "丰谷",
    "瑞金", "汇丰", "安福", "德馨", "兰苑", "春晖", "秋实", "松柏",
)  # fmt: skip
ESTATE_SUFFIXES: tuple[str, ...] = (
    "一村",
    "二村",
    "三村",
    "新村",
    "小区",
    "苑",
    "公寓",
    "花园",
    "坊",
    "大楼",
)

BLOCK_NAMES: tuple[str, ...] = ("第一块区", "第二块区", "第三块区", "第四块区", "第五块区")

PROPERTY_COMPANIES: tuple[str, ...] = (
    "徐房物业", "康健物业", "东方物业", "明华物业", "上房物业", "锦江物业", "盛康物业", "安居物业",
    "华欣物业", "永业物业", "陆家嘴物业", "申城物业",
)  # fmt: skip
CO_BUILDING_UNITS: tuple[str, ...] = (
    "枫林医院", "第二中学", "实验小学", "枫林幼儿园", "建设银行枫林支行", "邮政枫林营业所", "区图书馆枫林分馆",
    "枫林科技园", "区税务所", "电力枫林供电所", "燃气枫林营业站", "自来水枫林营业所", "区少年宫", "枫林社区卫生服务中心",
)  # fmt: skip
LAW_FIRMS: tuple[str, ...] = ("明理律师事务所", "正衡律师事务所", "致和律师事务所", "瑞信律师事务所")
SOCIAL_ORGS: tuple[str, ...] = (
    "乐龄服务社",
    "阳光助残社",
    "邻里调解工作室",
    "青年志愿者协会",
    "心理咨询工作站",
)
CULTURE_GROUPS: tuple[str, ...] = ("夕阳红合唱团", "木兰拳队", "书画社", "沪剧沙龙", "广场舞队")


def era_for(birth_year: int) -> str:
    if birth_year < 1960:
        return "old"
    if birth_year < 1990:
        return "mid"
    return "young"


def pick_surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def pick_given_name(rng: random.Random, *, birth_year: int, gender: str) -> str:
    return rng.choice(GIVEN_NAMES[(era_for(birth_year), gender)])


def estate_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct estate names, in a seed-determined order."""
    names = [stem + suffix for stem in ESTATE_STEMS for suffix in ESTATE_SUFFIXES]
    rng.shuffle(names)
    return names[:count]


_SURNAME_LIST = [s for s, _w in SURNAMES]
_SURNAME_CUM: list[int] = []
_total = 0
for _s, _w in SURNAMES:
    _total += _w
    _SURNAME_CUM.append(_total)
