"""The one scrubber of every public surface: personal data out of texts residents and staff wrote.

Residents write phone numbers, rooms and neighbours' names into their reports ("3号楼502室的
王阿姨", "联系138 1234 5678"), and staff copy them into decisions and 双公示. Everything that
leaves the back office without a login — the public board and its CSV, Open311, 双公示, the
public decisions, the callback and tracking pages — shows a text only through `public_text`; staff exports,
whose readers see the reporter anyway, use `numbers_masked` (numbers and handles only).

The rules err on the side of removing too much: a lost word costs less than a published phone
number. Full-width digits and letters are folded first (NFKC), so "１３８１２３４５６７８" and
"ＱＱ" are read like their ASCII forms. `gongzhi/core/tests/data/pii_corpus.tsv` is the list of
variants this must catch (docs/public-board.md, ADR 0013); a missed variant is a failing test.
"""

import re
import unicodedata
from collections.abc import Callable

MASK = "***"
SHORT = 60  # characters shown on a public list

# --- folding -------------------------------------------------------------------------------------

# Full-width ASCII (U+FF01–FF5E) and the ideographic space folded by NFKC, except the Chinese
# punctuation that reads the same either way (，；：！？ stay as typed, so the text stays Chinese).
_KEEP_WIDE = set("，；：！？")
_FOLD = {
    cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_WIDE
}
_FOLD[0x3000] = " "
_FOLD.update({ord(c): "-" for c in "－—–‐‑−"})  # dashes of every width join number groups


def fold(text: str) -> str:
    return text.translate(_FOLD)


# --- numbers -------------------------------------------------------------------------------------

# A run of digits in groups (138 1234 5678, 021-6400-1234, (021)64001234, 110105 1990 0101 123X,
# +86 138..., 6222.0212.3456.7890): digits joined by up to three spaces, dots, dashes, slashes or
# brackets, an optional leading + and a final X (ID numbers).
_RUN = re.compile(r"(?<!\d)(?:\+|\(\s?)?\d(?:[\s.\-/()]{0,3}\d)*(?:[\s\-]?[Xx](?![A-Za-z]))?")
_LONG_RUN = 7  # digits: a bare landline (6400 1234) and anything longer (mobile, ID, card, QQ)
_MAX_COUNT = 10  # digits a count or an amount may have
# What a run followed by one of these counts (money, sizes, households, years), not a person.
_UNIT_AFTER = re.compile(
    r"\s*(?:元|万|亿|块|角|米|公里|千米|厘米|毫米|平方|㎡|%|‰|吨|公斤|千克|斤|年|个|户|人|次|件|台|辆|棵|盏)"
)
# Dates and amounts that have many digits but name nobody: 2026-01-31, 2026.1.31 08, 1234567.50.
_DATE = re.compile(r"(?:19|20)\d{2}([-./])\d{1,2}\1\d{1,2}(?:\s\d{1,2})?")
_AMOUNT = re.compile(r"\d+\.\d{1,2}")
_ROOM_DASH = re.compile(r"\d{1,3}-(?:\d{1,2}-)?\d{3,4}")  # 3-502, 1-2-301: a flat, not a number

# Phone numbers in Chinese numerals (幺三八…): seven or more in a row.
_CN_DIGITS = re.compile(r"[零〇一二三四五六七八九幺两]{7,}")
# A phone number someone already half-masked (138****5678): the rest still points at a person.
_HALF_MASKED = re.compile(r"(?<!\d)1[3-9]\d[*xX]{4}\d{4}(?!\d)")
# Number plates (沪A12345, 沪A·D12345, 苏E 8K2L9): a car points at its owner.
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][\s·•.\-]?[A-Z0-9]{5,6}(?![A-Za-z0-9])"
)
# QQ numbers after their cue, however short (QQ号123456, qq:12345, 扣扣 12345).
_QQ = re.compile(r"((?<![A-Za-z])(?:qq|扣扣|企鹅)\s*(?:号码|号|群)?\s*(?:是|为)?\s*[:：]?\s*)\d{5,12}", re.I)
# WeChat ids after their cue (微信号 abc_123, vx: wang88, wx：…, V信 …): 4–20 letters, digits, _ -.
_WECHAT = re.compile(
    r"((?<![A-Za-z])(?:微信|威信|薇信|v信|vx|wx|weixin|wechat)\s*(?:号码|号|id)?\s*(?:是|为)?\s*[:：]?\s*)"
    r"[A-Za-z0-9][-_A-Za-z0-9]{3,19}",
    re.I,
)
# E-mail, also spelt out: zs@example.com, zs(at)example.com, zs at example dot com, zs#qq.com.
# A match starts only where a local part can (the lookbehind): without it, 4,000 letters in a
# row cost a second of backtracking.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+\s*(?:@|\(at\)|\[at\]|\{at\}|\sat\s|艾特|#)\s*[A-Za-z0-9-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\sdot\s|点)\s*[A-Za-z]{2,10})+",
    re.I,
)


def _number_run(match: re.Match[str]) -> str:
    run = match.group()
    digits = sum(c.isdigit() for c in run)
    if digits < _LONG_RUN or _DATE.fullmatch(run) or _AMOUNT.fullmatch(run):
        return run
    # a count or an amount (1250000元, 2019-2026年); never an ID or card number, nor a mobile
    if digits <= _MAX_COUNT and _UNIT_AFTER.match(match.string, match.end()) and not _phone_like(run):
        return run
    return MASK


def _phone_like(run: str) -> bool:
    """A mobile number stays masked even when a unit follows it (138 1234 5678元 is a typo)."""
    digits = re.sub(r"\D", "", run)
    return bool(re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits))


def _numbers(text: str) -> str:
    text = _EMAIL.sub(MASK, text)
    text = _HALF_MASKED.sub(MASK, text)
    text = _PLATE.sub(MASK, text)
    text = _QQ.sub(lambda m: m.group(1) + MASK, text)
    text = _WECHAT.sub(lambda m: m.group(1) + MASK, text)
    text = _RUN.sub(_number_run, text)
    return _CN_DIGITS.sub(MASK, text)


# --- rooms ---------------------------------------------------------------------------------------

# The building stays (it is the place of the problem); the flat goes: 5栋1203, 12幢401, 3号楼502,
# 3#502, 3号楼3单元502, 3单元502, 502室, 1203房, 3-502, 1-2-301, 楼上301住户, 住在502.
_BUILDING = r"\d{1,3}\s*(?:号楼|栋|幢|座|号|楼|#)"
_ROOMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(rf"({_BUILDING}\s*(?:\d{{1,2}}\s*单元\s*)?)\d{{3,4}}(?!\d)"),
        lambda m: m.group(1) + MASK,
    ),
    (re.compile(r"(\d{1,2}\s*单元\s*)\d{3,4}(?!\d)"), lambda m: m.group(1) + MASK),
    (re.compile(r"(?<![\d\-])\d{2,4}(?=\s*(?:室|房间|房(?!子|屋|东|产|租)))"), lambda m: MASK),
    (re.compile(r"(?<![\d\-])\d{3,4}(?=\s*(?:住户|业主|房东|租户|家|那户|这户))"), lambda m: MASK),
    (re.compile(r"((?:住在|家住|住)\s*)\d{3,4}(?![\d号])"), lambda m: m.group(1) + MASK),  # 住在502
)


def _room_dash(match: re.Match[str]) -> str:
    if _UNIT_AFTER.match(match.string, match.end()):
        return match.group()
    return MASK


_DASH_ROOM = re.compile(r"(?<![\d\-.])" + _ROOM_DASH.pattern + r"(?![\d\-])")


def _rooms(text: str) -> str:
    text = _DASH_ROOM.sub(_room_dash, text)
    for pattern, replace in _ROOMS:
        text = pattern.sub(replace, text)
    return text


# --- names ---------------------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_TITLES = (
    "先生|女士|小姐|阿姨|阿婆|阿公|老伯|伯伯|大爷|大妈|大娘|大伯|大叔|大婶|大姐|大哥|奶奶|爷爷|婆婆|老太太|老太"
    "|老头|老汉|师傅|老师|同志|书记|主任|经理|医生|律师|老板"
)
# Surnames that also start everyday words (和, 于是, 时候, 安排, 方便, 高层...): a name only right
# before its title (高阿姨), never with given-name characters in between.
_COMMON_CHARS = "和于时安方向全应常成单连解查管文明高路车项党宁米房商司费冷席卫边沙景宫"
_GIVEN_SURNAMES = "".join(c for c in _SURNAMES if c not in _COMMON_CHARS)
_NAME_TITLE = re.compile(
    rf"[{_SURNAMES.replace('和', '')}](?:{_TITLES}|[姐哥叔婶姨嫂伯爷奶]|某某?)"  # 王阿姨, 高师傅, 王姐, 张某某
    rf"|[{_GIVEN_SURNAMES}][\u4e00-\u9fff]{{1,2}}?(?:{_TITLES})"  # 王小明先生, 张建国师傅
)
# Two-character words around a surname character that come before 师傅/老师/阿姨 without being a
# name: 保安师傅, 语文老师, 项目经理, 钟点工阿姨, 周末阿姨, 党支部书记.
_NOT_A_NAME = frozenset(
    [
        "保安",
        "治安",
        "公安",
        "平安",
        "管理",
        "物业",
        "维修",
        "水电",
        "电工",
        "保洁",
        "快递",
        "司机",
        "语文",
        "项目",
        "钟点",
        "周末",
        "白天",
        "党支",
        "党委",
        "党总",
        "马路",
        "安排",
        "包装",
        "石材",
        "金牌",
        "曾经",
        "任何",
        "于是",
        "江边",
        "叶子",
    ]
)


def _name_title(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    if text[max(0, start - 1) : start + 1] in _NOT_A_NAME or text[start : start + 2] in _NOT_A_NAME:
        return match.group()
    return MASK


# 老王 / 小李, only where a name can end (punctuation or a word that follows a name), so 小区,
# 小时, 小高层 and 老房子 stay readable; surnames that make everyday words after 老/小 are left out.
_OLD_YOUNG_SURNAMES = "".join(c for c in _SURNAMES if c not in "时车房路师商池高明全单和成文安华方向")
_OLD_YOUNG = re.compile(
    rf"[老小][{_OLD_YOUNG_SURNAMES}](?=$|[\s，。、；！？,.;!?:：]|家|的|说|反映|和|在|等|他|她|又|总|经常|每天|一直|也|都|头|夫妇|两口子)"
)
# "我叫张三" / "联系人：李四" / "姓名 王五" / "我姓王": the characters after the cue.
_NAMED = re.compile(
    r"((?:我叫|名叫|联系人|姓名|报告人|反映人|署名|户主)\s*(?:是|为)?[：:\s]*)[\u4e00-\u9fff]{2,3}"
)
_SURNAME_ONLY = re.compile(r"(我姓|免贵姓|本人姓)[\u4e00-\u9fff]")
# 张姓住户, 李姓男子: a surname and who they are.
_SURNAME_OF = re.compile(rf"[{_SURNAMES}]姓(?=住户|业主|居民|男子|女子|老人|租户|房东|邻居|人员|阿姨|大爷)")


def _names(text: str) -> str:
    text = _NAMED.sub(lambda m: m.group(1) + MASK, text)
    text = _SURNAME_ONLY.sub(lambda m: m.group(1) + MASK, text)
    text = _SURNAME_OF.sub(MASK, text)
    text = _NAME_TITLE.sub(_name_title, text)
    return _OLD_YOUNG.sub(MASK, text)


# --- the two entry points -------------------------------------------------------------------------


def public_text(text: str | None, *, limit: int = SHORT) -> str:
    """What a public surface shows of a text: no phone, landline, ID or card number, e-mail,
    QQ or WeChat id, number plate, flat or name; cut to `limit` characters (0: no cut)."""
    out = _names(_rooms(_numbers(fold(text or ""))))
    out = re.sub(r"(?:\*{3}\s*){2,}", MASK, out)  # 王阿姨 138… → one mask, not a row of them
    out = re.sub(r"\s+", " ", out).strip()
    if limit and len(out) > limit:
        out = out[:limit].rstrip() + "…"
    return out


_ANY_NUMBER = re.compile(r"\d{3}|@|[０-９]|qq|微信|vx|wx|v信|[零〇一二三四五六七八九幺两]{7}", re.I)


def numbers_masked(text: str | None) -> str:
    """The text with numbers, e-mail, QQ and WeChat ids replaced by *** and nothing else changed:
    for staff exports, whose readers see the reporter's name on the page anyway, but whose
    files must never carry a number (docs/exports.md)."""
    out = text or ""
    if not _ANY_NUMBER.search(out):  # cheap test first: most texts hold no number at all
        return out
    return _numbers(fold(out))
