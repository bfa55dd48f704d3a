"""The storage requirements of GB/T 30227-2013 that self-assessments and inspections check.

One list for both, so an inspection's findings and a key unit's self-assessment speak of the
same things (domain note storage.md, A.2 and A.3).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Requirement(models.TextChoices):
    CLIMATE = "climate", _("Temperature and humidity (16–22 °C, 45–60 % RH)")
    LIGHT = "light", _("Light and ultraviolet (≤ 50 lx, ≤ 75 μW/lm)")
    AIR = "air", _("Air quality and filtration")
    FIRE = "fire", _("Fire alarm and gas extinguishing")
    SECURITY = "security", _("Security: intrusion alarm, access control, CCTV")
    SHELVING = "shelving", _("Shelving, boxes, pests and mould")
    STAFF = "staff", _("Dedicated staff and rules")


class Result(models.TextChoices):
    MEETS = "meets", _("Meets the requirement")
    PARTLY = "partly", _("Partly meets it")
    FAILS = "fails", _("Does not meet it")
