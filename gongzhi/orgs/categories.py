"""The seed set of 事项分类 (大类 / 小类): community and urban-management matters.

The 小类 follow the event (事件) and part (部件) classes of GB/T 30428 (数字化城市管理信息系统)
that residents actually report, plus the community matters a street handles (居务、物业、养老、
邻里、群租、短租、电瓶车充电、非成套房屋). Codes are stable: new 小类 take the next free number of
their 大类, never an old one. Admins add, rename or retire categories in the back office; the
seed only adds the ones that are missing. The cases package adds deadlines and routing policy
per category (gongzhi/cases/policies.py).
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
            ("HJ06", "道路不洁"),
            ("HJ07", "餐饮油烟"),
            ("HJ08", "露天烧烤与焚烧"),
            ("HJ09", "装修垃圾与大件垃圾"),
            ("HJ10", "河道水域不洁"),
            ("HJ11", "病媒生物"),
            ("HJ12", "树木修剪与倒伏"),
            ("HJ13", "违规饲养家禽家畜"),
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
            ("LD05", "飞线充电与私拉电线"),
            ("LD06", "充电设施不足或损坏"),
        ],
    ),
    ("WJ", "违法建设", [("WJ01", "违法搭建"), ("WJ02", "擅自改变房屋结构"), ("WJ03", "破墙开店")]),
    (
        "FW",
        "房屋管理",
        [
            ("FW01", "群租"),
            ("FW02", "短租（日租房）"),
            ("FW03", "房屋渗漏"),
            ("FW04", "非成套房屋维修"),
            ("FW05", "房屋安全隐患"),
            ("FW06", "加装电梯与旧房改造"),
        ],
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
            ("JY06", "沿街晾挂"),
            ("JY07", "街面堆物"),
            ("JY08", "非法营运"),
            ("JY09", "流浪乞讨"),
            ("JY10", "废弃车辆（僵尸车）"),
            ("JY11", "食品安全"),
        ],
    ),
    (
        "SS",
        "市政设施",
        [
            ("SS01", "路灯损坏"),
            ("SS02", "道路破损"),
            ("SS03", "窨井盖缺损"),
            ("SS04", "积水"),
            ("SS05", "供水管道破损"),
            ("SS06", "下水道堵塞"),
            ("SS07", "燃气泄漏"),
            ("SS08", "交通设施损坏"),
            ("SS09", "公共厕所"),
            ("SS10", "健身与休闲设施损坏"),
            ("SS11", "架空线缆"),
        ],
    ),
    (
        "AQ",
        "社会治安",
        [
            ("AQ01", "噪音扰民"),
            ("AQ02", "邻里纠纷"),
            ("AQ03", "治安隐患"),
            ("AQ04", "高空抛物"),
            ("AQ05", "违规燃放烟花爆竹"),
        ],
    ),
    (
        "WY",
        "物业管理",
        [
            ("WY01", "物业服务"),
            ("WY02", "电梯故障"),
            ("WY03", "二次供水"),
            ("WY04", "小区公共设施报修"),
            ("WY05", "物业收费"),
            ("WY06", "业委会与维修资金"),
            ("WY07", "停电与供电故障"),
        ],
    ),
    (
        "MS",
        "民生服务",
        [
            ("MS01", "养老服务需求"),
            ("MS02", "困难帮扶"),
            ("MS03", "为老上门探视"),
            ("MS04", "助残服务"),
            ("MS05", "医疗与家庭医生"),
            ("MS06", "社保与就业"),
            ("MS07", "居务办事"),
            ("MS08", "法律咨询"),
        ],
    ),
    (
        "SG",
        "施工管理",
        [
            ("SG01", "工地施工噪声"),
            ("SG02", "工地扬尘与渣土"),
            ("SG03", "装修扰民"),
            ("SG04", "占道施工"),
        ],
    ),
]

# The English names shown in English mode (core.i18n): `Category.name_en`, filled by the seed
# and by migration 0005 for the seed rows whose Chinese name the admins have not changed.
ENGLISH: dict[str, str] = {
    "HJ": "City appearance and environment",
    "HJ01": "Exposed rubbish",
    "HJ02": "Waste sorting",
    "HJ03": "Damaged green space",
    "HJ04": "Flyposting and graffiti",
    "HJ05": "Dog control",
    "HJ06": "Dirty roads",
    "HJ07": "Restaurant cooking fumes",
    "HJ08": "Open-air barbecues and burning",
    "HJ09": "Renovation debris and bulky waste",
    "HJ10": "Polluted rivers and ponds",
    "HJ11": "Pests (rats, cockroaches, mosquitoes)",
    "HJ12": "Tree pruning and fallen trees",
    "HJ13": "Poultry or livestock kept illegally",
    "LD": "Stairwells and fire safety",
    "LD01": "Clutter in stairwells",
    "LD02": "E-bikes charged in stairwells",
    "LD03": "Blocked fire lanes",
    "LD04": "Damaged fire equipment",
    "LD05": "Trailing charging cables and illegal wiring",
    "LD06": "Too few or broken charging points",
    "WJ": "Illegal construction",
    "WJ01": "Illegal structures",
    "WJ02": "Unauthorised structural alterations",
    "WJ03": "Walls broken through for shopfronts",
    "FW": "Housing",
    "FW01": "Overcrowded rentals",
    "FW02": "Short-term (daily) rentals",
    "FW03": "Leaks and seepage",
    "FW04": "Repairs to old housing with shared kitchens and toilets",
    "FW05": "Unsafe buildings",
    "FW06": "Lift installation and old-housing renovation",
    "JY": "Street order",
    "JY01": "Street vending on the road",
    "JY02": "Trading outside shop doors",
    "JY03": "Unlicensed businesses",
    "JY04": "Badly parked bicycles and e-bikes",
    "JY05": "Car parking",
    "JY06": "Laundry hung along the street",
    "JY07": "Clutter on streets and pavements",
    "JY08": "Unlicensed taxis",
    "JY09": "Rough sleeping and begging",
    "JY10": "Abandoned vehicles",
    "JY11": "Food safety",
    "SS": "Municipal facilities",
    "SS01": "Broken street lights",
    "SS02": "Damaged roads and pavements",
    "SS03": "Missing or broken manhole covers",
    "SS04": "Standing water",
    "SS05": "Burst water mains",
    "SS06": "Blocked drains and sewers",
    "SS07": "Gas leaks",
    "SS08": "Damaged traffic facilities",
    "SS09": "Public toilets",
    "SS10": "Damaged fitness and leisure facilities",
    "SS11": "Overhead cables",
    "AQ": "Public order and safety",
    "AQ01": "Noise nuisance",
    "AQ02": "Neighbour disputes",
    "AQ03": "Security risks",
    "AQ04": "Objects thrown from height",
    "AQ05": "Illegal fireworks",
    "WY": "Property management",
    "WY01": "Property management service",
    "WY02": "Lift breakdowns",
    "WY03": "Building water supply",
    "WY04": "Repairs to an estate's shared facilities",
    "WY05": "Property charges",
    "WY06": "Owners' committee and maintenance fund",
    "WY07": "Power cuts and supply faults",
    "MS": "Public services and welfare",
    "MS01": "Elderly care",
    "MS02": "Hardship assistance",
    "MS03": "Home visits to older people",
    "MS04": "Disability services",
    "MS05": "Healthcare and family doctors",
    "MS06": "Social security and employment",
    "MS07": "Residents' committee services",
    "MS08": "Legal advice",
    "SG": "Construction",
    "SG01": "Construction site noise",
    "SG02": "Construction dust and spoil",
    "SG03": "Home renovation nuisance",
    "SG04": "Roadworks occupying the road",
}

# What belongs in each 小类 and what does not (one line, for the people who label reports and
# for the docs; the classifier learns from the demo texts, not from these lines).
SCOPE: dict[str, str] = {
    "HJ01": "垃圾桶满溢、垃圾堆放没人清运、垃圾房发臭；投放不分类归HJ02，装修垃圾和大件家具归HJ09",
    "HJ02": "垃圾分类投放：干湿混投、定时定点投放点、督导员、厨余垃圾；垃圾没人清运归HJ01",
    "HJ03": "绿地被毁坏：毁绿种菜、踩踏草坪、花坛被占、私砍绿化；树太高要修剪或树倒了归HJ12",
    "HJ04": "小广告、牛皮癣、乱贴乱涂乱画、私挂横幅；店招广告牌掉落危险归FW05",
    "HJ05": "养犬问题：遛狗不拴绳、狗屎不清理、犬吠、流浪狗、烈性犬伤人；家禽鸽子归HJ13",
    "HJ06": "道路和公共场地脏乱：路面油污、落叶泥沙没人扫、保洁不到位；成堆垃圾没人清运归HJ01",
    "HJ07": "饭店餐馆排放油烟、排烟管道直排居民楼、油烟味熏人；露天烧烤归HJ08",
    "HJ08": "露天烧烤、在路边或小区里焚烧垃圾树叶杂物、冒烟呛人；饭店室内油烟归HJ07",
    "HJ09": "装修垃圾、建筑垃圾乱倒，旧沙发床垫等大件家具随意丢弃；装在楼道里的杂物归LD01",
    "HJ10": "河道、池塘、景观水体脏臭：漂浮垃圾、水发黑发臭、排污进河；路面积水归SS04",
    "HJ11": "老鼠、蟑螂、蚊蝇滋生，需要灭鼠灭蟑消杀；野狗归HJ05",
    "HJ12": "树木需要修剪（遮光、碰电线、挡窗户）、枯树、树倒了或断枝有危险；人为毁坏绿地归HJ03",
    "HJ13": "在小区或楼顶养鸡鸭鹅、鸽子、兔子等家禽家畜，气味噪声扰民；养狗归HJ05",
    "LD01": "楼道、楼梯间、走廊里堆放杂物纸箱旧家具，占用公共部位；小区外道路上的堆物归JY07",
    "LD02": "把电瓶车推进楼道、电梯或家里充电、停放；从窗户拉线到楼下充电归LD05",
    "LD03": "消防通道、消防车道、安全出口被车辆或杂物占用堵塞；楼道里的杂物归LD01",
    "LD04": "灭火器、消火栓、烟感、应急灯、防火门等消防设施损坏缺失过期",
    "LD05": "从楼上窗户飞线拉电线给电瓶车或汽车充电、私拉乱接电线插线板；车推进楼道充电归LD02",
    "LD06": "电瓶车充电桩不够、坏了、要求加装充电桩或充电车棚；违规充电行为归LD02/LD05",
    "WJ01": "违法搭建：屋顶加层、阳台外扩、院子里搭棚、私建房屋；正在施工的噪声归SG01",
    "WJ02": "擅自改变房屋结构：拆承重墙、打通楼板、改变房屋用途；一般装修噪声归SG03",
    "WJ03": "住宅或围墙破墙开门开店、把居民楼底层改成商铺",
    "FW01": "群租：一套房隔成很多间、住很多人、上下铺、人员进出杂乱",
    "FW02": "短租、日租房、民宿：居民楼里按天出租、陌生人拖箱子频繁进出、密码锁",
    "FW03": "房屋漏水渗水：屋顶漏雨、外墙渗水、楼上卫生间渗到楼下天花板",
    "FW04": "非成套房屋（老式里弄、公用厨卫）维修：公用厨房卫生间、老公房木楼梯屋面修理",
    "FW05": "房屋安全隐患：外墙面砖脱落、墙体开裂、危房、阳台空调架松动、店招广告牌要掉下来",
    "FW06": "老旧小区加装电梯、旧房改造、美丽家园综合修缮的申请和意见",
    "JY01": "占道经营：在人行道或马路上摆摊卖东西、流动摊贩占道",
    "JY02": "跨门营业：沿街商铺把货架桌椅、经营摊位摆出店门外",
    "JY03": "无证无照经营：没有营业执照的店、黑作坊、无证诊所",
    "JY04": "自行车、电瓶车、共享单车乱停乱放、堵塞人行道出入口",
    "JY05": "机动车乱停车、占用车位、小区停车难、违停堵路；消防通道被占归LD03，长期不动的破车归JY10",
    "JY06": "沿街晾晒衣物被子、在护栏树木电线上晾挂",
    "JY07": "道路、人行道、沿街空地上堆放建材杂物废品、占道废品回收；楼道里的堆物归LD01",
    "JY08": "黑车、摩的、非法营运拉客、无证出租车",
    "JY09": "流浪乞讨人员、露宿街头者需要救助",
    "JY10": "长期停放不动的废弃车辆、僵尸车、落满灰的破旧汽车或电瓶车",
    "JY11": "食品安全：过期变质食品、饭店后厨卫生差、吃了不干净食物",
    "SS01": "路灯、景观灯不亮、损坏、白天亮；楼道灯不亮归WY04",
    "SS02": "道路破损：路面坑洼、塌陷、人行道板松动翘起、台阶破损",
    "SS03": "窨井盖缺失、破损、松动、下沉、被盗",
    "SS04": "下雨后路面、小区积水，排水不畅积水成片；下水道堵塞冒污水归SS06",
    "SS05": "自来水管爆裂、路面冒水、供水管道漏水；楼内水箱水压水质归WY03",
    "SS06": "下水道、污水管堵塞、污水冒溢、化粪池满溢发臭",
    "SS07": "闻到燃气煤气味、燃气管道泄漏或损坏",
    "SS08": "交通信号灯、交通标志牌、护栏、减速带、隔离桩损坏或缺失",
    "SS09": "公共厕所脏臭、设施坏、没开门、没有公厕",
    "SS10": "公园或小区的健身器材、休闲座椅、儿童游乐设施损坏；楼道门禁等归WY04",
    "SS11": "电线、网线、通信线缆垂落杂乱、电线杆倾斜、线缆掉在地上",
    "AQ01": "噪音扰民：广场舞、商铺音响、酒吧、楼上生活噪声、空调外机响；工地噪声归SG01，装修噪声归SG03",
    "AQ02": "邻里纠纷：邻居之间吵架、占用公共部位引发矛盾，需要调解",
    "AQ03": "治安隐患：可疑人员、偷盗、门禁失灵有人乱进、赌博、诈骗",
    "AQ04": "高空抛物、楼上往下扔东西、窗台花盆可能坠落",
    "AQ05": "在禁放区或小区里燃放烟花爆竹、鞭炮",
    "WY01": "物业服务态度和质量：保安保洁不到位、物业不作为、物业电话没人接；收费问题归WY05",
    "WY02": "电梯故障、困人、电梯异响、电梯停运",
    "WY03": "二次供水：水箱水泵、水压低、水发黄浑浊、小区停水",
    "WY04": "小区公共设施报修：楼道灯、单元门、门禁、信报箱、小区道路和围墙损坏",
    "WY05": "物业费、停车费、公共收益的收费标准和公开、乱收费",
    "WY06": "业主委员会选举换届、物业招标更换、专项维修资金使用",
    "WY07": "小区或楼栋停电、跳闸、电表箱故障、电压不稳",
    "MS01": "养老服务：居家养老、日间照料、老年助餐、长护险、适老化改造申请",
    "MS02": "困难帮扶：低保、临时救助、大病困难家庭、生活困难求助",
    "MS03": "独居老人、孤老需要上门探视、多日没见人联系不上",
    "MS04": "残疾人服务：残疾证办理、助残补贴、辅具、无障碍设施需求",
    "MS05": "家庭医生签约、配药、疫苗接种、社区卫生服务中心服务",
    "MS06": "社保医保、养老金、失业登记、就业招聘和培训咨询",
    "MS07": "居委会办事：开居住证明、居住登记、户籍和各种证明盖章、办事咨询",
    "MS08": "需要法律咨询或法律援助：合同、继承、劳动纠纷找律师；邻里吵架调解归AQ02",
    "SG01": "建筑工地、道路施工噪声，夜间施工扰民",
    "SG02": "工地扬尘、渣土车遗撒、渣土未覆盖、施工泥浆",
    "SG03": "居民家装修扰民：非规定时间装修、电钻敲打声；拆承重墙归WJ02，装修垃圾归HJ09",
    "SG04": "占道施工：道路开挖不恢复、施工围挡破损或占道、施工后路面未修复",
}


def seed_categories(category_model: Any) -> None:
    """Create the seed categories that are missing (used by the migrations and by tests that
    flush the database); an existing code is left as the admins made it. Takes the model so a
    migration can pass its historical one."""
    english = any(f.name == "name_en" for f in category_model._meta.get_fields())  # not yet in 0002/0003

    def extra(code: str) -> dict[str, str]:
        return {"name_en": ENGLISH[code]} if english else {}

    # One read and one insert per 大类 (tests re-seed after every flush); rows are created in
    # the order the seed lists them, 大类 before its 小类, as one get_or_create each would.
    codes = [c for code, _name, children in SEED for c in (code, *(child for child, _ in children))]
    have = {row.code: row for row in category_model.objects.filter(code__in=codes)}
    for code, name, children in SEED:
        parent = have.get(code) or category_model.objects.create(code=code, name=name, **extra(code))
        category_model.objects.bulk_create(
            [
                category_model(code=child_code, name=child_name, parent=parent, **extra(child_code))
                for child_code, child_name in children
                if child_code not in have
            ]
        )


def fill_english(category_model: Any) -> None:
    """Give the seed rows that have no English name theirs, unless the admins renamed the row
    (then the seed's English would name something else)."""
    chinese = {code: name for code, name, _ in SEED}
    chinese.update({code: name for _, _, children in SEED for code, name in children})
    for row in category_model.objects.filter(code__in=list(ENGLISH), name_en=""):
        if row.name == chinese.get(row.code):
            row.name_en = ENGLISH[row.code]
            row.save(update_fields=["name_en"])
