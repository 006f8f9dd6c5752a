"""Texts that report no problem (无关内容): greetings, thanks, weather and small talk, adverts and
spam, questions about other things, test input. The classifier learns them as one more class,
"none of these" (classify.OFF_TOPIC), so such a text lands in 需人工分诊 with a low confidence
for every 小类 instead of being pushed into the nearest one.

Composed like the demo's case texts (``[a|b]`` alternatives, several parts, random order) so the
class is not a handful of fixed strings. It lives in cases, not demo: a model trained on the
street's own closed cases needs the same negatives.
"""

import random
import re

GREETINGS = (
    "你好", "您好", "在吗", "在不在", "有人吗", "早上好", "晚上好", "大家好", "喂喂", "哈喽", "hello",
    "hi", "谢谢", "谢谢你们", "辛苦了", "好的", "收到", "嗯嗯", "OK", "知道了", "再见", "拜拜", "晚安",
    "新年快乐", "中秋快乐", "国庆快乐", "节日快乐", "感谢社区", "给你们点个赞", "👍", "🙏", "😊",
)  # fmt: skip
SMALL_TALK = (
    "今天天气[真好|不错|挺好的|太热了|好冷啊]", "[明天|周末|下午][会不会|要]下雨[啊|吗]",
    "[外面|今天][太阳|风][好大|真大]", "[好久|很久]没[出太阳|下雨]了",
    "[中午|晚上][吃什么|吃啥]好呢", "[昨天|今晚]的[球赛|比赛|电视剧][好看|精彩]",
    "[我家|我们家][孙子|孩子|小孙女][考上|考了][大学|一百分]，[开心|高兴]", "[刚|今天]去公园[散步|打太极]回来",
    "[最近|这几天][身体|睡眠][还不错|挺好]", "[今天|周末][去|想去][逛街|爬山|看电影|喝茶]",
    "[菜场|超市]的[青菜|鸡蛋|猪肉][又涨价了|便宜了]", "[春天|秋天]来了，[花都开了|叶子黄了]",
    "[这首歌|这个视频][真好听|太好笑了]", "[祝|祝大家][身体健康|万事如意|天天开心]",
    "[股票|基金][又跌了|涨了]", "[手机|电脑][怎么|咋][截图|连wifi]", "[给|帮]我[讲个笑话|推荐本书]",
    "[你们|你][是机器人吗|叫什么名字|几点下班]", "[我|今天][心情|状态][很好|一般]",
)  # fmt: skip
ADVERTS = (
    "[低价|特价|优惠][出售|转让][二手|全新][手机|家具|钢琴|自行车]，[有意|需要]者[联系|加微信]",
    "[专业|正规][代办|办理][信用卡|贷款|各类证件]，[当天|快速]放款",
    "[招聘|诚聘][兼职|店员|司机|保姆]，[日结|月薪][过万|轻松]，[联系|加]微信",
    "[加微信|进群|扫码][领|送][红包|优惠券|鸡蛋]", "[本店|我店][开业|周年庆][全场|所有商品][八折|五折]",
    "[美容|健身|瑜伽][体验卡|年卡][特价|免费体验]", "[代购|微商][面膜|奶粉|保健品]，[正品|保真]",
    "[投资|理财][稳赚|高收益]，[月入|年化][过万|20%]", "[家教|辅导][数学|英语]，[名师|一对一]",
    "[点击|打开]链接[领取|抽奖]：http://[x|t|k]k.[cn|cc]/[a1|b2|c3]", "[出租|转租][车位|商铺|仓库]，[价格|租金]面议",
)  # fmt: skip
QUESTIONS = (
    "[请问|想问一下][高铁|火车|飞机]票[怎么|在哪]买", "[哪里|哪家][饭店|馆子][好吃|便宜]",
    "[明天|下周][放假|调休]吗", "[请问|想问][这个|那个]字怎么读", "[一加一|三加五]等于几",
    "[怎么|如何][做红烧肉|包饺子|织毛衣]", "[帮我|给我][翻译|查一下][一句话|这个单词]",
    "[哪个|什么][手机|品牌]好用", "[孩子|小孩][学钢琴|学画画]好不好", "[给我|帮我][写首诗|写篇作文]",
    "[现在|今天]几点了", "[新闻|电视]上说的是真的吗",
)  # fmt: skip
TEST_INPUT = (
    "测试", "测试一下", "test", "testing 123", "123456", "asdf", "哈哈哈哈", "嗯", "。。。", "？？？", "111",
    "aaa", "试试看", "随便写写", "不小心点到了", "点错了", "打错了，不好意思", "没事了", "算了",
)  # fmt: skip
MIXED_TAILS = ("", "", "！", "。", "～", "哈哈", "😄", "🌞", "🎉", "呵呵", "~~")

_ALT = re.compile(r"\[([^\[\]]*)\]")


def _fill(rng: random.Random, template: str) -> str:
    return _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), template)


def off_topic_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:
        return rng.choice(TEST_INPUT)
    parts = []
    if rng.random() < 0.5:
        parts.append(rng.choice(GREETINGS))
    pool = SMALL_TALK if kind < 0.55 else ADVERTS if kind < 0.8 else QUESTIONS
    parts.append(_fill(rng, rng.choice(pool)))
    if rng.random() < 0.3:
        parts.append(_fill(rng, rng.choice(SMALL_TALK + QUESTIONS)))
    if rng.random() < 0.3:
        parts.append(rng.choice(GREETINGS))
    return "，".join(parts) + rng.choice(MIXED_TAILS)


def off_topic_texts(seed: int, n: int) -> list[str]:
    """n off-topic texts, deterministic for the seed."""
    rng = random.Random(seed)
    return [off_topic_text(rng) for _ in range(n)]
