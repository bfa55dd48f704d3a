"""An OAI-PMH 2.0 repository of the registered holdings, for union catalogues to harvest.

Harvesters are anonymous, so the repository holds only what the census has accepted: holdings
whose status is ``registered`` (a draft, a submitted or a returned record is the institution's
work in progress). Sets are institutions (``inst:0101``). Datestamps are the holdings'
modification times (``updated_at``) at second granularity, in UTC.

Resumption tokens are stateless: the query (verb, prefix, from, until, set), the last id
returned, the cursor and the complete list size, signed with the project's secret key and valid
for ``TOKEN_HOURS``. A harvest that starts without ``until`` is fixed at the time it started, so
records changed meanwhile are left to the next incremental harvest instead of shifting pages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Min, QuerySet
from django.http import QueryDict
from django.utils import timezone

from guji.exchange import dc, marc
from guji.exchange.records import describe, for_exchange
from guji.models import Holding, Institution

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
ET.register_namespace("", OAI_NS)

FORMATS = {  # metadataPrefix → (schema, namespace)
    "oai_dc": (dc.OAI_DC_SCHEMA, dc.OAI_DC_NS),
    "marc21": (MARC_SCHEMA, MARC_NS),
}
TOKEN_SALT = "guji.exchange.oai"
TOKEN_HOURS = 24
SET_PREFIX = "inst:"

VERBS: dict[str, tuple[set[str], set[str]]] = {  # verb → (required, optional) arguments
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
EXCLUSIVE = {"resumptionToken"}  # allowed with the verb alone (the List verbs)
RESUMABLE = {"ListIdentifiers", "ListRecords", "ListSets"}


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def public_holdings() -> QuerySet[Holding]:
    """What anonymous harvesters may see: holdings the census has registered."""
    return Holding.objects.filter(status=Holding.Status.REGISTERED)


def _q(tag: str) -> str:
    return f"{{{OAI_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def datestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifier(pk: int) -> str:
    return f"oai:{settings.GUJI_OAI_REPOSITORY_IDENTIFIER}:{pk}"


def _pk_of(text: str) -> int | None:
    prefix = f"oai:{settings.GUJI_OAI_REPOSITORY_IDENTIFIER}:"
    rest = text[len(prefix) :] if text.startswith(prefix) else ""
    return int(rest) if rest.isdigit() and len(rest) < 19 else None


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _moment(text: str, *, end: bool) -> tuple[datetime, str]:
    """A from/until argument as a UTC moment, and its granularity ("day" or "second")."""
    try:
        if _DAY.match(text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + timedelta(days=1) if end else day), "day"
        if _SECOND.match(text):
            moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (moment + timedelta(seconds=1) if end else moment), "second"
    except ValueError:
        pass
    raise OAIError("badArgument", f"Not a UTC date or datetime: {text!r}.")


@dataclass
class ListQuery:
    verb: str
    prefix: str
    start: datetime | None  # inclusive
    end: datetime  # exclusive
    set_spec: str
    after: int = 0  # the last id already sent
    cursor: int = 0
    size: int | None = None

    def holdings(self) -> QuerySet[Holding]:
        qs = public_holdings().filter(updated_at__lt=self.end)
        if self.start is not None:
            qs = qs.filter(updated_at__gte=self.start)
        if self.set_spec:
            code = self.set_spec.removeprefix(SET_PREFIX)
            qs = qs.filter(institution__code=code)
        return qs

    def token(self) -> str:
        return signing.dumps(
            {
                "v": self.verb,
                "p": self.prefix,
                "f": self.start.isoformat() if self.start else None,
                "u": self.end.isoformat(),
                "s": self.set_spec,
                "a": self.after,
                "c": self.cursor,
                "n": self.size,
            },
            salt=TOKEN_SALT,
            compress=True,
        )

    @classmethod
    def from_token(cls, verb: str, token: str) -> ListQuery:
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(hours=TOKEN_HOURS))
            if data["v"] != verb:
                raise ValueError(verb)
            return cls(
                verb=verb,
                prefix=data["p"],
                start=datetime.fromisoformat(data["f"]) if data["f"] else None,
                end=datetime.fromisoformat(data["u"]),
                set_spec=data["s"],
                after=int(data["a"]),
                cursor=int(data["c"]),
                size=int(data["n"]),
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise OAIError(
                "badResumptionToken", "The resumption token is invalid or has expired."
            ) from None

    @classmethod
    def from_args(cls, verb: str, args: dict[str, str], now: datetime) -> ListQuery:
        prefix = args["metadataPrefix"]
        if prefix not in FORMATS:
            raise OAIError("cannotDisseminateFormat", f"No metadata format {prefix!r}.")
        start = end = None
        grains = set()
        if "from" in args:
            start, grain = _moment(args["from"], end=False)
            grains.add(grain)
        if "until" in args:
            end, grain = _moment(args["until"], end=True)
            grains.add(grain)
        if len(grains) > 1:
            raise OAIError("badArgument", "from and until must have the same granularity.")
        if start and end and start >= end:
            raise OAIError("badArgument", "from is later than until.")
        set_spec = args.get("set", "")
        if set_spec and not set_spec.startswith(SET_PREFIX):
            raise OAIError("noRecordsMatch", f"No set {set_spec!r}.")
        # A harvest fixes its end when it starts (the end of the current second, so a harvest
        # from this responseDate repeats rather than misses what changes in it).
        limit = now + timedelta(seconds=1)
        return cls(verb, prefix, start, min(end, limit) if end else limit, set_spec)


def _arguments(params: QueryDict) -> dict[str, str]:
    repeated = [k for k in params if len(params.getlist(k)) > 1]
    if repeated:
        raise OAIError("badArgument", f"Repeated argument: {', '.join(sorted(repeated))}.")
    return {k: params[k] for k in params}


def _check_arguments(verb: str, args: dict[str, str]) -> None:
    required, optional = VERBS[verb]
    given = set(args) - {"verb"}
    if "resumptionToken" in given and verb in RESUMABLE:
        if given != EXCLUSIVE:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal argument: {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing argument: {', '.join(sorted(missing))}.")


@dataclass(frozen=True)
class Context:
    now: datetime
    base_url: str


def respond(params: QueryDict, *, base_url: str) -> bytes:
    """The OAI-PMH response document for one request (errors included, as the protocol says)."""
    now = timezone.now().replace(microsecond=0)
    root = ET.Element(
        _q("OAI-PMH"),
        {"{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": f"{OAI_NS} {OAI_SCHEMA}"},
    )
    _sub(root, "responseDate", datestamp(now))
    request_el = _sub(root, "request", base_url)
    try:
        args = _arguments(params)
        verb = args.get("verb", "")
        if verb not in VERBS:
            raise OAIError("badVerb", f"Illegal OAI verb: {verb!r}." if verb else "No verb.")
        _check_arguments(verb, args)
        for key, value in args.items():
            request_el.set(key, value)
        HANDLERS[verb](_sub(root, verb), args, Context(now, base_url))
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            request_el.attrib.clear()  # the request echoes only arguments that were valid
        for child in list(root)[2:]:
            root.remove(child)
        _sub(root, "error", error.message, code=error.code)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- verbs -------------------------------------------------------------------------------------


def _identify(el: ET.Element, args: dict, ctx: Context) -> None:
    earliest = public_holdings().aggregate(m=Min("updated_at"))["m"] or ctx.now
    _sub(el, "repositoryName", settings.GUJI_OAI_REPOSITORY_NAME)
    _sub(el, "baseURL", ctx.base_url)
    _sub(el, "protocolVersion", "2.0")
    _sub(el, "adminEmail", settings.GUJI_OAI_ADMIN_EMAIL)
    _sub(el, "earliestDatestamp", datestamp(earliest))
    _sub(el, "deletedRecord", "no")
    _sub(el, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def _list_formats(el: ET.Element, args: dict, ctx: Context) -> None:
    if "identifier" in args:
        pk = _pk_of(args["identifier"])
        if pk is None or not public_holdings().filter(pk=pk).exists():
            raise OAIError("idDoesNotExist", f"No record {args['identifier']!r}.")
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = _sub(el, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)


def _list_sets(el: ET.Element, args: dict, ctx: Context) -> None:
    if "resumptionToken" in args:  # every set is in the first response
        raise OAIError("badResumptionToken", "This repository sends all sets at once.")
    with_records = public_holdings().values("institution_id")
    for code, name in Institution.objects.filter(pk__in=with_records).values_list("code", "name"):
        entry = _sub(el, "set")
        _sub(entry, "setSpec", SET_PREFIX + code)
        _sub(entry, "setName", name)


def _header(parent: ET.Element, holding: Holding) -> None:
    header = _sub(parent, "header")
    _sub(header, "identifier", identifier(holding.pk))
    _sub(header, "datestamp", datestamp(holding.updated_at))
    _sub(header, "setSpec", SET_PREFIX + holding.institution.code)


def _metadata(parent: ET.Element, holding: Holding, prefix: str) -> None:
    d = describe(holding)
    metadata = _sub(parent, "metadata")
    metadata.append(dc.element(d) if prefix == "oai_dc" else marc.xml_node(d))


def _list(el: ET.Element, args: dict, ctx: Context) -> None:
    verb = el.tag.split("}")[1]
    if "resumptionToken" in args:
        query = ListQuery.from_token(verb, args["resumptionToken"])
    else:
        query = ListQuery.from_args(verb, args, ctx.now)
    holdings = query.holdings()
    if query.size is None:
        query.size = holdings.count()
    page_size = settings.GUJI_OAI_PAGE_SIZE
    qs = holdings.filter(pk__gt=query.after).order_by("pk")
    if verb == "ListRecords":
        qs = for_exchange(qs)
    else:
        qs = qs.select_related("institution").only("pk", "updated_at", "institution__code")
    page = list(qs[: page_size + 1])
    if not page and query.cursor == 0:
        raise OAIError("noRecordsMatch", "No records match the request.")
    more, page = len(page) > page_size, page[:page_size]
    for holding in page:
        if verb == "ListRecords":
            record = _sub(el, "record")
            _header(record, holding)
            _metadata(record, holding, query.prefix)
        else:
            _header(el, holding)
    cursor = query.cursor
    if more:
        query.after, query.cursor = page[-1].pk, cursor + len(page)
        expires = datestamp(ctx.now + timedelta(hours=TOKEN_HOURS))
        _sub(
            el,
            "resumptionToken",
            query.token(),
            completeListSize=str(query.size),
            cursor=str(cursor),
            expirationDate=expires,
        )
    elif cursor:  # the last page of a resumed list: an empty token ends it
        _sub(el, "resumptionToken", "", completeListSize=str(query.size), cursor=str(cursor))


def _get_record(el: ET.Element, args: dict, ctx: Context) -> None:
    prefix = args["metadataPrefix"]
    pk = _pk_of(args["identifier"])
    holding = for_exchange(public_holdings().filter(pk=pk)).first() if pk else None
    if holding is None:
        raise OAIError("idDoesNotExist", f"No record {args['identifier']!r}.")
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"No metadata format {prefix!r}.")
    record = _sub(el, "record")
    _header(record, holding)
    _metadata(record, holding, prefix)


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_formats,
    "ListSets": _list_sets,
    "ListIdentifiers": _list,
    "ListRecords": _list,
    "GetRecord": _get_record,
}
