"""What catalogue exchange adds to the core's pages, registered in ``ExchangeConfig.ready()``."""

from guji import registry
from guji.permissions import can


def _holding_panel(request, holding) -> dict | None:
    from guji.exchange.templatetags.exchange import OFFERED

    may_export = can(request.user, "export", holding)
    image_count = sum(len(s.images) for s in registry.image_sets(request.user, holding))
    if not may_export and not image_count:
        return None
    return {
        "holding": holding,
        "may_export": may_export,
        "formats": OFFERED,
        "image_count": image_count,
    }


def register() -> None:
    registry.register_urls("", "guji.exchange.urls")
    registry.register_holding_panel(
        registry.HoldingPanel(
            "exchange",
            "exchange/includes/holding_panel.html",
            _holding_panel,
            order=90,
            placement="summary",
        )
    )
