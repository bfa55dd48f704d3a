"""Registered holdings with every field the exchange formats carry."""

from guji.history import save_audited
from guji.models import Binding, Holding, SibuClass
from tests.factories import make_holding

_serial = iter(range(1, 10_000_000))


def register(holding: Holding) -> Holding:
    """Mark a holding registered with a census number, as the census's acceptance does."""
    inst = holding.institution
    holding.status = Holding.Status.REGISTERED
    holding.census_number = f"{inst.region_code}-{inst.code}-{next(_serial):07d}"
    save_audited(holding, by=None, reason="测试登记", fields=["status", "census_number"])
    return holding


def make_full_holding(institution=None, **data) -> Holding:
    values = {
        "title_juan": "史記一百三十卷",
        "authors": "（漢）司馬遷撰；（南朝宋）裴駰集解",
        "edition_statement": "清乾隆四年（1739）武英殿刻本",
        "volumes": 24,
        "cases": 4,
        "extent_note": "1夾",
        "layout": "半葉十行二十一字，小字雙行同，白口，四周雙邊",
        "series": "二十四史",
        "extant": "存一百二十卷（一至一百二十）",
        "annotations": "清黃丕烈跋",
        "seals": "乾隆御覽之寶\n天祿繼鑑",
        "notes": "卷首有目錄",
        "grade": "2B",
        "sibu_class": SibuClass.objects.get(code="S02"),
        "binding": Binding.objects.get(code="xianzhuang"),
    }
    values.update(data)
    return make_holding(institution, **values)
