"""The OAI-PMH endpoint, as a harvester sees it: anonymous, XML, resumption tokens to the end."""

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pymarc import parse_xml_to_array

from guji.exchange import dc, oai
from guji.models import Holding
from tests.exchange.factories import make_full_holding, register
from tests.factories import make_holding, make_institution

pytestmark = pytest.mark.django_db
NS = {"o": oai.OAI_NS, "dc": dc.DC_NS, "marc": oai.MARC_NS}


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.GUJI_OAI_PAGE_SIZE = 3


@pytest.fixture
def city():
    """Two institutions: 7 registered holdings and 2 drafts."""
    a, b = make_institution(), make_institution()
    registered = [register(make_full_holding(a)) for _ in range(4)]
    registered += [register(make_holding(b)) for _ in range(3)]
    drafts = [make_holding(a), make_holding(b)]
    return {"a": a, "b": b, "registered": registered, "drafts": drafts}


def harvest(client, **params) -> ET.Element:
    response = client.get(reverse("exchange:oai"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def error_code(root: ET.Element) -> str | None:
    error = root.find("o:error", NS)
    return error.get("code") if error is not None else None


def walk(client, verb: str, **params) -> tuple[list[ET.Element], list[ET.Element]]:
    """Every item of a list verb, following resumption tokens to the end; and the tokens."""
    items, tokens = [], []
    root = harvest(client, verb=verb, **params)
    tag = "o:record" if verb == "ListRecords" else "o:header"
    while True:
        assert error_code(root) is None, ET.tostring(root)
        listing = root.find(f"o:{verb}", NS)
        items += listing.findall(tag, NS)
        token = listing.find("o:resumptionToken", NS)
        if token is None:
            return items, tokens
        tokens.append(token)
        if not token.text:
            return items, tokens
        root = harvest(client, verb=verb, resumptionToken=token.text)


def test_identify_describes_the_repository(client, city, settings):
    root = harvest(client, verb="Identify")

    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:baseURL", namespaces=NS).endswith(reverse("exchange:oai"))
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "no"
    earliest = min(h.updated_at for h in city["registered"]).astimezone(UTC)
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == earliest.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert root.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats_offers_dublin_core_and_marcxml(client, city):
    root = harvest(client, verb="ListMetadataFormats")

    prefixes = [e.text for e in root.iterfind(".//o:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "marc21"]


def test_sets_are_the_institutions_with_registered_holdings(client, city):
    root = harvest(client, verb="ListSets")

    specs = sorted(e.text for e in root.iterfind(".//o:setSpec", NS))
    assert specs == sorted(f"inst:{city[k].code}" for k in ("a", "b"))


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
def test_list_records_walks_every_registered_holding_and_nothing_else(client, city, prefix):
    records, tokens = walk(client, "ListRecords", metadataPrefix=prefix)

    public = Holding.objects.filter(status=Holding.Status.REGISTERED)
    assert len(records) == public.count() == 7
    ids = [r.findtext("o:header/o:identifier", namespaces=NS) for r in records]
    assert sorted(ids) == sorted(oai.identifier(h.pk) for h in city["registered"])
    assert [t.get("cursor") for t in tokens] == ["0", "3", "6"]
    assert {t.get("completeListSize") for t in tokens} == {"7"}
    assert tokens[-1].text is None  # the last page ends the list with an empty token
    first = records[0].find("o:metadata", NS)
    if prefix == "oai_dc":
        assert first.findtext("oai_dc:dc/dc:title", namespaces={**NS, "oai_dc": dc.OAI_DC_NS})
    else:
        (marc_record,) = parse_xml_to_array(io.BytesIO(ET.tostring(first.find("marc:record", NS))))
        assert marc_record["245"]["a"]


def test_list_identifiers_walks_the_same_records(client, city):
    headers, _tokens = walk(client, "ListIdentifiers", metadataPrefix="oai_dc")

    assert len(headers) == 7
    assert {h.findtext("o:setSpec", namespaces=NS) for h in headers} == {
        f"inst:{city['a'].code}",
        f"inst:{city['b'].code}",
    }


def test_a_set_harvests_one_institution(client, city):
    records, _tokens = walk(
        client, "ListRecords", metadataPrefix="marc21", set=f"inst:{city['b'].code}"
    )

    assert len(records) == 3


def test_from_and_until_select_by_modification_time(client, city):
    old = city["registered"][:2]
    Holding.objects.filter(pk__in=[h.pk for h in old]).update(
        updated_at=datetime(2020, 5, 1, 8, 0, tzinfo=UTC)
    )

    until, _ = walk(client, "ListIdentifiers", metadataPrefix="oai_dc", until="2020-05-01")
    since, _ = walk(client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2021-01-01"})
    exact, _ = walk(
        client,
        "ListIdentifiers",
        metadataPrefix="oai_dc",
        **{"from": "2020-05-01T08:00:00Z", "until": "2020-05-01T08:00:00Z"},
    )

    assert len(until) == 2 == len(exact)
    assert len(since) == 5
    assert until[0].findtext("o:datestamp", namespaces=NS) == "2020-05-01T08:00:00Z"


def test_get_record_gives_a_registered_holding_and_refuses_a_draft(client, city):
    holding, draft = city["registered"][0], city["drafts"][0]

    found = harvest(
        client, verb="GetRecord", identifier=oai.identifier(holding.pk), metadataPrefix="marc21"
    )
    refused = harvest(
        client, verb="GetRecord", identifier=oai.identifier(draft.pk), metadataPrefix="marc21"
    )

    marc_el = found.find(".//marc:record", NS)
    (record,) = parse_xml_to_array(io.BytesIO(ET.tostring(marc_el)))
    assert record["001"].data == holding.census_number
    assert error_code(refused) == "idDoesNotExist"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-02-30"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2021-01-01",
                "until": "2021-06-01T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "mods"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
         "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:guji.example.org:999999"},
         "idDoesNotExist"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "inst:9999"},
         "noRecordsMatch"),
    ],
)  # fmt: skip
def test_bad_requests_get_the_protocols_error_codes(client, city, params, code):
    root = harvest(client, **params)

    assert error_code(root) == code
    assert root.find("o:ListRecords", NS) is None
    if code in ("badVerb", "badArgument"):
        assert root.find("o:request", NS).attrib == {}


def test_a_repeated_argument_is_a_bad_argument(client, city):
    response = client.get(reverse("exchange:oai") + "?verb=Identify&verb=Identify")

    assert error_code(ET.fromstring(response.content)) == "badArgument"


def test_a_token_of_one_verb_is_refused_by_another(client, city):
    _records, tokens = walk(client, "ListIdentifiers", metadataPrefix="oai_dc")

    root = harvest(client, verb="ListRecords", resumptionToken=tokens[0].text)

    assert error_code(root) == "badResumptionToken"


def test_post_requests_are_answered_like_get(client, city):
    response = client.post(reverse("exchange:oai"), {"verb": "ListIdentifiers",
                                                      "metadataPrefix": "oai_dc"})  # fmt: skip

    root = ET.fromstring(response.content)
    assert len(root.findall(".//o:header", NS)) == 3


def test_a_page_of_records_costs_the_same_queries_for_3_or_30_holdings(client, settings):
    institution = make_institution()
    for _ in range(3):
        register(make_full_holding(institution))
    settings.GUJI_OAI_PAGE_SIZE = 100
    with CaptureQueriesContext(connection) as few:
        harvest(client, verb="ListRecords", metadataPrefix="marc21")
    for _ in range(27):
        register(make_full_holding(institution))
    with CaptureQueriesContext(connection) as many:
        root = harvest(client, verb="ListRecords", metadataPrefix="marc21")

    assert len(root.findall(".//o:record", NS)) == 30
    assert len(many) == len(few)
