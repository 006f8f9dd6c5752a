"""Text for the public board (公示): a case's description with personal data scrubbed.

Residents write names, phone numbers and ID numbers into their reports ("3号楼王阿姨家门口",
"联系13812345678"). The public list shows what the problem was, never who reported it, so
these are replaced by *** before anything leaves the back office. The rules err on the side of
removing too much: a lost word on the public board costs less than a published phone number.
"""

import re

MASK = "***"
SHORT = 60  # characters shown on the public list

# 18-character ID numbers (17 digits + digit or X), and 15-digit old ones; digits not glued to
# longer runs, so a phone inside a longer number is not half-masked.
_ID = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx](?![0-9])")
_ID15 = re.compile(r"(?<![0-9])[1-9]\d{14}(?![0-9])")
# Mobile numbers, also written with spaces or dashes (138 1234 5678), optional +86.
_PHONE = re.compile(r"(?:\+?86[\s-]?)?(?<![0-9])1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?![0-9])")
# Landlines: 021-12345678, (021)12345678, or a bare 8-digit number.
_LANDLINE = re.compile(r"(?<![0-9])(?:\(?0\d{2,3}\)?[\s-]?)?\d{7,8}(?![0-9])")
# A surname followed by a form of address: 王先生, 李女士, 张阿姨, 赵老伯, 老王, 小李.
_TITLES = "先生|女士|小姐|阿姨|阿婆|老伯|伯伯|大爷|大妈|奶奶|爷爷|师傅|老师|同志|书记|主任|经理"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_NAME_TITLE = re.compile(rf"[{_SURNAMES}][\u4e00-\u9fff]?(?:{_TITLES})")
# 老王 / 小李, only where a name can end (before punctuation or a word that follows a name), so
# 小区, 小时, 小高层 and 老房 stay readable.
# Surnames that also make everyday words after 老/小 (小时, 小车, 老房, 小路, 小高层) are left out.
_OLD_YOUNG_SURNAMES = "".join(c for c in _SURNAMES if c not in "时车房路师商池高明全单和成文安华方向")
_OLD_YOUNG = re.compile(
    rf"[老小][{_OLD_YOUNG_SURNAMES}](?=$|[\s，。、；！？,.;!?]|家|的|说|反映|和|在|等|他|她|又|总|经常|每天|一直)"
)
# "我叫张三" / "联系人：李四" / "姓名 王五": the two or three characters after the cue.
_NAMED = re.compile(r"((?:我叫|联系人|姓名|报告人|反映人|署名)[：:\s]*)[\u4e00-\u9fff]{2,3}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def public_text(text: str, *, limit: int = SHORT) -> str:
    """The description with phone numbers, ID numbers, e-mail addresses and names replaced by
    ***, cut to `limit` characters (0: no cut)."""
    out = text or ""
    for pattern in (_ID, _ID15, _PHONE, _EMAIL, _LANDLINE):
        out = pattern.sub(MASK, out)
    out = _NAMED.sub(lambda m: m.group(1) + MASK, out)
    out = _NAME_TITLE.sub(MASK, out)
    out = _OLD_YOUNG.sub(MASK, out)
    out = re.sub(r"\s+", " ", out).strip()
    if limit and len(out) > limit:
        out = out[:limit].rstrip() + "…"
    return out


_ANY_NUMBER = re.compile(r"\d{3}|@")  # cheap test first: most texts hold no number at all


def numbers_masked(text: str) -> str:
    """The description with phone numbers, ID numbers and e-mail addresses replaced by ***, and
    nothing else changed: for staff exports, whose readers see the reporter's name on the
    page anyway, but whose files must never carry a number (docs/exports.md)."""
    out = text or ""
    if not _ANY_NUMBER.search(out):
        return out
    for pattern in (_ID, _ID15, _PHONE, _EMAIL, _LANDLINE):
        out = pattern.sub(MASK, out)
    return out
