"""On PostgreSQL, readings live in a table partitioned by month (native range partitioning).

Django created an ordinary table in 0001; here it is replaced by a partitioned table with the same
columns and primary key (sensor_id, time), plus a DEFAULT partition that stays empty as long as
``environment.partitions.ensure_partitions`` runs before every write. SQLite keeps 0001's table.
"""

from django.db import migrations

CREATE = """
DROP TABLE environment_reading;
CREATE TABLE environment_reading (
    sensor_id bigint NOT NULL
        REFERENCES environment_sensor (id) DEFERRABLE INITIALLY DEFERRED,
    time timestamp with time zone NOT NULL,
    temperature_c double precision NULL,
    rh double precision NULL,
    lux double precision NULL,
    uv double precision NULL,
    co2 double precision NULL,
    PRIMARY KEY (sensor_id, time)
) PARTITION BY RANGE (time);
CREATE TABLE environment_reading_default PARTITION OF environment_reading DEFAULT;
"""

DROP = """
DROP TABLE environment_reading;
CREATE TABLE environment_reading (
    sensor_id bigint NOT NULL
        REFERENCES environment_sensor (id) DEFERRABLE INITIALLY DEFERRED,
    time timestamp with time zone NOT NULL,
    temperature_c double precision NULL,
    rh double precision NULL,
    lux double precision NULL,
    uv double precision NULL,
    co2 double precision NULL,
    PRIMARY KEY (sensor_id, time)
);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("environment", "0001_initial")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
