"""Category suggestion (事项分类建议): top 3 小类 with confidence for a problem description.

Char n-gram TF-IDF + a linear SVM whose margins a softmax with a fitted temperature turns into
calibrated probabilities (ADR 0012), trained by `gongzhi train_classifier` on the street's
closed cases (or, before there are enough, on the demo corpus; `gongzhi demo` trains one).
Beside the 小类 the model knows one more class, "none of these" (OFF_TOPIC: greetings, chat,
adverts; cases.off_topic), so a text that reports no problem lands in 需人工分诊 instead of in
the nearest 小类. A person decides below the triage threshold; either way the suggestion is
only a suggestion. Keyword rules answer only while no model is saved.
"""

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings

from gongzhi.orgs.categories import SEED

MODEL_FILE = "classifier.joblib"
MIN_CASES = 200  # fewer closed cases than this: train on the demo corpus instead
MIN_PER_CATEGORY = 5
DEFAULT_THRESHOLD = 0.5  # top calibrated confidence below this: 需人工分诊
OFF_TOPIC = "none"  # the "none of these" class; never a category code (those are 2 letters + digits)
OFF_TOPIC_SHARE = 2.0  # off-topic training texts, in multiples of the median 小类's count

NAMES: dict[str, str] = {code: name for _, _, children in SEED for code, name in children}
NAMES.update({code: name for code, name, _ in SEED})
PARENTS: dict[str, str] = {code: parent for parent, _, children in SEED for code, _ in children}

# Keywords per 小类, used only while no model is saved (a fresh install before `gongzhi demo` or
# `train_classifier`): a hit adds the keyword's length (longer = more specific).
RULES: dict[str, tuple[str, ...]] = {
    "HJ01": ("垃圾", "暴露垃圾", "垃圾桶", "垃圾堆", "没人清运", "乱倒", "发臭", "清运", "臭气"),
    "HJ02": ("垃圾分类", "分类", "干湿", "湿垃圾", "干垃圾", "混投", "投放", "定时定点", "督导", "厨余", "可回收", "有害垃圾"),
    "HJ03": ("绿化", "草坪", "草地", "毁绿", "种菜", "砍树", "树木", "花坛", "绿地", "菜地", "树枝", "灌木"),
    "HJ04": ("小广告", "牛皮癣", "乱贴", "张贴", "贴满", "涂鸦", "乱涂", "乱画", "喷字", "横幅", "涂写", "电话号码"),
    "HJ05": ("狗", "犬", "遛狗", "拴绳", "狗屎", "流浪狗", "养狗"),
    "LD01": ("楼道堆物", "堆物", "堆放", "堆满", "杂物", "纸箱", "旧家具", "囤"),
    "LD02": ("充电", "电瓶车充电", "推进楼道", "电梯", "插线板", "电动车充电", "电池"),
    "LD03": ("消防通道", "消防车", "安全出口", "疏散通道", "逃生通道", "消防车道"),
    "LD04": ("灭火器", "消防栓", "消火栓", "烟感", "应急灯", "防火门", "消防设施", "消防器材", "喷淋", "指示灯"),
    "WJ01": ("违建", "违章", "搭建", "违法建筑", "阳光房", "彩钢板", "加盖", "搭棚", "铁皮房", "扩建"),
    "WJ02": ("承重墙", "拆墙", "砸墙", "房屋结构", "打掉", "阁楼", "夹层", "楼板", "墙都裂"),
    "WJ03": ("破墙开店", "开店", "开门做生意", "住改商", "破墙", "门面", "商铺"),
    "FW01": ("群租", "隔断", "二房东", "上下铺", "分隔", "隔成", "租客"),
    "FW02": ("日租", "短租", "民宿", "行李箱", "密码锁", "钟点房", "按天出租", "游客"),
    "FW03": ("漏水", "渗水", "渗漏", "漏雨", "发霉", "滴水", "天花板", "返潮"),
    "FW04": ("非成套", "里弄", "石库门", "合用", "公用厨房", "老房子", "木楼梯", "马桶", "煤卫", "灶披间"),
    "JY01": ("摆摊", "摊贩", "占道", "地摊", "设摊", "流动摊", "小贩", "摊"),
    "JY02": ("跨门", "店门口", "门外", "出店", "店外", "桌椅", "店家", "商家"),
    "JY03": ("无证", "无照", "营业执照", "执照", "许可证", "黑作坊", "黑诊所", "证照", "作坊"),
    "JY04": ("共享单车", "单车", "自行车", "非机动车", "乱停放", "盲道", "车棚"),
    "JY05": ("停车", "车位", "地锁", "违停", "乱停车", "汽车"),
    "SS01": ("路灯", "不亮", "灯坏", "黑灯瞎火", "灯杆", "照明", "灯"),
    "SS02": ("路面", "坑", "地砖", "人行道板", "塌陷", "坑洼", "道路", "裂缝"),
    "SS03": ("井盖", "窨井", "下水道盖", "井口", "箅子"),
    "SS04": ("积水", "淹", "排水", "下水道堵", "进水", "内涝", "下雨"),
    "AQ01": ("噪音", "吵", "扰民", "广场舞", "太响", "音响", "唱歌", "跺脚"),
    "AQ02": ("纠纷", "吵架", "矛盾", "调解", "打架", "评理"),
    "AQ03": ("治安", "小偷", "被偷", "盗窃", "门禁", "可疑", "撬", "监控", "陌生人", "诈骗"),
    "WY01": ("物业", "保安", "保洁", "不作为", "态度差"),
    "WY02": ("电梯", "困人", "关人", "被困", "维保"),
    "WY03": ("水质", "水箱", "二次供水", "水压", "自来水", "停水", "水发黄", "水泵"),
    "MS01": ("养老", "助餐", "护工", "养老院", "长护险", "适老化", "日托", "送餐", "护理"),
    "MS02": ("低保", "困难", "补助", "救助", "帮扶", "失业", "看病贵", "补贴"),
    "MS03": ("独居", "孤老", "探视", "探望", "没出门", "联系不上", "没见人", "老人"),
    "HJ06": ("道路不洁", "没人扫", "保洁", "油污", "路面脏", "扫地", "清扫"),
    "HJ07": ("油烟", "排烟", "烟道", "油烟机", "净化器", "饭店"),
    "HJ08": ("烧烤", "焚烧", "烧垃圾", "烧树叶", "黑烟", "烤串"),
    "HJ09": ("装修垃圾", "建筑垃圾", "大件垃圾", "旧沙发", "床垫", "碎砖"),
    "HJ10": ("河道", "河浜", "河水", "池塘", "黑臭", "漂浮"),
    "HJ11": ("老鼠", "蟑螂", "蚊子", "苍蝇", "灭鼠", "消杀"),
    "HJ12": ("修剪", "树枝", "倒伏", "大树", "树倒", "枯树", "遮光"),
    "HJ13": ("养鸡", "鸽子", "家禽", "养鸭", "公鸡", "鸽棚"),
    "LD05": ("飞线", "拉电线", "私拉", "接线板", "从窗户"),
    "LD06": ("充电桩", "充电车棚", "充电柜", "加装充电"),
    "FW05": ("外墙", "墙皮", "脱落", "开裂", "危房", "空调架", "广告牌"),
    "FW06": ("加装电梯", "加梯", "旧改", "旧房改造", "美丽家园", "综合修缮"),
    "JY06": ("晾晒", "晾衣", "晒被子", "晾挂", "沿街晾"),
    "JY07": ("占道堆物", "堆放建材", "废品回收", "收废品", "人行道上堆"),
    "JY08": ("黑车", "摩的", "拉客", "揽客", "非法营运"),
    "JY09": ("流浪", "乞讨", "露宿", "要饭", "救助站"),
    "JY10": ("僵尸车", "废弃车", "报废车", "很久没动", "落满灰"),
    "JY11": ("食品安全", "过期", "变质", "拉肚子", "食物中毒", "后厨"),
    "SS05": ("爆管", "水管爆", "冒水", "自来水管", "供水管"),
    "SS06": ("下水道", "化粪池", "污水", "冒污水", "堵塞", "返水"),
    "SS07": ("煤气", "燃气", "天然气", "漏气", "煤气味"),
    "SS08": ("红绿灯", "信号灯", "交通标志", "护栏", "减速带", "斑马线"),
    "SS09": ("公厕", "公共厕所", "厕所"),
    "SS10": ("健身器材", "健身", "滑梯", "秋千", "座椅", "游乐设施"),
    "SS11": ("电线杆", "线缆", "网线", "光缆", "电缆", "垂下来"),
    "AQ04": ("高空抛物", "往下扔", "楼上扔", "高空坠物", "花盆"),
    "AQ05": ("烟花", "鞭炮", "爆竹", "炮仗"),
    "WY04": ("楼道灯", "单元门", "门禁", "信报箱", "防盗门", "报修"),
    "WY05": ("物业费", "停车费", "涨价", "收费", "公共收益"),
    "WY06": ("业委会", "维修资金", "维修基金", "换物业", "业主大会"),
    "WY07": ("停电", "跳闸", "断电", "电表箱", "没电"),
    "MS04": ("残疾", "残疾证", "轮椅", "助残", "无障碍"),
    "MS05": ("家庭医生", "配药", "疫苗", "社区医院", "体检"),
    "MS06": ("社保", "医保", "养老金", "失业", "就业", "招聘"),
    "MS07": ("证明", "开证明", "居住证", "盖章", "户口", "居委会办事"),
    "MS08": ("律师", "法律咨询", "法律援助", "起诉", "继承", "打官司"),
    "SG01": ("工地", "夜间施工", "打桩", "施工噪音", "半夜施工"),
    "SG02": ("扬尘", "渣土", "渣土车", "泥头车", "遗撒"),
    "SG03": ("装修", "电钻", "装修声", "冲击钻", "敲墙"),
    "SG04": ("占道施工", "开挖", "围挡", "挖开", "施工围栏"),
}  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    confidence: float

    @property
    def parent(self) -> str:
        return PARENTS.get(self.code, self.code[:2])


@dataclass(frozen=True)
class Result:
    suggestions: list[Suggestion]
    needs_triage: bool
    source: str  # "model" or "rules"
    off_topic: float = 0.0  # the model's probability that the text reports no problem at all


def threshold() -> float:
    return float(getattr(settings, "CLASSIFIER_TRIAGE_THRESHOLD", DEFAULT_THRESHOLD))


def needs_triage(suggestions: Sequence[Suggestion], off_topic: float = 0.0) -> bool:
    """A person classifies when no 小类 is likely enough, or "none of these" is likelier."""
    if not suggestions:
        return True
    top = suggestions[0].confidence
    return top < threshold() or off_topic >= top


def rule_scores(text: str) -> dict[str, float]:
    """Keyword evidence as probabilities; an 'unknown' pseudo-count keeps weak evidence unsure."""
    raw = {code: float(sum(len(k) for k in words if k in text)) for code, words in RULES.items()}
    raw = {code: score for code, score in raw.items() if score > 0}
    total = sum(raw.values()) + 2.0
    return {code: score / total for code, score in raw.items()}


def classify(text: str, k: int = 3, street: str = "") -> Result:
    """The suggestion for a text; `street` (a street's code) asks that street's own model when it
    has one (trained on its own closed cases: docs/tenancy.md), else the deployment's."""
    text = (text or "").strip()
    bundle = load_model(street)
    off_topic = 0.0
    if bundle is None:
        probs, source = rule_scores(text), "rules"
    else:
        probs = dict(zip(bundle["labels"], _proba_one(bundle, text), strict=True))
        off_topic = float(probs.pop(OFF_TOPIC, 0.0))
        source = "model"
    names = {**NAMES, **(bundle or {}).get("names", {})}
    top = sorted(probs.items(), key=lambda item: (-item[1], item[0]))[:k]
    suggestions = [Suggestion(code, names.get(code, code), round(float(p), 4)) for code, p in top if p > 0]
    return Result(suggestions, needs_triage(suggestions, off_topic), source, round(off_topic, 4))


def suggest(text: str, k: int = 3) -> list[Suggestion]:
    """The top k 小类 for a text, best first; confidences sum to at most 1."""
    return classify(text, k).suggestions


# --- the model -------------------------------------------------------------------------------


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def build_pipeline(seed: int = 0) -> Any:
    """Char 1-2-grams need no word segmenter (most Chinese words are one or two characters;
    on phrasings held out of training they did as well as 1-3 and 1-4-grams, with fewer
    features); a linear SVM is fast on 10k+ texts and the temperature turns its margins into
    confidences the triage threshold can rely on."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    from gongzhi.cases.classify_model import TemperatureSoftmax

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        TemperatureSoftmax(c=0.5, seed=seed),
    )


def _proba(pipeline: Any, texts: Sequence[str]) -> np.ndarray:
    return np.asarray(pipeline.predict_proba(list(texts)))


def _proba_one(bundle: dict[str, Any], text: str) -> np.ndarray:
    fast = bundle.get("_fast")
    if fast is not None:
        return fast.proba(text)
    return _proba(bundle["pipeline"], [text])[0]


class FastPredictor:
    """`pipeline.predict_proba` for one text without sklearn's per-call checks.

    At intake one short text is classified per request; sklearn spends most of the time on
    validation, the arithmetic takes well under 1 ms. This replays the same arithmetic (TF-IDF
    with sublinear tf and l2 norm; the SVM's linear margins; softmax over margins / T) on numpy
    arrays taken from the fitted pipeline. `compile` returns None for any other pipeline shape,
    and the tests check it against `predict_proba`."""

    def __init__(
        self,
        analyzer: Any,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        weights: np.ndarray,
        intercept: np.ndarray,
        temperature: float,
    ):
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.idf = idf
        self.weights = weights  # n_features x n_classes
        self.intercept = intercept
        self.temperature = temperature

    @classmethod
    def compile(cls, pipeline: Any) -> "FastPredictor | None":
        try:
            from sklearn.feature_extraction.text import TfidfVectorizer

            from gongzhi.cases.classify_model import TemperatureSoftmax

            (_, vec), (_, model) = pipeline.steps
            ok = (
                isinstance(vec, TfidfVectorizer)
                and isinstance(model, TemperatureSoftmax)
                and vec.sublinear_tf
                and vec.use_idf
                and vec.norm == "l2"
                and not vec.binary
                and len(model.classes_) > 2
            )
            if not ok:
                return None
            weights = np.ascontiguousarray(np.asarray(model.svm.coef_, dtype=np.float64).T)
            intercept = np.asarray(model.svm.intercept_, dtype=np.float64)
            return cls(
                vec.build_analyzer(),
                dict(vec.vocabulary_),
                np.asarray(vec.idf_),
                weights,
                intercept,
                model.temperature,
            )
        except (AttributeError, ValueError, KeyError, TypeError):
            return None

    def proba(self, text: str) -> np.ndarray:
        counts = Counter(i for g in self.analyzer(text) if (i := self.vocabulary.get(g)) is not None)
        margins = self.intercept.copy()
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            vals = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0
            vals *= self.idf[idx]
            vals /= np.sqrt(vals @ vals)
            margins += vals @ self.weights[idx]
        return softmax(margins / self.temperature)


def _ranked(pipeline: Any, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: the 小类 best first (never OFF_TOPIC), their probabilities, P(off-topic)."""
    classes = np.asarray(pipeline.classes_)
    probs = _proba(pipeline, texts)
    off = np.zeros(len(texts))
    if OFF_TOPIC in classes:
        column = int(np.flatnonzero(classes == OFF_TOPIC)[0])
        off = probs[:, column].copy()
        probs = probs.copy()
        probs[:, column] = -1.0
    order = np.argsort(-probs, axis=1)
    return classes[order], np.take_along_axis(probs, order, axis=1), off


def scores(pipeline: Any, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Top-1 小类, top-1 大类 (derived from the 小类) and top-3 小类 accuracy over the texts
    labelled with a 小类; the expected calibration error of the top confidence (ece); the
    share sent to 需人工分诊 (triage); and of the texts labelled OFF_TOPIC, the share sent to
    triage (off_topic_triaged, None without such texts)."""
    out: dict[str, Any] = {"top1": 0.0, "parent_top1": 0.0, "top3": 0.0, "n": 0}
    if not texts:
        return out
    top, conf, off = _ranked(pipeline, texts)
    limit = threshold()
    triaged = (conf[:, 0] < limit) | (off >= conf[:, 0])
    on = np.array([y != OFF_TOPIC for y in labels])
    truth = np.array(labels)
    if on.any():
        t, y = top[on], truth[on]
        hit1 = t[:, 0] == y
        out["top1"] = float(hit1.mean())
        out["parent_top1"] = float(
            np.mean([PARENTS.get(a, a[:2]) == PARENTS.get(b, b[:2]) for a, b in zip(t[:, 0], y, strict=True)])
        )
        out["top3"] = float(np.mean([b in a[:3] for a, b in zip(t, y, strict=True)]))
        out["ece"] = expected_calibration_error(conf[on, 0], hit1)
        out["triage"] = float(triaged[on].mean())
        out["top1_when_not_triaged"] = float(hit1[~triaged[on]].mean()) if (~triaged[on]).any() else None
    out["n"] = int(on.sum())
    out["off_topic_n"] = int((~on).sum())
    out["off_topic_triaged"] = float(triaged[~on].mean()) if (~on).any() else None
    return out


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by their size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(float(confidence[mask].mean()) - float(correct[mask].mean()))
    return float(total)


def with_off_topic(texts: Sequence[str], labels: Sequence[str], *, seed: int) -> tuple[list[str], list[str]]:
    """The texts plus generated off-topic ones labelled OFF_TOPIC (cases.off_topic)."""
    from gongzhi.cases.off_topic import off_topic_texts

    counts = sorted(Counter(labels).values())
    n = max(MIN_PER_CATEGORY, int(OFF_TOPIC_SHARE * counts[len(counts) // 2])) if counts else 0
    extra = off_topic_texts(seed, n)
    return [*texts, *extra], [*labels, *[OFF_TOPIC] * len(extra)]


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    seed: int = 0,
    holdout: float = 0.2,
    calibration: tuple[Sequence[str], Sequence[str]] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit on a stratified 80% (plus off-topic texts), fit the temperature on the held-out 20%
    and score it there, then refit on everything with that temperature.

    `calibration` replaces the random 20% with texts the caller holds out (the demo corpus
    passes texts written from phrasings the training half never saw, which is what residents'
    own wording is to the model). Categories with fewer than MIN_PER_CATEGORY texts are left
    out: too few to learn from."""
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    kept = [(t, y) for t, y in zip(texts, labels, strict=True) if counts[y] >= MIN_PER_CATEGORY]
    if len({y for _, y in kept}) < 2:
        raise ValueError("need at least two categories with enough texts")
    x, y = [t for t, _ in kept], [label for _, label in kept]
    if calibration is None:
        x_fit, x_held, y_fit, y_held = train_test_split(
            x, y, test_size=holdout, random_state=seed, stratify=y
        )
    else:
        x_fit, y_fit = x, y
        x_held, y_held = list(calibration[0]), list(calibration[1])
    x_held, y_held = with_off_topic(x_held, y_held, seed=seed + 1)
    first = build_pipeline(seed).fit(*with_off_topic(x_fit, y_fit, seed=seed))
    temperature = first[-1].calibrate(first[0].transform(x_held), y_held)
    split = scores(first, x_held, y_held)
    split["temperature"] = round(temperature, 4)
    if calibration is not None:
        x, y = [*x, *x_held], [*y, *y_held]  # learn from every phrasing once T is known
        x = [t for t, label in zip(x, y, strict=True) if label != OFF_TOPIC]
        y = [label for label in y if label != OFF_TOPIC]
    final = build_pipeline(seed).fit(*with_off_topic(x, y, seed=seed))
    final[-1].temperature = temperature
    return final, split


def model_path(street: str = "") -> Path:
    """The deployment's model, or one street's (its code: `classifier-<code>.joblib`)."""
    name = MODEL_FILE if not street else MODEL_FILE.replace(".joblib", f"-{street}.joblib")
    return Path(settings.VAR_DIR) / "models" / name


def save(pipeline: Any, meta: dict[str, Any], street: str = "") -> Path:
    path = model_path(street)
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = [str(c) for c in pipeline.classes_]
    meta = {"trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "labels": labels, **meta}
    bundle = {"pipeline": pipeline, "labels": labels, "names": meta.get("names", {}), "meta": meta}
    tmp = path.with_suffix(".tmp")
    joblib.dump(bundle, tmp)
    tmp.replace(path)  # readers never see half a file
    return path


_lock = threading.Lock()
_cache: dict[str, tuple[int, dict[str, Any]]] = {}  # path -> (mtime, bundle)


def load_model(street: str = "") -> dict[str, Any] | None:
    """The saved model (the street's own when it has one, else the deployment's), loaded once
    per process and again whenever its file changes."""
    path = model_path(street)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return load_model() if street else None
    with _lock:
        held = _cache.get(str(path))
        if held is None or held[0] != mtime:
            bundle = joblib.load(path)
            bundle["_fast"] = FastPredictor.compile(bundle["pipeline"])
            held = _cache[str(path)] = (mtime, bundle)
        return held[1]


def model_info() -> dict[str, Any] | None:
    bundle = load_model()
    return dict(bundle["meta"]) if bundle else None


# --- data ------------------------------------------------------------------------------------

EVAL_FILE = Path(__file__).parent / "data" / "eval_independent.tsv"
EVAL_NONE = "NONE"  # the eval file's label for text of no category (read as OFF_TOPIC)


def eval_rows(path: Path = EVAL_FILE) -> list[tuple[str, str, str]]:
    """The independent evaluation texts (code, voice, text); never used for training or
    tuning (data/EVAL_README.md). Text of no category comes labelled OFF_TOPIC."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        code, voice, text = parts if len(parts) == 3 else (parts[0], "", parts[-1])
        rows.append((OFF_TOPIC if code == EVAL_NONE else code, voice, text))
    return rows


def eval_set(path: Path = EVAL_FILE) -> list[tuple[str, str]]:
    """(code, text) of every evaluation text."""
    return [(code, text) for code, _voice, text in eval_rows(path)]


def eval_scores(pipeline: Any, path: Path = EVAL_FILE) -> dict[str, Any]:
    """`scores` on the whole evaluation file, and per voice under "voices"."""
    rows = eval_rows(path)
    figures: dict[str, Any] = scores(pipeline, [t for _, _, t in rows], [c for c, _, _ in rows])
    voices: dict[str, Any] = {}
    for voice in sorted({v for _, v, _ in rows if v}):
        mine = [(c, t) for c, v, t in rows if v == voice]
        voices[voice] = scores(pipeline, [t for _, t in mine], [c for c, _ in mine])
    figures["voices"] = voices
    return figures


def closed_cases(under: str = "") -> list[tuple[str, str]]:
    """(小类 code, text) of the closed cases (of one street: `under`, its path)."""
    from gongzhi.cases.models import Case
    from gongzhi.cases.states import State

    qs = Case.objects.filter(state=State.CLOSED, category__isnull=False, category__parent__isnull=False)
    qs = qs.filter(node_path__startswith=under)
    return [(code, text) for text, code in qs.values_list("text", "category__code").iterator()]


def demo_corpus(seed: int, per_category: int, part: int | None = None) -> list[tuple[str, str]]:
    """The generated corpus (`part` 0 or 1: one half of the phrasings only). Named by a setting
    because the generator lives in the demo package, above cases in the import layers."""
    from django.utils.module_loading import import_string

    dotted = getattr(settings, "CLASSIFIER_DEMO_CORPUS", "gongzhi.demo.case_texts.sample_corpus")
    make = import_string(dotted)
    corpus: Iterable[tuple[str, str]] = (
        make(seed, per_category) if part is None else make(seed, per_category, part)
    )
    return list(corpus)


def train_on_demo(seed: int, per_category: int) -> tuple[Any, dict[str, Any], int]:
    """Train on the demo corpus: fit on one half of the phrasings, calibrate and score on texts
    from the other half (a fifth as many), then refit on both. Returns the pipeline, the
    held-out figures and the number of texts."""
    fit = demo_corpus(seed, per_category, part=0)
    held = demo_corpus(seed + 1, max(MIN_PER_CATEGORY, per_category // 4), part=1)
    pipeline, split = train(
        [t for _, t in fit],
        [c for c, _ in fit],
        seed=seed,
        calibration=([t for _, t in held], [c for c, _ in held]),
    )
    return pipeline, split, len(fit) + len(held)


def category_names() -> dict[str, str]:
    from gongzhi.orgs.models import Category

    return {**NAMES, **dict(Category.objects.values_list("code", "name"))}
