"""Background work runs on Huey: SQLite storage by default, Redis when HUEY_REDIS_URL is set."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import django; django.setup();"
    "from huey.contrib.djhuey import HUEY;"
    "print(type(HUEY).__name__, type(HUEY.storage).__name__)"
)


def huey_in_a_fresh_process(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HUEY_", "GUJI_HUEY"))}
    clean.update(DJANGO_SETTINGS_MODULE="guji.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def redis_is_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_queue_keeps_its_tasks_in_sqlite_by_default(tmp_path):
    assert huey_in_a_fresh_process(GUJI_HUEY_FILE=str(tmp_path / "q.sqlite3")) == (
        "SqliteHuey SqliteStorage"
    )


@pytest.mark.skipif(not redis_is_listening(), reason="no Redis server on 127.0.0.1:6379")
def test_huey_redis_url_moves_the_queue_to_redis():
    probe = "redis://127.0.0.1:6379/15"
    assert huey_in_a_fresh_process(HUEY_REDIS_URL=probe) == "RedisHuey RedisStorage"


@pytest.mark.skipif(not redis_is_listening(), reason="no Redis server on 127.0.0.1:6379")
def test_a_task_enqueued_on_redis_is_run_by_a_worker():
    from huey import RedisHuey

    huey = RedisHuey("guji-test", url="redis://127.0.0.1:6379/15")
    huey.flush()

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    task = huey.dequeue()  # what a consumer does, in this process
    huey.execute(task)
    assert result.get() == 5
    huey.flush()
