from tests.environment import standins

standins.install()
