"""MARC 21 and CNMARC written by the exchange module, read back by pymarc."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pymarc import MARCReader, parse_xml_to_array

from guji.exchange import dc, marc
from guji.exchange.records import describe, for_exchange
from guji.models import Holding, RoleAssignment
from tests.exchange.factories import make_full_holding, register
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def _description(holding):
    return describe(for_exchange(Holding.objects.filter(pk=holding.pk)).get())


def _read_binary(data: bytes):
    return list(MARCReader(data, to_unicode=True))


def _subfields(record, tag):
    return [(s.code, s.value) for f in record.get_fields(tag) for s in f.subfields]


@pytest.fixture
def holding():
    return register(make_full_holding())


def test_marc21_binary_reads_back_with_every_mapped_field(holding):
    (record,) = _read_binary(marc.write_binary([_description(holding)], marc.MARC21))

    assert record.leader[9] == "a"  # UTF-8
    assert record.leader[6:8] == "am"
    assert record["001"].data == holding.census_number
    assert record["008"].data[7:11] == "1739"
    assert record["008"].data[35:38] == "chi"
    assert len(record["008"].data) == 40
    assert _subfields(record, "245") == [
        ("a", "史記"),
        ("b", "一百三十卷"),
        ("c", "（漢）司馬遷撰 （南朝宋）裴駰集解"),
    ]
    assert _subfields(record, "100") == [("a", "司馬遷"), ("c", "（漢）"), ("e", "撰")]
    assert _subfields(record, "700") == [("a", "裴駰"), ("c", "（南朝宋）"), ("e", "集解")]
    assert _subfields(record, "250") == [("a", "清乾隆四年（1739）武英殿刻本")]
    assert _subfields(record, "260") == [("b", "武英殿"), ("c", "清乾隆四年（1739）")]
    assert _subfields(record, "300") == [("a", "24册（4函） 1夾")]
    assert _subfields(record, "084") == [("a", "史部·纪传类"), ("2", "sibu")]
    assert _subfields(record, "563") == [("a", "线装")]
    assert _subfields(record, "561") == [("a", "乾隆御覽之寶；天祿繼鑑")]
    assert _subfields(record, "590") == [("a", "定级：二级乙等")]
    assert _subfields(record, "655") == [("a", "刻本"), ("2", "local")]
    place = [("a", holding.institution.name), ("j", holding.call_number)]
    assert _subfields(record, "852") == place
    assert _subfields(record, "024") == [("a", holding.census_number)]
    notes = [f["a"] for f in record.get_fields("500")]
    assert notes == [
        "版式：半葉十行二十一字，小字雙行同，白口，四周雙邊",
        "存缺卷：存一百二十卷（一至一百二十）",
        "批校题跋：清黃丕烈跋",
        "卷首有目錄",
    ]


def test_cnmarc_binary_reads_back_with_every_mapped_field(holding):
    (record,) = _read_binary(marc.write_binary([_description(holding)], marc.CNMARC))

    assert record.leader[9] == "a"
    assert record.leader[20:24] == "450 "  # UNIMARC's, not MARC 21's 4500
    general = record["100"]["a"]
    assert len(general) == 36
    assert general[8:13] == "d1739"
    assert general[26:28] == "50"  # ISO 10646
    assert _subfields(record, "200") == [
        ("a", "史記"),
        ("e", "一百三十卷"),
        ("f", "（漢）司馬遷撰 （南朝宋）裴駰集解"),
    ]
    assert _subfields(record, "701") == [("c", "（漢）"), ("a", "司馬遷"), ("4", "撰")]
    assert _subfields(record, "702") == [("c", "（南朝宋）"), ("a", "裴駰"), ("4", "集解")]
    assert _subfields(record, "205") == [("a", "清乾隆四年（1739）武英殿刻本")]
    assert _subfields(record, "210") == [("c", "武英殿"), ("d", "清乾隆四年（1739）")]
    assert _subfields(record, "215") == [("a", "24册（4函） 1夾"), ("c", "线装")]
    assert _subfields(record, "102") == [("a", "CN"), ("b", "330000")]
    copy_notes = [f["a"] for f in record.get_fields("316")]
    assert copy_notes == ["存缺卷：存一百二十卷（一至一百二十）", "清黃丕烈跋", "定级：二级乙等"]
    assert record["317"]["a"] == "乾隆御覽之寶；天祿繼鑑"
    assert record["686"]["a"] == "史部·纪传类"
    code = holding.institution.code
    assert _subfields(record, "905") == [
        ("a", holding.institution.name),
        ("b", code),
        ("d", holding.call_number),
    ]
    assert record["091"]["a"] == holding.census_number


@pytest.mark.parametrize("flavour", marc.FLAVOURS)
def test_marcxml_reads_back_the_same_record_as_the_binary(holding, flavour):
    d = _description(holding)
    (from_xml,) = parse_xml_to_array(io.BytesIO(marc.write_xml([d], flavour)))
    (from_binary,) = _read_binary(marc.write_binary([d], flavour))

    assert from_xml.leader[9] == "a"
    assert [f.tag for f in from_xml.fields] == [f.tag for f in from_binary.fields]
    assert [str(f) for f in from_xml.fields] == [str(f) for f in from_binary.fields]
    assert from_xml.title == from_binary.title


def test_sparse_holdings_leave_out_empty_fields_and_stay_readable():
    plain = make_holding(title_juan="雜鈔不分卷", authors="", edition_statement="清抄本")
    d = _description(plain)

    (record,) = _read_binary(marc.write_binary([d], marc.MARC21))
    (uni,) = _read_binary(marc.write_binary([d], marc.CNMARC))

    assert record.leader[6] == "t"  # a manuscript
    assert record["001"].data == f"guji-{plain.pk}"
    assert tuple(record["245"].indicators) == ("0", "0")  # no main entry
    assert not record.get_fields("100", "700", "561", "590", "084")
    assert record["008"].data[6:11] == "nuuuu"
    assert not uni.get_fields("316", "317", "701")


def test_many_records_in_one_file_read_back_in_order():
    institution = make_institution()
    holdings = [make_holding(institution, title_juan=f"書{n}一卷") for n in range(5)]
    descriptions = [_description(h) for h in holdings]

    records = _read_binary(marc.write_binary(descriptions, marc.MARC21))
    xml_records = parse_xml_to_array(io.BytesIO(marc.write_xml(descriptions, marc.CNMARC)))

    assert [r["001"].data for r in records] == [f"guji-{h.pk}" for h in holdings]
    assert [r["200"]["a"] for r in xml_records] == [f"書{n}" for n in range(5)]


def test_dublin_core_of_a_holding(holding):
    root = ET.fromstring(dc.write_one(_description(holding)))

    def values(name):
        return [e.text for e in root.findall(f"{{{dc.DC_NS}}}{name}")]

    assert root.tag == f"{{{dc.OAI_DC_NS}}}dc"
    assert values("title") == ["史記一百三十卷"]
    assert values("creator") == ["（漢）司馬遷撰"]
    assert values("contributor") == ["（南朝宋）裴駰集解"]
    assert values("date") == ["清乾隆四年（1739）", "1739"]
    assert values("publisher") == ["武英殿"]
    assert values("format") == ["24册（4函） 1夾", "线装"]
    assert holding.census_number in values("identifier")
    assert "定级：二级乙等" in values("description")


# --- the download views -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["marc21", "marc21-xml", "cnmarc", "cnmarc-xml", "dc"])
def test_staff_download_their_holding_in_each_format(client, holding, fmt):
    client.force_login(make_user(Role.CATALOGUER, holding.institution))

    response = client.get(reverse("exchange:holding_export", args=[holding.pk, fmt]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content
    if fmt in ("marc21", "cnmarc"):
        assert len(_read_binary(body)) == 1
    elif fmt == "dc":
        assert ET.fromstring(body).find(f"{{{dc.DC_NS}}}title").text == "史記一百三十卷"
    else:
        assert len(parse_xml_to_array(io.BytesIO(body))) == 1


def test_staff_of_another_institution_do_not_see_the_holding(client, holding):
    client.force_login(make_user(Role.CATALOGUER, make_institution()))

    response = client.get(reverse("exchange:holding_export", args=[holding.pk, "marc21"]))

    assert response.status_code == 404


def test_an_unknown_format_is_not_found(client, holding):
    client.force_login(make_user(Role.CENTRE_ADMIN))

    response = client.get(reverse("exchange:holding_export", args=[holding.pk, "bibtex"]))

    assert response.status_code == 404


def test_the_list_export_holds_what_the_list_shows(client):
    mine, other = make_institution(), make_institution()
    ours = [make_holding(mine, title_juan=f"甲{n}一卷") for n in range(3)]
    make_holding(other)
    client.force_login(make_user(Role.CATALOGUER, mine))

    response = client.get(reverse("exchange:list_export", args=["marc21"]))
    filtered = client.get(reverse("exchange:list_export", args=["cnmarc-xml"]), {"q": "甲1"})

    assert response.status_code == 200
    records = _read_binary(response.content)
    assert sorted(r["001"].data for r in records) == sorted(f"guji-{h.pk}" for h in ours)
    assert [r["200"]["a"] for r in parse_xml_to_array(io.BytesIO(filtered.content))] == ["甲1"]


def test_a_list_past_the_bound_is_refused_with_a_message(client, settings):
    settings.GUJI_EXPORT_INLINE_ROWS = 2
    institution = make_institution()
    for _n in range(3):
        make_holding(institution)
    client.force_login(make_user(Role.CATALOGUER, institution))

    response = client.get(reverse("exchange:list_export", args=["dc"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("holding_list")
    assert "2" in " ".join(str(m) for m in response.context["messages"])
