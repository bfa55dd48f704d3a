"""What catalogue exchange adds to the core's pages, registered in ``ExchangeConfig.ready()``."""

from guji import registry


def register() -> None:
    registry.register_urls("", "guji.exchange.urls")
