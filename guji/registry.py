"""How apps plug into the core: navigation, holding panels, timeline sources, home, demo.

The core never names an app. Each app registers its parts in ``AppConfig.ready()`` (wagtail's hooks
are the model), and the core asks the registry when it renders a page or loads the demo city::

    from guji import registry

    class ConservationConfig(AppConfig):
        def ready(self):
            registry.register_nav(registry.NavEntry(
                key="repair_queue", label=_("Repair queue"), url_name="conservation:queue",
                visible=lambda user: can_anywhere(user, "repair"), order=40))
            registry.register_holding_panel(registry.HoldingPanel(
                key="damage", template="conservation/includes/holding_panel.html",
                context=damage_panel_context, order=30))
            registry.register_timeline_source("conservation", conservation_timeline)
            registry.register_demo(registry.DemoPart(
                key="conservation", load=load_demo_part, after=("census",)))
            registry.register_urls("conservation/", "conservation.urls")

Every hook is called with plain arguments (a user, a request, a holding) and returns plain data;
hooks that raise propagate (a broken panel is a bug, not something to hide).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiRoute",
    "BulkAction",
    "BulkResult",
    "DemoPart",
    "HoldingPanel",
    "HomeSection",
    "ImageSet",
    "NavEntry",
    "ReportSection",
    "ViewerImage",
    "api_routes",
    "bulk_actions",
    "correction_url",
    "demo_parts",
    "field_notes",
    "holding_panels",
    "home_sections",
    "image_sets",
    "nav_entries",
    "provider",
    "register_api",
    "register_bulk_action",
    "register_correction",
    "register_demo",
    "register_field_notes",
    "register_holding_panel",
    "register_home_section",
    "register_image_source",
    "register_nav",
    "register_provider",
    "register_report_section",
    "register_status_link",
    "register_timeline_source",
    "register_urls",
    "report_sections",
    "status_links",
    "timeline_sources",
    "url_includes",
]


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to the users ``visible(user)`` admits."""

    key: str
    label: Any  # a lazy translation
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100
    url_kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class HoldingPanel:
    """A section of the holding page: ``context(request, holding)`` returns its template context,
    or None to leave the panel out for this user or holding."""

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    placement: str = "main"  # "summary": under the record's actions; "main": after its fields


@dataclass(frozen=True)
class HomeSection:
    """A block of a user's home page (``context(request)`` returns its context, or None)."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class DemoPart:
    """An app's part of the demo city. ``load()`` adds only what is missing and returns a
    mapping of what it created (name → count), printed by ``load_demo``. ``after`` names the parts
    it builds on (their keys), so the census runs before conservation, and so on; ``before`` names
    parts that build on it (the register's ``grades`` grades what the census registered, without
    the core naming the census)."""

    key: str
    load: Callable[[], dict]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass
class BulkResult:
    """What a bulk action did: how many records it changed, and why it left others alone."""

    done: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BulkAction:
    """An action on the holdings chosen in the list (those on the page, or all matching).

    ``run(holdings, by=user, reason=text, data=POST)`` gets the chosen holdings the user may
    catalogue and returns a ``BulkResult``; it must leave history on every record it changes,
    with ``reason``. ``field`` names an extra input the action needs (rendered by the list).
    """

    key: str
    label: Any
    run: Callable[..., BulkResult]
    visible: Callable[[Any], bool]
    order: int = 100
    field: str = ""
    field_label: Any = ""


@dataclass(frozen=True)
class ViewerImage:
    """One photograph for an image viewer (IIIF): its upright size and where each size is served.

    ``urls`` maps a size name ("thumbnail", "preview", "original" …) to the URL of a view that
    checks permission; ``sizes`` gives the pixel size served there.
    """

    key: str  # unique within its set
    label: str
    width: int
    height: int
    urls: dict[str, str]
    sizes: dict[str, tuple[int, int]]
    content_type: str = "image/jpeg"  # of every size but "original"


@dataclass(frozen=True)
class ImageSet:
    """Photographs of a holding shown together: its leaf photographs, a repair's before set …"""

    key: str  # unique for the holding, a slug: "leaf-photos", "repair-12-before"
    label: str
    images: list[ViewerImage]
    order: int = 100


@dataclass(frozen=True)
class ReportSection:
    """A section of the period report to the province (guji.reports).

    ``build(period, scope)`` returns the section's tables (``guji.reports.tables.Table``: title,
    columns, rows, totals row), computed with aggregate queries over the ``scope``'s
    institutions (``guji.reports.periods.Scope``) for the ``period`` (a year or a quarter).
    """

    key: str
    title: Any  # a lazy translation
    order: int
    build: Callable[[Any, Any], list]


_bulk: dict[str, BulkAction] = {}
_nav: dict[str, NavEntry] = {}
_panels: dict[str, HoldingPanel] = {}
_home: dict[str, HomeSection] = {}
_timeline: dict[str, Callable[[Any], list]] = {}
_demo: dict[str, DemoPart] = {}
_providers: dict[str, Callable[..., Any]] = {}
_urls: dict[str, str] = {}
_correction: list[Callable[[Any], str]] = []
_image_sources: dict[str, Callable[[Any, Any], list[ImageSet]]] = {}


def register_bulk_action(action: BulkAction) -> None:
    _bulk[action.key] = action


def bulk_actions(user) -> list[BulkAction]:
    return [a for a in sorted(_bulk.values(), key=lambda a: (a.order, a.key)) if a.visible(user)]


_status_links: dict[str, tuple[str, Callable[[Any], bool]]] = {}


def register_status_link(status: str, url_name: str, visible: Callable[[Any], bool]) -> None:
    """The home page's count of records in ``status`` links to ``url_name`` (the queue that
    works through them) for the users ``visible`` admits, instead of the filtered list."""
    _status_links[status] = (url_name, visible)


def status_links(user) -> dict[str, str]:
    from django.urls import reverse

    return {s: reverse(name) for s, (name, visible) in _status_links.items() if visible(user)}


_field_notes: dict[str, Callable[[Any], dict]] = {}


def register_field_notes(key: str, source: Callable[[Any], dict]) -> None:
    """``source(holding)`` returns notes to show beside the edit form's fields: a mapping of
    field name (``""`` for the whole record) to a list of texts (a reviewer's comments …)."""
    _field_notes[key] = source


def field_notes(holding) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for _key, source in sorted(_field_notes.items()):
        for name, texts in source(holding).items():
            notes.setdefault(name, []).extend(texts)
    return notes


def register_nav(entry: NavEntry) -> None:
    _nav[entry.key] = entry


def register_holding_panel(panel: HoldingPanel) -> None:
    _panels[panel.key] = panel


def register_home_section(section: HomeSection) -> None:
    _home[section.key] = section


def register_timeline_source(key: str, source: Callable[[Any], list]) -> None:
    """``source(holding)`` returns ``guji.history.Change`` entries for the holding's timeline."""
    _timeline[key] = source


def register_demo(part: DemoPart) -> None:
    _demo[part.key] = part


def register_provider(key: str, fn: Callable[..., Any]) -> None:
    """Offer a figure another app may show: ``room_compliance(institution)`` (environment),
    ``damage_levels(holdings)`` (conservation) … The asking app works without it."""
    _providers[key] = fn


def provider(key: str) -> Callable[..., Any] | None:
    """The function registered under ``key``, or None when no installed app offers it."""
    return _providers.get(key)


def register_image_source(key: str, source: Callable[[Any, Any], list[ImageSet]]) -> None:
    """``source(user, holding)`` returns the holding's image sets the user may see."""
    _image_sources[key] = source


def image_sets(user, holding) -> list[ImageSet]:
    sets = [s for _key, source in sorted(_image_sources.items()) for s in source(user, holding)]
    return sorted(sets, key=lambda s: s.order)


_report_sections: dict[str, ReportSection] = {}


def register_report_section(section: ReportSection) -> None:
    _report_sections[section.key] = section


def report_sections() -> list[ReportSection]:
    return sorted(_report_sections.values(), key=lambda s: (s.order, s.key))


def register_urls(prefix: str, module: str) -> None:
    """Mount the app's URLconf ``module`` (with its own ``app_name``) under ``prefix``."""
    _urls[prefix] = module


def register_correction(url_for: Callable[[Any], str]) -> None:
    """``url_for(holding)``: where a change to a locked (registered) holding is requested."""
    _correction[:] = [url_for]


@dataclass(frozen=True)
class ApiRoute:
    """A read-only endpoint of the read API, mounted at ``/api/v1/<prefix>/``.

    ``viewset`` is a DRF viewset built on ``guji.api.framework`` (its permission, pagination and
    throttling); ``basename`` names its URLs (``api:<basename>-list``, ``api:<basename>-detail``).
    """

    prefix: str
    viewset: Any
    basename: str


_api: dict[str, ApiRoute] = {}


def register_api(prefix: str, viewset: Any, basename: str | None = None) -> None:
    """Add an app's read-only viewset to the read API (see docs/api.md)."""
    _api[prefix] = ApiRoute(prefix, viewset, basename or prefix.replace("-", "_"))


def api_routes() -> list[ApiRoute]:
    return [_api[prefix] for prefix in sorted(_api)]


def url_includes() -> list[tuple[str, str]]:
    return sorted(_urls.items())


def correction_url(holding) -> str | None:
    return _correction[0](holding) if _correction else None


def nav_entries(user) -> list[NavEntry]:
    return [e for e in sorted(_nav.values(), key=lambda e: (e.order, e.key)) if e.visible(user)]


def holding_panels(request, holding) -> list[tuple[HoldingPanel, dict]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, holding)
        if context is not None:
            out.append((panel, context))
    return out


def home_sections(request) -> list[tuple[HomeSection, dict]]:
    out = []
    for section in sorted(_home.values(), key=lambda s: (s.order, s.key)):
        context = section.context(request)
        if context is not None:
            out.append((section, context))
    return out


def timeline_sources() -> Iterable[Callable[[Any], list]]:
    return [source for _key, source in sorted(_timeline.items())]


def demo_parts() -> list[DemoPart]:
    """The registered demo parts, each after the parts it names (a stable topological order)."""
    done: list[DemoPart] = []
    seen: set[str] = set()
    after = {key: set(part.after) for key, part in _demo.items()}
    for part in _demo.values():
        for later in part.before:
            after.setdefault(later, set()).add(part.key)

    def visit(part: DemoPart, path: tuple[str, ...]) -> None:
        if part.key in seen:
            return
        if part.key in path:
            raise ValueError(f"demo parts depend on each other in a cycle: {path}")
        for key in sorted(after.get(part.key, ())):
            if key in _demo:
                visit(_demo[key], (*path, part.key))
        seen.add(part.key)
        done.append(part)

    for key in sorted(_demo):
        visit(_demo[key], ())
    return done
