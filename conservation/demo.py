"""The repair base's part of the demo city (a registry.DemoPart, after the census).

Assessments of a dozen registered holdings, two requests from institutions, the materials store,
two finished and accepted repairs with before/after photographs drawn here with Pillow (a leaf of
text in Noto Serif CJK, insect holes, a tide line and a torn corner before; the same leaf mended
after), one repair in progress and one plan waiting for approval. Everything goes through
conservation.services, so history exists; running it again adds nothing.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from conservation import services
from conservation.images import add_images
from conservation.models import (
    DamageScheme,
    DamageType,
    MaterialBatch,
    QualityGrade,
    RepairOperation,
    RepairPlan,
)
from guji import demo
from guji.models import Holding, RoleAssignment

MARK = "【演示】"
WHT, DAT = "WH/T 22-2006", "DA/T 64.1-2017"

# (damage type, scheme, measures): a spread of levels across the queue.
ASSESSMENTS = [
    ("chongzhu", WHT, {"leaf_area_pct": 60, "leaves": (86, 100)}, "书叶虫蛀严重，多处蛀洞连成片"),
    ("suanhua", DAT, {"ph": "4.8", "ph_method": "cold"}, "纸张酸化发黄，翻动易碎"),
    ("queshun", DAT, {"area_pct": 28}, "书口、书脑多处缺损"),
    ("chongzhu", WHT, {"leaf_area_pct": 10, "leaves": (20, 120)}, "少量虫蛀"),
    ("meishi", DAT, {"area_pct": 22}, "下部霉斑"),
    ("zhanlian", DAT, {"leaves": (12, 80)}, "因水渍书叶粘连"),
    ("wuzi", DAT, {"area_pct": 35}, "油污、水渍"),
    ("silie", DAT, {"fraction_of_sheet": "0.3"}, "书叶撕裂"),
    ("laohua", DAT, {"qualitative": True}, "纸张老化变脆"),
    ("queshun", DAT, {"area_pct": 45}, "书角大面积缺失"),
    ("chongzhu", WHT, {"leaf_area_pct": 30, "leaves": (40, 60)}, "虫蛀"),
    ("suanhua", DAT, {"ph": "5.6", "ph_method": "surface"}, "轻度酸化"),
]
BATCHES = [
    (
        "paper",
        "竹纸",
        "ZZ-2025-11",
        "富阳竹纸作坊",
        "桐溪古籍用品社",
        "毛竹",
        "7.1",
        "0.045",
        "浅米黄",
    ),
    (
        "paper",
        "皮纸",
        "PZ-2025-08",
        "泾县构皮纸坊",
        "桐溪古籍用品社",
        "构皮",
        "7.4",
        "0.038",
        "本白",
    ),
    ("paste", "小麦淀粉浆糊", "JH-2026-01", "修复基地自制", "", "小麦淀粉（去筋）", "", "", ""),
    ("thread", "丝线", "SX-2025-03", "湖州丝线厂", "桐溪古籍用品社", "蚕丝", "", "", "月白"),
]
TEXT = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜"


def load() -> dict[str, int]:
    made = {"assessments": 0, "repair requests": 0, "material batches": 0, "repair plans": 0}
    users = {r["role"]: demo.demo_user(r["username"]) for r in demo.user_rows()}
    conservator = users[RoleAssignment.Role.CONSERVATOR]
    admin = demo.demo_admin()
    holdings = [h for _spec, h in demo.demo_holdings(status=Holding.Status.REGISTERED)]
    holdings = sorted(holdings, key=lambda h: (h.institution.code, h.call_number))
    if len(holdings) < len(ASSESSMENTS) + 2:
        return made
    schemes = {s.code: s for s in DamageScheme.objects.all()}
    types = {t.code: t for t in DamageType.objects.all()}
    for n, (code, scheme, values, notes) in enumerate(ASSESSMENTS):
        holding = holdings[n]
        if holding.assessments.exists():
            continue
        finding = {"damage_type": types[code], **_values(values)}
        services.create_assessment(
            holding,
            findings=[finding],
            scheme=schemes[scheme],
            by=conservator,
            assessed_on=datetime.date(2026, 3, 2) + datetime.timedelta(days=n),
            notes=MARK + notes,
            paper={"paper_kind": "竹纸", "paper_colour": "米黄", "size_cm": "25.5×16.2"},
        )
        made["assessments"] += 1
    for holding in holdings[len(ASSESSMENTS) : len(ASSESSMENTS) + 2]:
        if holding.repair_requests.exists():
            continue
        cataloguer = (
            holding.institution.role_assignments.filter(role=RoleAssignment.Role.CATALOGUER)
            .select_related("user")
            .first()
        )
        if cataloguer is None:
            continue
        services.request_repair(
            holding, description=MARK + "书衣脱落，订线断裂，请修复基地评估。", by=cataloguer.user
        )
        made["repair requests"] += 1
    batches = {}
    for kind, name, code, maker, supplier, fibre, ph, thick, colour in BATCHES:
        batch = MaterialBatch.objects.filter(batch_code=code).first()
        if batch is None:
            batch = services.save_batch(
                None,
                data={
                    "kind": kind,
                    "name": name,
                    "batch_code": code,
                    "maker": maker,
                    "supplier": supplier,
                    "fibre": fibre,
                    "ph": Decimal(ph) if ph else None,
                    "thickness_mm": Decimal(thick) if thick else None,
                    "colour": colour,
                    "received_on": datetime.date(2026, 1, 15),
                    "quantity": Decimal(200),
                    "unit": "张" if kind == "paper" else ("g" if kind == "paste" else "m"),
                },
                by=conservator,
                reason=MARK + "入库登记",
            )
            made["material batches"] += 1
        batches[code] = batch
    if RepairPlan.objects.filter(condition_summary__startswith=MARK).exists():
        return made
    ops = {o.code: o for o in RepairOperation.objects.all()}
    stages = ["accepted", "accepted", "in_progress", "draft"]
    for n, stage in enumerate(stages):
        holding = holdings[n]
        plan = services.create_plan(
            holding,
            data={
                "condition_summary": MARK + (holding.assessments.first().notes or "").strip(MARK),
                "goals": "抢救性修复：补全蛀洞与缺损，去除污渍，恢复可翻阅状态；整旧如旧。",
                "methods": "拆书，编叶序；除尘；冷冻杀虫；以配色竹纸补破、溜口；压平；原样订线。",
                "materials": "竹纸 ZZ-2025-11；小麦淀粉浆糊；丝线",
                "estimated_hours": Decimal(30 + 8 * n),
                "volumes": "1–2",
            },
            operations=[ops[c] for c in ("chaishu", "chuchen", "lengdong", "bu", "liukou")],
            conservators=[conservator],
            by=conservator,
        )
        made["repair plans"] += 1
        if stage == "draft":
            continue
        plan = services.approve_plan(plan, by=admin, comment=MARK + "同意按方案修复。")
        sessions = 3 if stage == "accepted" else 1
        for day in range(sessions):
            services.add_log(
                plan,
                data={
                    "worked_on": datetime.date(2026, 4, 1 + 7 * n + day),
                    "volumes": "1",
                    "volume_count": 1,
                    "leaves": f"{1 + 10 * day}–{10 + 10 * day}",
                    "leaf_count": 10,
                    "hours": Decimal("3.5") + day,
                    "findings": "书脑处有旧补纸，已揭除" if day == 1 else "",
                    "interruptions": "浆糊需重新调制" if day == 2 else "",
                },
                operations=[ops["bu"], ops["liukou"]] if day else [ops["chaishu"], ops["chuchen"]],
                materials=[batches["ZZ-2025-11"], batches["JH-2026-01"]],
                by=conservator,
            )
        leaves = (3, 7, 12) if stage == "accepted" else (3,)
        _photographs(plan, conservator, leaves, seed=n, after=stage == "accepted")
        if stage != "accepted":
            continue
        plan = services.finish_work(plan, by=conservator)
        services.accept_repair(
            plan,
            result=QualityGrade.objects.get(code="liang" if n else "you"),
            criteria=["paper_match", "clean", "flat", "order", "recorded", "photos"],
            remarks=MARK + "补纸配色协调，书叶平整；个别溜口略宽。",
            by=admin,
        )
        services.create_assessment(
            holding,
            findings=[{"damage_type": types["chongzhu"]}],
            scheme=schemes[WHT],
            by=conservator,
            notes=MARK + "修复后复查：蛀洞已补，仍存轻微虫蛀痕迹。",
        )
        made["assessments"] += 1
    return made


def _values(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if k == "leaves":
            out["leaves_affected"], out["leaves_total"] = v
        elif k in ("ph_method", "qualitative"):
            out[k] = v
        else:
            out[k] = Decimal(str(v))
    return out


def _photographs(plan, by, leaves, *, seed: int, after: bool) -> None:
    before = [
        SimpleUploadedFile(f"1-{leaf}.jpg", leaf_image(seed * 100 + leaf, repaired=False))
        for leaf in leaves
    ]
    add_images(plan, uploads=before, kind="before", by=by, caption="修复前，正面")
    if after:
        done = [
            SimpleUploadedFile(f"1-{leaf}.jpg", leaf_image(seed * 100 + leaf, repaired=True))
            for leaf in leaves
        ]
        add_images(plan, uploads=done, kind="after", by=by, caption="修复后，正面")


def _font(size: int):
    try:
        from guji.files.documents import font_file

        path, index = font_file("Noto Serif CJK SC")
        return ImageFont.truetype(path, size, index=index)
    except Exception:  # no fontconfig: strokes instead of characters still look like a leaf
        return None


def leaf_image(seed: int, *, repaired: bool, size=(1600, 1100)) -> bytes:
    """A leaf of a 线装 book: paper, border, columns of text; damage drawn from ``seed``.

    The same seed gives the same leaf; ``repaired`` fills the holes with slightly paler paper,
    softens the stain and mends the corner, as a real after-photograph would show."""
    rng = random.Random(seed)
    w, h = size
    paper = (226 - rng.randint(0, 12), 208 - rng.randint(0, 12), 168 - rng.randint(0, 12))
    image = Image.new("RGB", size, paper)
    grain = Image.effect_noise(size, 18).convert("L")
    image = Image.composite(
        image, Image.new("RGB", size, (200, 182, 140)), grain.point(lambda v: 200 + v // 5)
    )
    draw = ImageDraw.Draw(image)
    margin = w // 12
    draw.rectangle([margin, margin, w - margin, h - margin], outline=(70, 50, 40), width=4)
    centre = w // 2
    draw.line([(centre, margin), (centre, h - margin)], fill=(70, 50, 40), width=3)
    font = _font(h // 16)
    columns = 9
    step = (w - 2 * margin) // (2 * columns + 1)
    for c in range(2 * columns):
        x = margin + step * (c + 1) + (step // 2 if c >= columns else 0)
        if abs(x - centre) < step // 2:
            continue
        draw.line(
            [(x - step // 2, margin), (x - step // 2, h - margin)], fill=(120, 90, 70), width=1
        )
        y = margin + 12
        while y < h - margin - h // 14:
            if font is not None:
                draw.text((x - h // 32, y), rng.choice(TEXT), font=font, fill=(30, 24, 20))
            else:
                draw.rectangle([x - 12, y, x + 12, y + h // 20], fill=(30, 24, 20))
            y += h // 14
    holes = [(rng.randint(margin, w - margin), rng.randint(margin, h - margin), rng.randint(8, 26))
             for _ in range(14)]  # fmt: skip
    for x, y, r in holes:
        if repaired:
            patch = (paper[0] + 8, paper[1] + 8, paper[2] + 6)
            draw.ellipse([x - r - 3, y - r - 3, x + r + 3, y + r + 3], fill=patch)
        else:
            points = [(x + rng.randint(-r, r), y + rng.randint(-r, r)) for _ in range(7)]
            draw.polygon(points, fill=(38, 30, 24))
    stain = Image.new("L", size, 0)
    ImageDraw.Draw(stain).ellipse(
        [w // 8, h // 2, w // 2, h - h // 10], fill=90 if not repaired else 30
    )
    stain = stain.filter(ImageFilter.GaussianBlur(40))
    image = Image.composite(Image.new("RGB", size, (150, 115, 70)), image, stain)
    if not repaired:
        corner = [(w, h), (w - w // 7, h), (w, h - h // 5)]
        ImageDraw.Draw(image).polygon(corner, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()
