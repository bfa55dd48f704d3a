"""Rooms, their climate and books; excursions; uploads; the citywide views.

Every page asks guji.permissions: a room is seen by whoever may view its institution's holdings
(404 otherwise, as for holdings); uploads, tokens, limits, placements and acknowledgements need
"manage" at the institution (403 otherwise).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from environment import placements, report, tasks
from environment.forms import (
    AcknowledgeForm,
    AssignForm,
    PeriodForm,
    RoomForm,
    SensorForm,
    ThresholdForm,
    UploadForm,
)
from environment.models import (
    DailyRollup,
    Excursion,
    Notification,
    Placement,
    Reading,
    Room,
    Sensor,
    UploadJob,
)
from environment.rollups import day_bounds
from environment.thresholds import clear_override, limits_for, override_limit
from guji.history import save_audited
from guji.models import Grade, Holding
from guji.permissions import can, can_anywhere, institutions_where, require

RAW_DAYS = 14  # the chart shows raw readings for periods up to this long, daily roll-ups beyond
SHANBEN_GRADES = [g.value for g in Grade if g.value[0] in "123"]


def _room(request: HttpRequest, pk: int) -> Room:
    return get_object_or_404(
        Room.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


def room_list(request: HttpRequest) -> HttpResponse:
    rooms = Room.objects.visible_to(request.user).select_related("institution")
    page = Paginator(rooms, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    start, end = report.last_days(30)
    rows = report.rooms_compliance(list(page.object_list), start, end)
    rows.sort(key=lambda r: (r["room"].institution_id, r["room"].code))
    sensors = dict(
        Sensor.objects.filter(room__in=page.object_list)
        .values("room")
        .annotate(n=Count("id"))
        .values_list("room", "n")
    )
    for row in rows:
        row["sensors"] = sensors.get(row["room"].pk, 0)
    return render(
        request,
        "environment/room_list.html",
        {
            "page": page,
            "rows": rows,
            "start": start,
            "end": end,
            "may_add": can_anywhere(request.user, "manage"),
        },
    )


@require_http_methods(["GET", "POST"])
def room_create(request: HttpRequest) -> HttpResponse:
    """A manager adds a room to their institution (the centre administrator to any)."""
    if not can_anywhere(request.user, "manage"):
        raise PermissionDenied
    institutions = institutions_where(request.user, "manage").order_by("code")
    form = RoomForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        room = form.save(commit=False)
        require(request.user, "manage", room.institution)
        save_audited(room, by=request.user, reason=_("Room added"))
        return redirect(room)
    status = 400 if request.method == "POST" else 200
    return render(request, "environment/room_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sensor_create(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    require(request.user, "manage", room)
    form = SensorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sensor = form.save(commit=False)
        sensor.room = room
        save_audited(sensor, by=request.user, reason=_("Sensor added"))
        return redirect(room)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "environment/sensor_form.html", {"form": form, "room": room}, status=status
    )


def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period(30)
    summary = report.room_summary(room, start, end)
    sensors = list(room.sensors.all())
    by_grade = dict(
        Placement.objects.filter(room=room)
        .values_list("holding__grade")
        .annotate(n=Count("id"))
        .values_list("holding__grade", "n")
    )
    grades = [(g.value, g.label, by_grade[g.value]) for g in Grade if by_grade.get(g.value)]
    if by_grade.get(""):
        grades.append(("", _("Not graded"), by_grade[""]))
    holdings = (
        Holding.objects.filter(placement__room=room)
        .select_related("placement")
        .only("id", "title_juan", "call_number", "grade", "placement__shelf")
        .order_by("grade", "call_number")
    )
    holdings = sorted(holdings[:200], key=lambda h: (h.grade == "", h.grade, h.call_number))
    context = {
        "room": room,
        "form": form,
        "summary": summary,
        "limits": summary.limits,
        "sensors": sensors,
        "grades": grades,
        "holdings": holdings,
        "holding_count": sum(by_grade.values()),
        "excursions": room.excursions.select_related("acknowledged_by")[:10],
        "may_manage": can(request.user, "manage", room),
        "data_url": reverse("environment:room_data", args=[room.pk])
        + f"?start={start.isoformat()}&end={end.isoformat()}",
    }
    return render(request, "environment/room_detail.html", context)


def _epoch(dt) -> float:
    return dt.timestamp()


def raw_series(sensor_id: int, first, last, *, limit: int) -> list[tuple]:
    """(epoch seconds, °C, %RH) of a bounded window, the epoch computed by the database (Django's
    datetime conversion of 20,000 rows would dominate the request)."""
    if connection.vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM time)::float8"
    else:
        epoch = "ROUND((julianday(time) - 2440587.5) * 86400.0, 3)"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {epoch}, temperature_c, rh FROM {Reading._meta.db_table} "
            "WHERE sensor_id = %s AND time >= %s AND time < %s ORDER BY time LIMIT %s",
            [sensor_id, adapt(first), adapt(last), limit],
        )
        return cursor.fetchall()


@require_GET
def room_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The chart's data: raw readings for short periods, daily roll-ups for long ones."""
    room = _room(request, pk)
    start, end = PeriodForm(request.GET).period(30)
    first, _unused = day_bounds(start)
    _unused, last = day_bounds(end)
    sensors = list(room.sensors.all())
    sensor = None
    if request.GET.get("sensor"):
        sensor = next((s for s in sensors if s.code == request.GET["sensor"]), None)
    sensor = sensor or (sensors[0] if sensors else None)
    limits = {
        k: {"min": v.minimum, "max": v.maximum, "daily": v.max_daily_change}
        for k, v in limits_for(room).items()
    }
    payload: dict = {
        "sensor": sensor.code if sensor else None,
        "sensors": [s.code for s in sensors],
        "limits": limits,
        "start": _epoch(first),
        "end": _epoch(last),
    }
    rollups = list(
        DailyRollup.objects.filter(sensor=sensor, day__gte=start, day__lte=end).order_by("day")
        if sensor
        else []
    )
    payload["daily"] = {
        "time": [_epoch(day_bounds(r.day)[0]) for r in rollups],
        "t_min": [r.t_min for r in rollups],
        "t_max": [r.t_max for r in rollups],
        "t_mean": [r.t_mean for r in rollups],
        "rh_min": [r.rh_min for r in rollups],
        "rh_max": [r.rh_max for r in rollups],
        "rh_mean": [r.rh_mean for r in rollups],
        "t_range": [r.t_range for r in rollups],
        "rh_range": [r.rh_range for r in rollups],
    }
    if sensor and (end - start).days < RAW_DAYS:
        values = raw_series(sensor.pk, first, last, limit=RAW_DAYS * 1440 * 2)
        payload["mode"] = "raw"
        payload["raw"] = {
            "time": [v[0] for v in values],
            "t": [v[1] for v in values],
            "rh": [v[2] for v in values],
        }
    else:
        payload["mode"] = "daily"
    payload["excursions"] = [
        {"start": _epoch(e.start), "end": _epoch(e.end), "parameter": e.parameter, "high": e.high}
        for e in room.excursions.filter(start__lt=last, end__gte=first)[:500]
    ]
    return JsonResponse(payload)


def room_excursions(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    excursions = room.excursions.select_related("sensor", "acknowledged_by")
    page = Paginator(excursions, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "environment/excursion_list.html",
        {
            "room": room,
            "page": page,
            "may_manage": can(request.user, "manage", room),
            "form": AcknowledgeForm(),
        },
    )


def excursion_list(request: HttpRequest) -> HttpResponse:
    excursions = Excursion.objects.visible_to(request.user).select_related(
        "room__institution", "sensor", "acknowledged_by"
    )
    if request.GET.get("open"):
        excursions = excursions.filter(acknowledged_at=None)
    page = Paginator(excursions, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    managed = {
        e.room.institution_id for e in page.object_list if can(request.user, "manage", e.room)
    }
    return render(
        request,
        "environment/excursion_list.html",
        {"page": page, "managed": managed, "form": AcknowledgeForm(), "citywide": True},
    )


@require_POST
def excursion_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    excursion = get_object_or_404(
        Excursion.objects.visible_to(request.user).select_related("room"), pk=pk
    )
    require(request.user, "manage", excursion.room)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was found and done: the comment is required."))
    else:
        from environment.excursions import AlreadyAcknowledged, acknowledge

        try:
            acknowledge(excursion, by=request.user, comment=form.cleaned_data["comment"])
        except AlreadyAcknowledged:
            excursion.refresh_from_db()
            messages.error(
                request,
                _("%(user)s acknowledged this excursion already: %(comment)s")
                % {"user": excursion.acknowledged_by, "comment": excursion.comment},
            )
        else:
            messages.success(request, _("Excursion acknowledged."))
    target = request.POST.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("environment:room_excursions", args=[excursion.room_id])
    return redirect(target)


def compliance(request: HttpRequest) -> HttpResponse:
    """Every visible room's time in range and TWPI for a period, worst first."""
    form = PeriodForm(request.GET or None)
    start, end = form.period(30)
    rooms = list(Room.objects.visible_to(request.user).select_related("institution"))
    rows = report.rooms_compliance(rooms, start, end)
    return render(
        request,
        "environment/compliance.html",
        {"rows": rows, "form": form, "start": start, "end": end},
    )


def shanben_at_risk(request: HttpRequest) -> HttpResponse:
    """善本 held in rooms that were out of range at some time this month."""
    start, end = report.this_month()
    rooms = list(Room.objects.visible_to(request.user).select_related("institution"))
    rows = [
        r
        for r in report.rooms_compliance(rooms, start, end)
        if r["in_range"] is not None and r["in_range"] < 100
    ]
    by_room = {r["room"].pk: r for r in rows}
    holdings = (
        Holding.objects.filter(placement__room__in=list(by_room), grade__in=SHANBEN_GRADES)
        .select_related("institution", "placement__room")
        .order_by("placement__room", "grade", "call_number")
    )
    page = Paginator(holdings, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(h, by_room[h.placement.room_id]) for h in page.object_list]
    return render(
        request,
        "environment/shanben_at_risk.html",
        {"page": page, "items": items, "rooms": rows, "start": start, "end": end},
    )


@require_http_methods(["GET", "POST"])
def room_thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    require(request.user, "manage", room)
    form = ThresholdForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("clear"):
            reason = request.POST.get("reason", "").strip() or _("Back to the default")
            clear_override(room, request.POST["clear"], by=request.user, reason=reason)
            messages.success(request, _("The room follows the default limit again."))
            return redirect("environment:room_thresholds", room.pk)
        if form.is_valid():
            d = form.cleaned_data
            override_limit(
                room,
                d["parameter"],
                minimum=d["minimum"],
                maximum=d["maximum"],
                max_daily_change=d["max_daily_change"],
                by=request.user,
                reason=d["reason"],
            )
            messages.success(request, _("The room's own limit is saved."))
            return redirect("environment:room_thresholds", room.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "environment/room_thresholds.html",
        {"room": room, "form": form, "limits": limits_for(room)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def room_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Place holdings in the room, many at once by call number."""
    room = _room(request, pk)
    require(request.user, "manage", room)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wanted = form.call_numbers()
        found = {
            h.call_number: h
            for h in Holding.objects.filter(institution=room.institution, call_number__in=wanted)
        }
        missing = [c for c in wanted if c not in found]
        if missing:
            form.add_error(
                "holdings",
                _("No holding of %(inst)s has the call number(s): %(list)s")
                % {"inst": room.institution, "list": "、".join(missing[:20])},
            )
        else:
            n = placements.assign(
                found.values(), room, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request, _("%(n)d holding(s) placed in %(room)s.") % {"n": n, "room": room}
            )
            return redirect(room)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "environment/room_assign.html", {"room": room, "form": form}, status=status
    )


def _sensor(request: HttpRequest, pk: int) -> Sensor:
    return get_object_or_404(
        Sensor.objects.visible_to(request.user).select_related("room__institution"), pk=pk
    )


@require_http_methods(["GET", "POST"])
def sensor_upload(request: HttpRequest, pk: int) -> HttpResponse:
    sensor = _sensor(request, pk)
    require(request.user, "manage", sensor.room)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.GUJI_MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than the upload limit."))
        else:
            sha256 = tasks.store_upload(upload)
            job = UploadJob(
                sensor=sensor,
                user=request.user,
                filename=upload.name.rsplit("/", 1)[-1][:255],
                sha256=sha256,
                format=form.cleaned_data["format"],
                result={
                    "language": translation.get_language() or settings.LANGUAGE_CODE,
                    "reason": form.cleaned_data["reason"],
                },
            )
            save_audited(job, by=request.user, reason=form.cleaned_data["reason"])
            transaction.on_commit(lambda: tasks.ingest_upload(job.pk))
            return redirect(job)
    uploads = sensor.uploads.select_related("user")[:20]
    status = 400 if request.method == "POST" else 200
    token = request.session.pop(f"sensor-token-{sensor.pk}", None)
    return render(
        request,
        "environment/sensor_upload.html",
        {"sensor": sensor, "form": form, "uploads": uploads, "token": token},
        status=status,
    )


@require_POST
def sensor_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new ingest token (shown once) or revoke the current one."""
    sensor = _sensor(request, pk)
    require(request.user, "manage", sensor.room)
    if request.POST.get("action") == "revoke":
        sensor.revoke_token()
        save_audited(sensor, by=request.user, reason=_("Ingest token revoked"))
        messages.success(request, _("The ingest token no longer works."))
    else:
        token = sensor.issue_token()
        save_audited(sensor, by=request.user, reason=_("New ingest token issued"))
        request.session[f"sensor-token-{sensor.pk}"] = token
    return redirect("environment:sensor_upload", sensor.pk)


def _job(request: HttpRequest, pk: int) -> UploadJob:
    job = get_object_or_404(UploadJob.objects.select_related("sensor__room", "user"), pk=pk)
    if not can(request.user, "view", job.sensor.room):
        raise Http404
    return job


def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    running = job.status in (UploadJob.Status.QUEUED, UploadJob.Status.RUNNING)
    return render(
        request,
        "environment/upload_detail.html",
        {"job": job, "running": running, "progress": _progress(job)},
    )


def _progress(job: UploadJob) -> dict:
    p = tasks.read_progress(job.pk) or {"phase": "queued", "done": 0, "total": 0}
    total = p["total"] or 0
    percent = int(100 * p["done"] / total) if total else 0
    if job.status not in (UploadJob.Status.QUEUED, UploadJob.Status.RUNNING):
        percent = 100
    return {**p, "percent": percent}


@require_GET
def upload_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": str(job.get_status_display()),
            "running": job.status in (UploadJob.Status.QUEUED, UploadJob.Status.RUNNING),
            **_progress(job),
        }
    )


def notification_list(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.filter(user=request.user)
    page = Paginator(notes, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    unread = [n.pk for n in page.object_list if n.read_at is None]
    response = render(request, "environment/notification_list.html", {"page": page})
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response
