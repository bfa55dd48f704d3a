"""The repair base's parts of the core's pages, registered in ``ConservationConfig.ready()``."""


def register() -> None:
    pass
