"""Category suggestion (事项分类建议): top 3 小类 with confidence for a problem description.

Char n-gram TF-IDF + logistic regression, trained by `gongzhi train_classifier` on the street's
closed cases (or, before there are enough, on the demo corpus). Keyword rules give a cold start
when no model is saved, and are blended in when the model is unsure. Below the triage
threshold a person decides; either way the suggestion is only a suggestion.
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
RULE_WEIGHT = 0.4  # share of the rules in a blend when the model is unsure
DEFAULT_THRESHOLD = 0.5

NAMES: dict[str, str] = {code: name for _, _, children in SEED for code, name in children}
NAMES.update({code: name for code, name, _ in SEED})
PARENTS: dict[str, str] = {code: parent for parent, _, children in SEED for code, _ in children}

# Cold-start keywords per 小类: a hit adds the keyword's length (longer = more specific).
RULES: dict[str, tuple[str, ...]] = {
    "HJ01": ("垃圾", "暴露垃圾", "垃圾桶", "垃圾堆", "没人清运", "乱倒", "发臭", "清运", "臭气"),
    "HJ02": ("垃圾分类", "分类", "干湿", "湿垃圾", "干垃圾", "混投", "投放", "定时定点", "督导", "厨余", "可回收", "有害垃圾"),
    "HJ03": ("绿化", "草坪", "草地", "毁绿", "种菜", "砍树", "树木", "花坛", "绿地", "菜地", "树枝", "灌木"),
    "HJ04": ("小广告", "牛皮癣", "乱贴", "张贴", "贴满", "涂鸦", "乱涂", "乱画", "喷字", "横幅", "涂写", "电话号码"),
    "HJ05": ("狗", "犬", "遛狗", "拴绳", "狗屎", "流浪狗", "养狗"),
    "LD01": ("楼道堆物", "堆物", "堆放", "堆满", "杂物", "纸箱", "旧家具", "囤"),
    "LD02": ("充电", "飞线", "电瓶车充电", "拉电线", "插线板", "电动车充电", "电池"),
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
    "JY05": ("停车", "车位", "地锁", "僵尸车", "违停", "乱停车", "汽车"),
    "SS01": ("路灯", "不亮", "灯坏", "黑灯瞎火", "灯杆", "照明", "灯"),
    "SS02": ("路面", "坑", "地砖", "人行道板", "塌陷", "坑洼", "道路", "裂缝"),
    "SS03": ("井盖", "窨井", "下水道盖", "井口", "箅子"),
    "SS04": ("积水", "淹", "排水", "下水道堵", "进水", "内涝", "下雨"),
    "AQ01": ("噪音", "吵", "扰民", "广场舞", "夜间施工", "装修声", "太响", "音响"),
    "AQ02": ("纠纷", "吵架", "矛盾", "调解", "打架", "评理"),
    "AQ03": ("治安", "小偷", "被偷", "盗窃", "门禁", "可疑", "撬", "监控", "陌生人", "诈骗"),
    "WY01": ("物业", "保安", "保洁", "物业费", "不作为", "报修"),
    "WY02": ("电梯", "困人", "关人", "被困", "维保"),
    "WY03": ("水质", "水箱", "二次供水", "水压", "自来水", "停水", "水发黄", "水泵"),
    "MS01": ("养老", "助餐", "护工", "养老院", "长护险", "适老化", "日托", "送餐", "护理"),
    "MS02": ("低保", "困难", "补助", "救助", "帮扶", "失业", "看病贵", "补贴"),
    "MS03": ("独居", "孤老", "探视", "探望", "没出门", "联系不上", "没见人", "老人"),
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
    source: str  # "model", "rules" or "blend"


def threshold() -> float:
    return float(getattr(settings, "CLASSIFIER_TRIAGE_THRESHOLD", DEFAULT_THRESHOLD))


def needs_triage(suggestions: Sequence[Suggestion]) -> bool:
    return not suggestions or suggestions[0].confidence < threshold()


def rule_scores(text: str) -> dict[str, float]:
    """Keyword evidence as probabilities; an 'unknown' pseudo-count keeps weak evidence unsure."""
    raw = {code: float(sum(len(k) for k in words if k in text)) for code, words in RULES.items()}
    raw = {code: score for code, score in raw.items() if score > 0}
    total = sum(raw.values()) + 2.0
    return {code: score / total for code, score in raw.items()}


def classify(text: str, k: int = 3) -> Result:
    text = (text or "").strip()
    rules = rule_scores(text)
    bundle = load_model()
    if bundle is None:
        probs, source = rules, "rules"
    else:
        probs = dict(zip(bundle["labels"], _proba_one(bundle, text), strict=True))
        source = "model"
        if max(probs.values(), default=0.0) < threshold() and rules:
            probs = {
                c: (1 - RULE_WEIGHT) * probs.get(c, 0.0) + RULE_WEIGHT * rules.get(c, 0.0)
                for c in set(probs) | set(rules)
            }
            source = "blend"
    names = {**NAMES, **(bundle or {}).get("names", {})}
    top = sorted(probs.items(), key=lambda item: (-item[1], item[0]))[:k]
    suggestions = [Suggestion(code, names.get(code, code), round(float(p), 4)) for code, p in top if p > 0]
    return Result(suggestions, needs_triage(suggestions), source)


def suggest(text: str, k: int = 3) -> list[Suggestion]:
    """The top k 小类 for a text, best first; confidences sum to at most 1."""
    return classify(text, k).suggestions


# --- the model -------------------------------------------------------------------------------


def build_pipeline(seed: int = 0) -> Any:
    """Char 1-3-grams need no word segmenter; a linear SVM is fast on 10k+ texts and the
    calibration turns its margins into confidences the triage threshold can rely on."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        CalibratedClassifierCV(LinearSVC(C=0.5, random_state=seed), cv=3),
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

    At intake one short text is classified per request; sklearn spends ~50 ms on validation
    and on one calibrator call per class and fold, the arithmetic takes well under 1 ms. This
    replays the same arithmetic (TF-IDF with sublinear tf and l2 norm; each fold's linear
    decision function, Platt sigmoid per class, normalised; the folds' mean) on numpy arrays
    taken from the fitted pipeline. `compile` returns None for any other pipeline shape, and
    the tests check it against `predict_proba`."""

    def __init__(self, analyzer: Any, vocabulary: dict[str, int], idf: np.ndarray, folds: list[Any]):
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.idf = idf
        # per fold: (weights n_classes x n_features, intercepts, a, b, column of each class)
        self.folds = folds
        self.n_classes = max(int(cols.max()) for *_, cols in folds) + 1

    @classmethod
    def compile(cls, pipeline: Any) -> "FastPredictor | None":
        try:
            from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
            from sklearn.feature_extraction.text import TfidfVectorizer

            (_, vec), (_, cal) = pipeline.steps
            ok = (
                isinstance(vec, TfidfVectorizer)
                and isinstance(cal, CalibratedClassifierCV)
                and vec.sublinear_tf
                and vec.use_idf
                and vec.norm == "l2"
                and not vec.binary
                and len(cal.classes_) > 2
            )
            if not ok:
                return None
            classes = {c: i for i, c in enumerate(cal.classes_)}
            folds = []
            for cc in cal.calibrated_classifiers_:
                if not all(isinstance(c, _SigmoidCalibration) for c in cc.calibrators):
                    return None
                est = cc.estimator
                cols = np.array([classes[c] for c in est.classes_])
                a = np.array([c.a_ for c in cc.calibrators], dtype=np.float64)
                b = np.array([c.b_ for c in cc.calibrators], dtype=np.float64)
                weights = np.ascontiguousarray(np.asarray(est.coef_, dtype=np.float64).T)
                folds.append((weights, np.asarray(est.intercept_, dtype=np.float64), a, b, cols))
            return cls(vec.build_analyzer(), dict(vec.vocabulary_), np.asarray(vec.idf_), folds)
        except (AttributeError, ValueError, KeyError, TypeError):
            return None

    def proba(self, text: str) -> np.ndarray:
        counts = Counter(i for g in self.analyzer(text) if (i := self.vocabulary.get(g)) is not None)
        out = np.zeros(self.n_classes)
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            vals = np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) + 1.0
            vals *= self.idf[idx]
            vals /= np.sqrt(vals @ vals)
        for weights, intercept, a, b, cols in self.folds:
            decision = (vals @ weights[idx] if counts else 0.0) + intercept
            p = np.zeros(self.n_classes)
            with np.errstate(over="ignore"):  # exp(+big) is inf, and 1/inf is the 0 wanted
                p[cols] = 1.0 / (1.0 + np.exp(a * decision + b))
            total = p.sum()
            out += p / total if total != 0 else np.full(self.n_classes, 1 / self.n_classes)
        out /= len(self.folds)
        out[(out > 1.0) & (out <= 1.0 + 1e-5)] = 1.0
        return out


def scores(pipeline: Any, texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Top-1 小类, top-1 大类 (derived from the 小类) and top-3 小类 accuracy."""
    if not texts:
        return {"top1": 0.0, "parent_top1": 0.0, "top3": 0.0, "n": 0}
    classes = np.asarray(pipeline.classes_)
    order = np.argsort(-_proba(pipeline, texts), axis=1)[:, :3]
    top = classes[order]
    n = len(labels)
    hit1 = sum(t[0] == y for t, y in zip(top, labels, strict=True))
    hit_parent = sum(
        PARENTS.get(t[0], t[0][:2]) == PARENTS.get(y, y[:2]) for t, y in zip(top, labels, strict=True)
    )
    hit3 = sum(y in t for t, y in zip(top, labels, strict=True))
    return {"top1": hit1 / n, "parent_top1": hit_parent / n, "top3": hit3 / n, "n": n}


def train(
    texts: Sequence[str], labels: Sequence[str], *, seed: int = 0, holdout: float = 0.2
) -> tuple[Any, dict[str, float]]:
    """Fit on a stratified 80%, score the held-out 20%, then refit on everything.

    Categories with fewer than MIN_PER_CATEGORY texts are left out: too few to learn from,
    and the calibration's folds need a few of each."""
    from sklearn.model_selection import train_test_split

    counts = Counter(labels)
    kept = [(t, y) for t, y in zip(texts, labels, strict=True) if counts[y] >= MIN_PER_CATEGORY]
    if len({y for _, y in kept}) < 2:
        raise ValueError("need at least two categories with enough texts")
    x, y = [t for t, _ in kept], [label for _, label in kept]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=holdout, random_state=seed, stratify=y
    )
    split = scores(build_pipeline(seed).fit(x_train, y_train), x_test, y_test)
    return build_pipeline(seed).fit(x, y), split


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "models" / MODEL_FILE


def save(pipeline: Any, meta: dict[str, Any]) -> Path:
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = [str(c) for c in pipeline.classes_]
    meta = {"trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "labels": labels, **meta}
    bundle = {"pipeline": pipeline, "labels": labels, "names": meta.get("names", {}), "meta": meta}
    tmp = path.with_suffix(".tmp")
    joblib.dump(bundle, tmp)
    tmp.replace(path)  # readers never see half a file
    return path


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def load_model() -> dict[str, Any] | None:
    """The saved model, loaded once per process and again whenever the file changes."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    with _lock:
        if _cache.get("key") != (str(path), mtime):
            bundle = joblib.load(path)
            bundle["_fast"] = FastPredictor.compile(bundle["pipeline"])
            _cache["bundle"] = bundle
            _cache["key"] = (str(path), mtime)
        return _cache["bundle"]


def model_info() -> dict[str, Any] | None:
    bundle = load_model()
    return dict(bundle["meta"]) if bundle else None


# --- data ------------------------------------------------------------------------------------

EVAL_FILE = Path(__file__).parent / "data" / "eval_texts.tsv"


def eval_set(path: Path = EVAL_FILE) -> list[tuple[str, str]]:
    """The hand-written evaluation texts (code, text): never used for training."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            code, _, text = line.partition("\t")
            rows.append((code.strip(), text.strip()))
    return rows


def closed_cases() -> list[tuple[str, str]]:
    from gongzhi.cases.models import Case
    from gongzhi.cases.states import State

    qs = Case.objects.filter(state=State.CLOSED, category__isnull=False, category__parent__isnull=False)
    return [(code, text) for text, code in qs.values_list("text", "category__code").iterator()]


def demo_corpus(seed: int, per_category: int) -> list[tuple[str, str]]:
    """The generated corpus. Named by a setting because the generator lives in the demo package,
    above cases in the import layers."""
    from django.utils.module_loading import import_string

    dotted = getattr(settings, "CLASSIFIER_DEMO_CORPUS", "gongzhi.demo.case_texts.sample_corpus")
    corpus: Iterable[tuple[str, str]] = import_string(dotted)(seed, per_category)
    return list(corpus)


def category_names() -> dict[str, str]:
    from gongzhi.orgs.models import Category

    return {**NAMES, **dict(Category.objects.values_list("code", "name"))}
