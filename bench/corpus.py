"""A synthetic but realistic register for benchmarks: institutions, holdings and their authors.

Titles come from ~130 well-known works (with their usual authors and 四部 class), variants of
them (新刊…, 重訂…), and a long tail made the way real catalogues grow: personal collected works
(松雲堂詩集), local gazetteers (海寧縣志) and family genealogies (山陰王氏宗譜). Edition statements
are drawn from a pool of a few thousand distinct statements with skewed weights (清刻本 recurs,
清光緒十年（1884）上海同文書局石印本 is rarer), so edition filters and 2-character searches hit a
realistic fraction of rows. Everything is written in traditional characters, as catalogued.

Deterministic: the same seed gives the same register.
"""

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from guji.chinese import write_number

DATA = Path(__file__).resolve().parent.parent / "guji" / "data"

# title_juan | responsibility | 四部 class code
FAMOUS = """\
周易注十卷|（魏）王弼注 （晉）韓康伯注|J02
周易本義四卷|（宋）朱熹撰|J02
易經蒙引十二卷|（明）蔡清撰|J02
尚書注疏二十卷|（漢）孔安國傳 （唐）孔穎達疏|J03
書集傳六卷|（宋）蔡沈撰|J03
毛詩注疏二十卷|（漢）毛亨傳 （漢）鄭玄箋 （唐）孔穎達疏|J04
詩集傳八卷|（宋）朱熹撰|J04
周禮注疏四十二卷|（漢）鄭玄注 （唐）賈公彥疏|J05
儀禮注疏十七卷|（漢）鄭玄注 （唐）賈公彥疏|J05
禮記集說十卷|（元）陳澔撰|J05
考工記圖二卷|（清）戴震撰|J05
春秋左傳注疏六十卷|（晉）杜預注 （唐）孔穎達疏|J07
春秋公羊傳注疏二十八卷|（漢）何休注 （唐）徐彥疏|J07
春秋穀梁傳注疏二十卷|（晉）范甯注 （唐）楊士勛疏|J07
孝經注疏九卷|（唐）李隆基注 （宋）邢昺疏|J08
四書章句集注十九卷|（宋）朱熹撰|J09
論語集注十卷|（宋）朱熹撰|J09
孟子注疏十四卷|（漢）趙岐注 （宋）孫奭疏|J09
爾雅注疏十一卷|（晉）郭璞注 （宋）邢昺疏|J10
說文解字十五卷|（漢）許慎撰|J12
說文解字注三十卷|（清）段玉裁撰|J12
廣韻五卷|（宋）陳彭年撰|J12
康熙字典四十二卷|（清）張玉書撰|J12
十三經注疏四百十六卷|（清）阮元校勘|J01
經典釋文三十卷|（唐）陸德明撰|J11
史記一百三十卷|（漢）司馬遷撰 （南朝宋）裴駰集解|S02
漢書一百卷|（漢）班固撰 （唐）顏師古注|S02
後漢書一百二十卷|（南朝宋）范曄撰 （唐）李賢注|S02
三國志六十五卷|（晉）陳壽撰 （南朝宋）裴松之注|S02
晉書一百三十卷|（唐）房玄齡撰|S02
宋書一百卷|（南朝梁）沈約撰|S02
南史八十卷|（唐）李延壽撰|S02
北史一百卷|（唐）李延壽撰|S02
舊唐書二百卷|（後晉）劉昫撰|S02
新唐書二百二十五卷|（宋）歐陽修 （宋）宋祁撰|S02
新五代史七十四卷|（宋）歐陽修撰|S02
宋史四百九十六卷|（元）脫脫撰|S02
元史二百十卷|（明）宋濂撰|S02
明史三百三十二卷|（清）張廷玉撰|S02
資治通鑑二百九十四卷|（宋）司馬光撰 （元）胡三省注|S03
續資治通鑑二百二十卷|（清）畢沅撰|S03
通鑑紀事本末四十二卷|（宋）袁樞撰|S04
國語二十一卷|（三國吳）韋昭注|S05
戰國策三十三卷|（漢）高誘注|S05
貞觀政要十卷|（唐）吳兢撰|S05
唐大詔令集一百三十卷|（宋）宋敏求編|S06
列女傳八卷|（漢）劉向撰|S07
水經注四十卷|（北魏）酈道元撰|S11
讀史方輿紀要一百三十卷|（清）顧祖禹撰|S11
大清一統志五百卷|（清）穆彰阿纂修|S11
通典二百卷|（唐）杜佑撰|S14
文獻通考三百四十八卷|（元）馬端臨撰|S14
大明會典二百二十八卷|（明）申時行撰|S14
金石錄三十卷|（宋）趙明誠撰|S15
集古錄十卷|（宋）歐陽修撰|S15
郡齋讀書志二十卷|（宋）晁公武撰|S16
四庫全書總目二百卷|（清）紀昀撰|S16
史通二十卷|（唐）劉知幾撰|S17
廿二史劄記三十六卷|（清）趙翼撰|S17
十七史商榷一百卷|（清）王鳴盛撰|S17
荀子二十卷|（唐）楊倞注|Z02
孔子家語十卷|（三國魏）王肅注|Z02
近思錄十四卷|（宋）朱熹 （宋）呂祖謙輯|Z02
朱子語類一百四十卷|（宋）黎靖德編|Z02
傳習錄三卷|（明）王守仁撰|Z02
孫子集注十三卷|（宋）吉天保輯|Z03
韓非子二十卷|（戰國）韓非撰|Z04
管子二十四卷|（唐）房玄齡注|Z04
齊民要術十卷|（北魏）賈思勰撰|Z05
農政全書六十卷|（明）徐光啟撰|Z05
黃帝內經素問二十四卷|（唐）王冰注|Z06
傷寒論十卷|（漢）張機撰|Z06
本草綱目五十二卷|（明）李時珍撰|Z06
千金要方三十卷|（唐）孫思邈撰|Z06
周髀算經二卷|（漢）趙君卿注|Z07
九章算術九卷|（魏）劉徽注|Z07
夢溪筆談二十六卷|（宋）沈括撰|Z11
容齋隨筆七十四卷|（宋）洪邁撰|Z11
日知錄三十二卷|（清）顧炎武撰|Z11
困學紀聞二十卷|（宋）王應麟撰|Z11
墨子十五卷|（清）畢沅校|Z11
淮南鴻烈解二十一卷|（漢）劉安撰 （漢）高誘注|Z11
呂氏春秋二十六卷|（漢）高誘注|Z11
太平御覽一千卷|（宋）李昉撰|Z12
藝文類聚一百卷|（唐）歐陽詢撰|Z12
初學記三十卷|（唐）徐堅撰|Z12
淵鑑類函四百五十卷|（清）張英撰|Z12
世說新語三卷|（南朝宋）劉義慶撰 （南朝梁）劉孝標注|Z13
太平廣記五百卷|（宋）李昉撰|Z13
搜神記二十卷|（晉）干寶撰|Z13
閱微草堂筆記二十四卷|（清）紀昀撰|Z13
聊齋志異十六卷|（清）蒲松齡撰|Z13
金剛般若波羅蜜經一卷|（後秦）鳩摩羅什譯|Z14
妙法蓮華經七卷|（後秦）鳩摩羅什譯|Z14
景德傳燈錄三十卷|（宋）釋道原撰|Z14
老子道德經二卷|（魏）王弼注|Z15
南華真經十卷|（晉）郭象注|Z15
抱朴子內篇二十卷|（晉）葛洪撰|Z15
列子八卷|（晉）張湛注|Z15
芥子園畫傳五卷|（清）王概輯|Z09
楚辭章句十七卷|（漢）王逸撰|JI01
楚辭集注八卷|（宋）朱熹撰|JI01
陶淵明集十卷|（晉）陶潛撰|JI02
李太白文集三十卷|（唐）李白撰|JI02
杜工部集二十卷|（唐）杜甫撰|JI02
王右丞集二十八卷|（唐）王維撰|JI02
白氏長慶集七十一卷|（唐）白居易撰|JI02
昌黎先生集四十卷|（唐）韓愈撰|JI02
柳河東集四十五卷|（唐）柳宗元撰|JI02
李義山詩集三卷|（唐）李商隱撰|JI02
歐陽文忠公集一百五十三卷|（宋）歐陽修撰|JI02
東坡全集一百十五卷|（宋）蘇軾撰|JI02
臨川先生文集一百卷|（宋）王安石撰|JI02
劍南詩稿八十五卷|（宋）陸游撰|JI02
朱文公文集一百卷|（宋）朱熹撰|JI02
文山先生全集二十卷|（宋）文天祥撰|JI02
震川先生集三十卷|（明）歸有光撰|JI02
王文成公全書三十八卷|（明）王守仁撰|JI02
牧齋初學集一百十卷|（清）錢謙益撰|JI02
亭林文集六卷|（清）顧炎武撰|JI02
漁洋山人精華錄十卷|（清）王士禛撰|JI02
小倉山房詩文集七十三卷|（清）袁枚撰|JI02
稼軒長短句十二卷|（宋）辛棄疾撰|JI05
漱玉詞一卷|（宋）李清照撰|JI05
文選六十卷|（南朝梁）蕭統編 （唐）李善注|JI03
古文觀止十二卷|（清）吳楚材 （清）吳調侯選|JI03
唐詩三百首八卷|（清）孫洙編|JI03
全唐詩九百卷|（清）彭定求編|JI03
樂府詩集一百卷|（宋）郭茂倩編|JI03
玉臺新詠十卷|（南朝陳）徐陵編|JI03
唐宋八大家文鈔一百六十四卷|（明）茅坤編|JI03
文心雕龍十卷|（南朝梁）劉勰撰|JI04
詩品三卷|（南朝梁）鍾嶸撰|JI04
滄浪詩話一卷|（宋）嚴羽撰|JI04
隨園詩話十六卷|（清）袁枚撰|JI04
西廂記五卷|（元）王實甫撰|JI06
牡丹亭還魂記二卷|（明）湯顯祖撰|JI06
長生殿二卷|（清）洪昇撰|JI06
桃花扇二卷|（清）孔尚任撰|JI06
三國志通俗演義二十四卷|（明）羅貫中撰|JI07
忠義水滸傳一百卷|（明）施耐庵撰|JI07
西遊記二十卷|（明）吳承恩撰|JI07
漢魏叢書三百九十五卷|（明）程榮輯|C01
津逮秘書七百四十七卷|（明）毛晉輯|C01
知不足齋叢書七百八十一卷|（清）鮑廷博輯|C01
粵雅堂叢書一千三百四十七卷|（清）伍崇曜輯|C01
玉函山房輯佚書七百卷|（清）馬國翰輯|C02
"""

PREFIXES = ["新刊", "重刊", "重訂", "增補", "校正", "御批", "評點", "纂圖互注", "監本", "新鐫"]
ELEGANT = (
    "松竹梅蘭雲山石溪月秋春鶴琴硯耕讀樵漁愚拙默靜望思敬誠味古紅綠翠青白寒晚香芝蕉桐柳桂菊"
    "荷鷗鹿雪霞泉澗峯嶺洲汀浦蓮藕霜露煙雨風林谷巖潭池梧竹蒼碧丹紫"
)
STUDIOS = ["堂", "齋", "軒", "樓", "閣", "館", "廬", "居", "亭", "山房", "草堂", "書屋", "精舍"]
WORKS = ["詩集", "文集", "詩鈔", "文鈔", "詩稿", "文稿", "集", "全集", "詩存", "遺集", "吟草", "詞"]
SURNAMES = (
    "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董袁潘于蔣蔡余杜葉程"
    "蘇魏呂丁任沈姚盧姜崔鍾譚陸汪范金石廖賈夏韋付方白鄒孟熊秦邱江尹薛閻段雷侯龍史陶黎賀顧毛郝"
)
GIVEN = (
    "文武德仁義禮智信忠孝廉恥允元亨利貞光明正大昌盛榮華富貴安康樂長壽福祿祥瑞英傑俊秀賢良方"
    "鼎鼐璋瑛琦琛珩瑾瑜琳璧珍寶錫鈞銘鍾鐸彬斌焯炳熙燦耀輝煌曜晟昇昊旻昕暉曦景晉嘉慶澤潤淵源"
)
_PLACES = (
    "海寧山陰會稽錢塘仁和餘杭蕭山諸暨餘姚上虞嵊縣新昌鄞縣慈谿奉化鎮海象山定海臨海黃巖"
    "天台仙居寧海太平金華蘭谿東陽義烏永康武義浦江湯溪衢州龍游江山常山開化建德淳安遂安"
    "壽昌桐廬分水永嘉瑞安樂清平陽泰順麗水青田縉雲松陽遂昌龍泉慶元雲和宣平景寧嘉興秀水"
    "嘉善海鹽石門平湖桐鄉烏程歸安長興德清武康安吉孝豐"
)
PLACES = [_PLACES[i : i + 2] for i in range(0, len(_PLACES), 2)]  # two-character county names
PUBLISHERS = [
    "武英殿",
    "毛氏汲古閣",
    "掃葉山房",
    "上海同文書局",
    "上海點石齋",
    "金陵書局",
    "浙江書局",
    "崇文書局",
    "江蘇書局",
    "淮南書局",
    "揚州詩局",
    "鮑氏知不足齋",
    "盧氏抱經堂",
    "黃氏士禮居",
    "阮氏文選樓",
    "南京國子監",
    "北京國子監",
    "經廠",
    "閔氏",
    "凌氏",
    "胡氏",
    "汪氏",
    "富文堂",
    "文盛堂",
    "聚錦堂",
    "善成堂",
    "文富堂",
    "三讓堂",
    "寶善堂",
    "緯文堂",
    "二酉堂",
    "商務印書館",
    "中華書局",
    "掃葉山房",
    "廣雅書局",
    "思賢講舍",
    "蜚英館",
    "鴻文書局",
]
INST_KINDS = ["圖書館", "博物館", "檔案館", "大學圖書館", "文化館", "寺", "紀念館", "中學"]

chinese_numeral = write_number  # as catalogues write juan counts and years


def _reigns() -> dict[str, list[tuple[str, int, int]]]:
    out: dict[str, list[tuple[str, int, int]]] = {}
    with open(DATA / "reigns.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            dynasty = {"北宋": "宋", "南宋": "宋"}.get(row["dynasty"], row["dynasty"])
            era = row["trad"] or row["era"]
            out.setdefault(dynasty, []).append((era, int(row["start_year"]), int(row["end_year"])))
    return out


@dataclass(frozen=True)
class InstitutionRow:
    code: str
    name: str
    short_name: str
    type: str


@dataclass(frozen=True)
class HoldingRow:
    institution: int  # index into the institution list
    call_number: str
    census_number: str
    title_juan: str
    authors: str
    sibu_code: str
    edition_statement: str
    volumes: int
    status: str
    grade: str
    created_at: datetime


class Corpus:
    def __init__(self, *, institutions: int, holdings: int, seed: int = 1912) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.planned = holdings  # spreads creation dates over the census years
        self.n_institutions = institutions
        famous = [line.split("|") for line in FAMOUS.strip().splitlines()]
        self.rng.shuffle(famous)  # popularity rank should not follow 四部 order
        self.famous = famous
        self.famous_weights = list(accumulate(1 / (k + 1) ** 0.8 for k in range(len(famous))))
        # Institution sizes are skewed too: a provincial library holds far more than a temple.
        self.inst_weights = list(accumulate(1 / (k + 1) ** 0.8 for k in range(institutions)))
        self.editions = self._edition_pool(4000)
        self.edition_weights = list(
            accumulate(1 / (k + 1) ** 0.9 for k in range(len(self.editions)))
        )

    # --- institutions ----------------------------------------------------------------------

    def institutions(self) -> list[InstitutionRow]:
        rows, names = [], set()
        rng = random.Random(7)
        types = ["library", "university", "museum", "archive", "religious", "other"]
        for i in range(self.n_institutions):
            place = PLACES[i % len(PLACES)]
            kind = INST_KINDS[(i // len(PLACES)) % len(INST_KINDS)]
            name = f"{place}{kind}"
            if name in names:
                name = f"{place}第{chinese_numeral(i // (len(PLACES) * len(INST_KINDS)) + 1)}{kind}"
            names.add(name)
            rows.append(
                InstitutionRow(
                    code=f"{i + 1:04d}",
                    name=name,
                    short_name=name[:8],
                    type=types[0] if i < 50 else rng.choice(types),
                )
            )
        return rows

    # --- holdings --------------------------------------------------------------------------

    def _person(self, dynasty: str) -> str:
        rng = self.rng
        name = (
            rng.choice(SURNAMES)
            + rng.choice(GIVEN)
            + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
        )
        return f"（{dynasty}）{name}"

    def _title(self) -> tuple[str, str, str]:
        rng, r = self.rng, self.rng.random()
        if r < 0.38:
            title_juan, authors, code = rng.choices(self.famous, cum_weights=self.famous_weights)[0]
            if rng.random() < 0.12:
                title_juan = rng.choice(PREFIXES) + title_juan
            return title_juan, authors, code
        juan = chinese_numeral(rng.choice([1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 30, 40]))
        if r < 0.78:  # 别集
            dynasty = rng.choices(["清", "明", "元", "宋", "民國"], [70, 20, 3, 2, 5])[0]
            studio = rng.choice(ELEGANT) + rng.choice(ELEGANT) + rng.choice(STUDIOS)
            role = rng.choices(["撰", "著", "輯", "編"], [80, 10, 5, 5])[0]
            return f"{studio}{rng.choice(WORKS)}{juan}卷", f"{self._person(dynasty)}{role}", "JI02"
        place = rng.choice(PLACES)
        if r < 0.88:  # 方志
            unit = rng.choice(["縣志", "縣志", "縣志", "府志", "州志", "鄉土志"])
            dynasty = rng.choices(["清", "明", "民國"], [80, 12, 8])[0]
            authors = f"{self._person(dynasty)}修 {self._person(dynasty)}纂"
            return (
                f"[{rng.choice(['康熙', '乾隆', '嘉慶', '道光', '光緒'])}]{place}{unit}{juan}卷",
                authors,
                "S12",
            )
        surname = rng.choice(SURNAMES)  # 家谱
        dynasty = rng.choices(["清", "民國"], [70, 30])[0]
        title = f"{place}{surname}氏{rng.choice(['宗譜', '家譜', '族譜', '世譜'])}{juan}卷"
        return title, f"{self._person(dynasty)}纂修", "S07"

    def _edition_pool(self, size: int) -> list[str]:
        rng, reigns, pool, seen = self.rng, _reigns(), [], set()
        common = [
            "清刻本",
            "清抄本",
            "明刻本",
            "清木活字印本",
            "民國石印本",
            "民國鉛印本",
            "稿本",
            "清光緒刻本",
            "清乾隆刻本",
            "清道光刻本",
            "明末刻本",
            "清初刻本",
            "抄本",
            "清同治刻本",
            "清嘉慶刻本",
            "元刻明修本",
            "宋刻元明遞修本",
            "清朱墨套印本",
        ]
        for statement in common:
            seen.add(statement)
            pool.append(statement)
        kinds = ["刻本"] * 12 + [
            "抄本",
            "木活字印本",
            "石印本",
            "朱墨套印本",
            "刻遞修本",
            "刻後印本",
        ]
        while len(pool) < size:
            dynasty = rng.choices(["清", "明", "元", "宋", "民國"], [66, 24, 4, 2, 4])[0]
            if dynasty == "民國":
                n = rng.randint(1, 37)
                kind = rng.choice(["石印本", "鉛印本", "影印本", "刻本"])
                statement = (
                    f"民國{chinese_numeral(n)}年（{1911 + n}）{rng.choice(PUBLISHERS)}{kind}"
                )
            else:
                era, start, end = rng.choice(reigns[dynasty])
                kind = rng.choice(kinds)
                form = rng.random()
                if form < 0.55:
                    n = rng.randint(1, end - start + 1)
                    numeral = "元" if n == 1 else chinese_numeral(n)
                    year = f"（{start + n - 1}）" if rng.random() < 0.6 else ""
                    statement = f"{dynasty}{era}{numeral}年{year}{rng.choice(PUBLISHERS)}{kind}"
                elif form < 0.85:
                    statement = f"{dynasty}{era}間{rng.choice(PUBLISHERS)}{kind}"
                else:
                    statement = f"{dynasty}{era}{kind}"
            if statement not in seen:
                seen.add(statement)
                pool.append(statement)
        return pool

    def holdings(self, n: int, *, start: int = 0) -> Iterator[HoldingRow]:
        """Holdings ``start`` … ``start + n - 1``: each slice is the same whoever makes it, so
        slices can be made in parallel. Call and census numbers follow the holding's index."""
        rng = self.rng = random.Random(f"{self.seed}:{start}")
        begin = datetime(2008, 1, 1, tzinfo=UTC)  # the national census began in 2007
        span = timedelta(days=365 * 17).total_seconds()
        for i in range(start, start + n):
            inst = rng.choices(range(self.n_institutions), cum_weights=self.inst_weights)[0]
            shelf = rng.choice(["善", "普", "線普", "綫善"])
            call_number = f"{shelf}{i + 1:07d}"
            status = rng.choices(["registered", "submitted", "draft", "returned"], [70, 10, 15, 5])[
                0
            ]
            census_number = ""
            if status == "registered":
                census_number = f"330000-{inst + 1:04d}-{i + 1:07d}"
            grade = ""
            if status == "registered" and rng.random() < 0.4:
                grade = rng.choices(
                    ["1A", "1B", "2A", "2B", "2C", "3A", "3B", "3C", "4"],
                    [1, 1, 2, 3, 4, 6, 8, 10, 65],
                )[0]
            title_juan, authors, code = self._title()
            yield HoldingRow(
                institution=inst,
                call_number=call_number,
                census_number=census_number,
                title_juan=title_juan,
                authors=authors,
                sibu_code=code,
                edition_statement=rng.choices(self.editions, cum_weights=self.edition_weights)[0],
                volumes=rng.choice([1, 1, 2, 4, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40]),
                status=status,
                grade=grade,
                created_at=begin + timedelta(seconds=span * (i + rng.random()) / self.planned),
            )
