"""Every URL of the project, for every role: the status each must get.

The URL list comes from the resolver, so a page added later without a line in ``EXPECTED``
fails ``test_every_url_has_an_expectation`` until its expectations are written down here.
"""

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from huey.contrib.djhuey import HUEY

from tests.guji.conftest import ROLE_USERS, Role

ROLES = ("anonymous", *ROLE_USERS)

# Whole prefixes tested on their own below, not walked: the admin (its own login and
# permissions) and i18n (set_language answers POST only).
SKIPPED_PREFIXES = ("admin/", "i18n/")

# (URL name, target, method) → expected status per role, in ROLES order. The target names the
# object in ``world`` whose keys fill the path (see PATH_KWARGS); None for URLs without one.
# 302 for anonymous means "to the login page"; other 302s must go where REDIRECTS says.
# fmt: off
EXPECTED: dict[tuple[str, str | None, str], tuple[int, ...]] = {
    #                                                 anon cat_a man_a cat_b rev  cons admin prov
    ("home", None, "get"):                            (302, 200, 200, 200, 200, 200, 200, 200),
    ("login", None, "get"):                           (200, 302, 302, 302, 302, 302, 302, 302),
    ("logout", None, "get"):                          (302, 405, 405, 405, 405, 405, 405, 405),
    ("logout", None, "post"):                         (302, 302, 302, 302, 302, 302, 302, 302),
    ("password_change", None, "get"):                 (302, 200, 200, 200, 200, 200, 200, 200),
    ("password_change_done", None, "get"):            (302, 200, 200, 200, 200, 200, 200, 200),
    ("lockout_list", None, "get"):                    (302, 403, 403, 403, 403, 403, 200, 403),
    ("lockout_lift", None, "get"):                    (302, 405, 405, 405, 405, 405, 405, 405),
    ("lockout_lift", None, "post"):                   (302, 403, 403, 403, 403, 403, 302, 403),
    ("institution_list", None, "get"):                (302, 200, 200, 200, 200, 200, 200, 200),
    ("institution_detail", "institution_a", "get"):   (302, 200, 200, 404, 200, 200, 200, 200),
    ("institution_detail", "institution_b", "get"):   (302, 404, 404, 200, 200, 200, 200, 200),
    # a manager edits the institution's details and its cataloguers
    ("institution_edit", "institution_a", "get"):     (302, 403, 200, 404, 403, 403, 200, 403),
    ("institution_edit", "institution_b", "get"):     (302, 404, 404, 403, 403, 403, 200, 403),
    ("cataloguer_grant", "institution_a", "get"):     (302, 405, 405, 405, 405, 405, 405, 405),
    ("cataloguer_grant", "institution_a", "post"):    (302, 403, 302, 404, 403, 403, 302, 403),
    ("cataloguer_revoke", "institution_a", "get"):    (302, 405, 405, 405, 405, 405, 405, 405),
    ("holding_list", None, "get"):                    (302, 200, 200, 200, 200, 200, 200, 200),
    ("holding_create", None, "get"):                  (302, 200, 200, 200, 403, 403, 200, 403),
    ("help", None, "get"):                            (302, 200, 200, 200, 200, 200, 200, 200),
    ("inbox", None, "get"):                           (302, 200, 200, 200, 200, 200, 200, 200),
    ("inbox_read", None, "get"):                      (302, 405, 405, 405, 405, 405, 405, 405),
    ("inbox_read", None, "post"):                     (302, 302, 302, 302, 302, 302, 302, 302),
    ("inbox_open", "institution_a", "get"):           (302, 404, 404, 404, 404, 404, 404, 404),
    # the list's export reads the same filters as the list: everyone exports what they see
    ("holding_export", None, "get"):                  (302, 200, 200, 200, 200, 200, 200, 200),
    ("holding_export_job", "institution_a", "get"):   (302, 200, 404, 404, 404, 404, 404, 404),
    ("holding_export_download", "institution_a", "get"):(302, 200, 404, 404, 404, 404, 404, 404),
    ("holding_export_retry", "institution_a", "post"):(302, 302, 404, 404, 404, 404, 404, 404),
    ("holding_bulk", None, "get"):                    (302, 405, 405, 405, 405, 405, 405, 405),
    ("saved_search_create", None, "get"):             (302, 405, 405, 405, 405, 405, 405, 405),
    ("saved_search_delete", "institution_a", "get"):  (302, 405, 405, 405, 405, 405, 405, 405),
    ("saved_search_delete", "institution_a", "post"): (302, 404, 404, 404, 404, 404, 404, 404),
    ("holding_detail", "holding_a", "get"):           (302, 200, 200, 404, 200, 200, 200, 200),
    ("holding_detail", "holding_b", "get"):           (302, 404, 404, 200, 200, 200, 200, 200),
    ("holding_edit", "holding_a", "get"):             (302, 200, 200, 404, 403, 403, 200, 403),
    ("holding_edit", "holding_b", "get"):             (302, 404, 404, 200, 403, 403, 200, 403),
    ("holding_timeline", "holding_a", "get"):         (302, 200, 200, 404, 200, 200, 200, 200),
    ("holding_timeline", "holding_b", "get"):         (302, 404, 404, 200, 200, 200, 200, 200),
    ("holding_print", "holding_a", "get"):            (302, 200, 200, 404, 200, 200, 200, 200),
    ("holding_print", "holding_b", "get"):            (302, 404, 404, 200, 200, 200, 200, 200),
    ("holding_delete", "holding_a", "get"):           (302, 405, 405, 405, 405, 405, 405, 405),
    ("holding_delete", "holding_b", "post"):          (302, 404, 404, 302, 403, 403, 302, 403),
    # deleted drafts: seen and restored by the managers of their institution
    ("deleted_list", None, "get"):                    (302, 403, 200, 403, 403, 403, 200, 403),
    ("holding_restore", "holding_a", "get"):          (302, 405, 405, 405, 405, 405, 405, 405),
    ("holding_restore", "holding_a", "post"):         (302, 404, 302, 404, 404, 404, 302, 404),
    # census workflow: campaigns (opened by the centre), submission, review, corrections
    ("census:campaign_list", None, "get"):            (302, 200, 200, 200, 200, 200, 200, 200),
    ("census:campaign_create", None, "get"):          (302, 403, 403, 403, 403, 403, 200, 403),
    ("census:campaign_detail", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("census:campaign_edit", "institution_a", "get"): (302, 403, 403, 404, 403, 403, 200, 403),
    ("census:review_queue", None, "get"):             (302, 403, 403, 403, 200, 403, 200, 403),
    ("census:review_batch", None, "get"):             (302, 405, 405, 405, 405, 405, 405, 405),
    ("census:review_batch", None, "post"):            (302, 403, 403, 403, 302, 403, 302, 403),
    ("census:submit_list", None, "get"):              (302, 200, 200, 200, 403, 403, 200, 403),
    ("census:returned_list", None, "get"):            (302, 200, 200, 200, 403, 403, 200, 403),
    ("census:correction_list", None, "get"):          (302, 200, 200, 200, 200, 403, 200, 403),
    ("census:holding_review", "holding_a", "get"):    (302, 403, 403, 404, 200, 403, 200, 403),
    ("census:holding_review", "holding_b", "get"):    (302, 404, 404, 403, 200, 403, 200, 403),
    ("census:holding_submit", "holding_a", "get"):    (302, 405, 405, 405, 405, 405, 405, 405),
    ("census:holding_correction", "holding_a", "get"): (302, 200, 200, 404, 200, 403, 200, 403),
    ("census:holding_correction", "holding_b", "get"): (302, 404, 404, 200, 200, 403, 200, 403),
    ("census:import_list", None, "get"):              (302, 200, 200, 200, 200, 200, 200, 200),
    ("census:import_template", None, "get"):          (302, 200, 200, 200, 200, 200, 200, 200),
    ("census:import_detail", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("census:import_detail", "institution_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("census:import_status", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("census:import_status", "institution_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("census:import_run", "institution_a", "get"):    (302, 405, 405, 405, 405, 405, 405, 405),
    ("census:import_retry", "institution_a", "get"):  (302, 405, 405, 405, 405, 405, 405, 405),
    # leaf photographs: added by the institution's cataloguers, seen by whoever sees the holding
    ("census:photo_upload", "holding_a", "get"):      (302, 200, 200, 404, 403, 403, 200, 403),
    ("census:photo_upload", "holding_b", "get"):      (302, 404, 404, 200, 403, 403, 200, 403),
    ("census:photo", "holding_a", "get"):             (302, 200, 200, 404, 200, 200, 200, 200),
    ("census:photo", "holding_b", "get"):             (302, 404, 404, 200, 200, 200, 200, 200),
    ("census:photo_delete", "holding_a", "get"):      (302, 405, 405, 405, 405, 405, 405, 405),
    ("census:submitted_photo", "holding_a", "get"):   (302, 200, 200, 404, 200, 200, 200, 200),
    ("census:submitted_photo", "holding_b", "get"):   (302, 404, 404, 200, 200, 200, 200, 200),
    # the registration catalogue: an export and its file belong to the user who asked for it
    ("census:catalogue", None, "get"):                (302, 200, 200, 200, 200, 200, 200, 200),
    ("census:catalogue_job", "institution_a", "get"): (302, 200, 404, 404, 404, 404, 404, 404),
    ("census:catalogue_download", "institution_a", "get"): (302, 200, 404, 404, 404, 404, 404, 404),
    # catalogue exchange: OAI-PMH is for anonymous harvesters (registered holdings only);
    # MARC/Dublin Core downloads and the IIIF manifests and viewer go with seeing the holding
    ("exchange:oai", None, "get"):                    (200, 200, 200, 200, 200, 200, 200, 200),
    ("exchange:oai", None, "post"):                   (200, 200, 200, 200, 200, 200, 200, 200),
    ("exchange:list_export", "institution_a", "get"): (302, 200, 200, 200, 200, 200, 200, 200),
    ("exchange:holding_export", "holding_a", "get"):  (302, 200, 200, 404, 200, 200, 200, 200),
    ("exchange:holding_export", "holding_b", "get"):  (302, 404, 404, 200, 200, 200, 200, 200),
    ("exchange:manifest", "holding_a", "get"):        (302, 200, 200, 404, 200, 200, 200, 200),
    ("exchange:manifest", "holding_b", "get"):        (302, 404, 404, 200, 200, 200, 200, 200),
    ("exchange:viewer", "holding_a", "get"):          (302, 200, 200, 404, 200, 200, 200, 200),
    ("exchange:viewer", "holding_b", "get"):          (302, 404, 404, 200, 200, 200, 200, 200),
    # storage environment: rooms seen with the institution; limits, placements, uploads and
    # acknowledgements by its manager; the ingest endpoint answers to a sensor token, not a login
    ("environment:room_list", None, "get"):           (302, 200, 200, 200, 200, 200, 200, 200),
    ("environment:room_create", None, "get"):         (302, 403, 200, 403, 403, 403, 200, 403),
    ("environment:sensor_create", "institution_a", "get"): (302, 403, 200, 404, 403, 403, 200, 403),
    ("environment:room_detail", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("environment:room_detail", "institution_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("environment:room_data", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("environment:room_excursions", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),  # noqa: E501
    ("environment:room_thresholds", "institution_a", "get"): (302, 403, 200, 404, 403, 403, 200, 403),  # noqa: E501
    ("environment:room_thresholds", "institution_b", "get"): (302, 404, 404, 403, 403, 403, 200, 403),  # noqa: E501
    ("environment:room_assign", "institution_a", "get"): (302, 403, 200, 404, 403, 403, 200, 403),
    ("environment:excursion_list", None, "get"):      (302, 200, 200, 200, 200, 200, 200, 200),
    ("environment:excursion_acknowledge", "institution_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),  # noqa: E501
    ("environment:compliance", None, "get"):          (302, 200, 200, 200, 200, 200, 200, 200),
    ("environment:shanben_at_risk", None, "get"):     (302, 200, 200, 200, 200, 200, 200, 200),
    ("environment:sensor_upload", "institution_a", "get"): (302, 403, 200, 404, 403, 403, 200, 403),
    ("environment:sensor_upload", "institution_b", "get"): (302, 404, 404, 403, 403, 403, 200, 403),
    ("environment:sensor_token", "institution_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),
    ("environment:upload_detail", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("environment:upload_status", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("environment:notification_list", None, "get"):   (302, 200, 200, 200, 200, 200, 200, 200),
    ("environment:api_ingest", "institution_a", "get"): (405, 405, 405, 405, 405, 405, 405, 405),
    ("environment:api_ingest", "institution_a", "post"): (401, 401, 401, 401, 401, 401, 401, 401),
    # the repair base: conservators and the centre administrator; institutions ask for repair
    # and see their holdings' assessments and plans. The plan is approved, assigned to
    # "conservator" (so he may log work but not accept it).
    ("conservation:my_work", None, "get"):            (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:queue", None, "get"):              (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:workload", None, "get"):           (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:workload_xlsx", None, "get"):      (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:request_repair", "holding_a", "get"): (302, 200, 200, 404, 403, 403, 200, 403),
    ("conservation:request_repair", "holding_b", "get"): (302, 404, 404, 200, 403, 403, 200, 403),
    ("conservation:assess", "holding_a", "get"):      (302, 403, 403, 404, 403, 200, 200, 403),
    ("conservation:assess", "holding_b", "get"):      (302, 404, 404, 403, 403, 200, 200, 403),
    ("conservation:plan_create", "holding_a", "get"): (302, 403, 403, 404, 403, 200, 200, 403),
    ("conservation:assessment", "holding_a", "get"):  (302, 200, 200, 404, 200, 200, 200, 200),
    ("conservation:assessment", "holding_b", "get"):  (302, 404, 404, 200, 200, 200, 200, 200),
    ("conservation:plan_detail", "holding_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("conservation:plan_detail", "holding_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("conservation:plan_edit", "holding_a", "get"):   (302, 403, 403, 404, 403, 200, 200, 403),
    ("conservation:plan_approve", "holding_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),
    ("conservation:plan_approve", "holding_a", "post"): (302, 403, 403, 404, 403, 403, 302, 403),
    ("conservation:plan_finish", "holding_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),
    ("conservation:log_add", "holding_a", "get"):     (302, 403, 403, 404, 403, 200, 200, 403),
    ("conservation:accept", "holding_a", "get"):      (302, 403, 403, 404, 403, 403, 200, 403),
    ("conservation:batch_list", None, "get"):         (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:batch_create", None, "get"):       (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:batch_detail", "institution_a", "get"): (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:batch_edit", "institution_a", "get"): (302, 403, 403, 403, 403, 200, 200, 403),
    ("conservation:image_upload", "holding_a", "get"): (302, 403, 403, 404, 403, 200, 200, 403),
    ("conservation:compare", "holding_a", "get"):     (302, 200, 200, 404, 200, 200, 200, 200),
    ("conservation:compare", "holding_b", "get"):     (302, 404, 404, 200, 200, 200, 200, 200),
    ("conservation:image", "holding_a", "get"):       (302, 200, 200, 404, 200, 200, 200, 200),
    ("conservation:image", "holding_b", "get"):       (302, 404, 404, 200, 200, 200, 200, 200),
    ("conservation:archive", "holding_a", "get"):     (302, 200, 200, 404, 200, 200, 200, 200),
    ("conservation:archive", "holding_b", "get"):     (302, 404, 404, 200, 200, 200, 200, 200),
    # an archive and its file belong to the user who asked for it (conservator here)
    ("conservation:archive_status", "holding_a", "get"): (302, 404, 404, 404, 404, 200, 404, 404),
    ("conservation:archive_download", "holding_a", "get"): (302, 404, 404, 404, 404, 200, 404, 404),
    # graded protection: institutions propose grades and apply; the centre decides and reviews
    ("protection:holding_grade", "holding_a", "get"): (302, 200, 200, 404, 403, 403, 200, 403),
    ("protection:holding_grade", "holding_b", "get"): (302, 404, 404, 200, 403, 403, 200, 403),
    ("protection:application_create", "holding_a", "get"): (302, 200, 200, 404, 403, 403, 200, 403),
    ("protection:application_create", "holding_b", "get"): (302, 404, 404, 200, 403, 403, 200, 403),
    ("protection:proposal_list", None, "get"):        (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:proposal_detail", "holding_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:proposal_detail", "holding_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("protection:bulk_grades", "institution_a", "get"): (302, 200, 200, 404, 403, 403, 200, 403),
    ("protection:bulk_grades", "institution_b", "get"): (302, 404, 404, 200, 403, 403, 200, 403),
    ("protection:list_index", None, "get"):           (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:list_index", None, "post"):          (302, 403, 403, 403, 400, 403, 400, 403),
    ("protection:list_detail", "institution_a", "get"): (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:list_detail", "institution_a", "post"): (302, 403, 403, 403, 400, 403, 400, 403),
    ("protection:application_list", None, "get"):     (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:application_detail", "holding_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:application_detail", "holding_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("protection:application_pdf", "holding_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:application_photo", "holding_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:keyunit_list", None, "get"):         (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:keyunit_create", None, "get"):       (302, 403, 200, 403, 403, 403, 200, 403),
    ("protection:keyunit_detail", "institution_a", "get"): (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:keyunit_detail", "institution_b", "get"): (302, 404, 404, 200, 200, 200, 200, 200),
    ("protection:keyunit_evidence", "institution_a", "get"):
        (302, 200, 200, 404, 200, 200, 200, 200),
    ("protection:statistics", None, "get"):           (302, 200, 200, 200, 200, 200, 200, 200),
    ("protection:statistics_export", None, "get"):    (302, 200, 200, 200, 200, 200, 200, 200),
    # storage supervision: the centre's reviewers inspect; the institution sees its own
    ("supervision:inspection_list", None, "get"):     (302, 200, 200, 200, 200, 200, 200, 200),
    ("supervision:inspection_create", None, "get"):   (302, 403, 403, 403, 200, 403, 200, 403),
    ("supervision:inspection_detail", "institution_a", "get"):
        (302, 200, 200, 404, 200, 200, 200, 200),
    ("supervision:inspection_detail", "institution_b", "get"):
        (302, 404, 404, 200, 200, 200, 200, 200),
    ("supervision:action_close", "institution_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),
    ("supervision:inspection_photo", "institution_a", "get"):
        (302, 200, 200, 404, 200, 200, 200, 200),
    # the read API: a token or a session; strangers get 401 (docs and the tokens page: login)
    ("api:api-root", None, "get"):                    (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:schema", None, "get"):                      (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:docs", None, "get"):                        (302, 200, 200, 200, 200, 200, 200, 200),
    ("api:holding-list", None, "get"):                (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:holding-list", None, "post"):               (401, 405, 405, 405, 405, 405, 405, 405),
    ("api:holding-detail", "holding_a", "get"):       (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:holding-detail", "holding_b", "get"):       (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:holding-detail", "holding_a", "delete"):    (401, 405, 405, 405, 405, 405, 405, 405),
    ("api:institution-list", None, "get"):            (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:institution-detail", "institution_a", "get"): (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:institution-detail", "institution_b", "get"): (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:grade-list", None, "get"):                  (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:grade-detail", "holding_a", "get"):         (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:census_entry-list", None, "get"):           (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:census_entry-detail", "holding_a", "get"):  (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:census_entry-detail", "holding_b", "get"):  (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:damage_assessment-list", None, "get"):      (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:damage_assessment-detail", "holding_a", "get"): (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:damage_assessment-detail", "holding_b", "get"): (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:repair-list", None, "get"):                 (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:repair-detail", "holding_a", "get"):        (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:repair-detail", "holding_b", "get"):        (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:room-list", None, "get"):                   (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:room-detail", "institution_a", "get"):      (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:room-detail", "institution_b", "get"):      (401, 404, 404, 200, 200, 200, 200, 200),
    ("api:daily_climate-list", None, "get"):          (401, 200, 200, 200, 200, 200, 200, 200),
    ("api:daily_climate-detail", "institution_a", "get"): (401, 200, 200, 404, 200, 200, 200, 200),
    ("api:daily_climate-detail", "institution_b", "get"): (401, 404, 404, 200, 200, 200, 200, 200),
    # API tokens: each user their own; the centre administrator revokes anyone's (with a reason)
    ("guji_api:token_list", None, "get"):             (302, 200, 200, 200, 200, 200, 200, 200),
    ("guji_api:token_create", None, "get"):           (302, 405, 405, 405, 405, 405, 405, 405),
    ("guji_api:token_create", None, "post"):          (302, 400, 400, 400, 400, 400, 400, 400),
    ("guji_api:token_revoke", "institution_a", "get"): (302, 405, 405, 405, 405, 405, 405, 405),
    ("guji_api:token_revoke", "institution_a", "post"): (302, 404, 404, 404, 404, 404, 302, 404),
    # period reports: the centre compiles and submits; the provincial viewer reads what was
    # submitted (target institution_a: a submitted report, institution_b: a draft)
    ("reports:list", None, "get"):                    (302, 403, 403, 403, 403, 403, 200, 200),
    ("reports:list", None, "post"):                   (302, 403, 403, 403, 403, 403, 400, 403),
    ("reports:detail", "institution_a", "get"):       (302, 403, 403, 403, 403, 403, 200, 200),
    ("reports:detail", "institution_b", "get"):       (302, 403, 403, 403, 403, 403, 200, 404),
    ("reports:status", "institution_a", "get"):       (302, 403, 403, 403, 403, 403, 200, 200),
    ("reports:status", "institution_b", "get"):       (302, 403, 403, 403, 403, 403, 200, 404),
    ("reports:compile", "institution_a", "get"):      (302, 405, 405, 405, 405, 405, 405, 405),
    ("reports:compile", "institution_a", "post"):     (302, 403, 403, 403, 403, 403, 302, 403),
    ("reports:compile", "institution_b", "post"):     (302, 403, 403, 403, 403, 403, 302, 404),
    ("reports:submit", "institution_a", "get"):       (302, 405, 405, 405, 405, 405, 405, 405),
    ("reports:submit", "institution_a", "post"):      (302, 403, 403, 403, 403, 403, 302, 403),
    ("reports:submit", "institution_b", "post"):      (302, 403, 403, 403, 403, 403, 302, 404),
    ("reports:pdf", "institution_a", "get"):          (302, 403, 403, 403, 403, 403, 200, 200),
    ("reports:pdf", "institution_b", "get"):          (302, 403, 403, 403, 403, 403, 200, 404),
    ("reports:xlsx", "institution_a", "get"):         (302, 403, 403, 403, 403, 403, 200, 200),
    ("reports:xlsx", "institution_b", "get"):         (302, 403, 403, 403, 403, 403, 200, 404),
    # statistics: everyone counts the holdings they may see
    ("statistics:index", None, "get"):                (302, 200, 200, 200, 200, 200, 200, 200),
}
# fmt: on

# Where a signed-in user's 302 must lead, by URL name.
REDIRECTS = {
    "login": "home",
    "logout": "login",
    "census:review_batch": "census:review_queue",
    "holding_delete": "holding_detail",  # no reason given: back to the record, nothing deleted
    "holding_restore": "deleted_list",  # no reason given: back to the list, nothing restored
    "inbox_read": "inbox",
    "cataloguer_grant": "institution_detail",  # nothing chosen: back to the institution
    "lockout_lift": "lockout_list",
    "conservation:plan_approve": "conservation:plan_detail",
    "holding_export_retry": "holding_export_job",  # not failed: back to the job's page
    "guji_api:token_revoke": "guji_api:token_list",  # no reason given: nothing revoked
    "reports:compile": "reports:detail",  # a submitted report: refused with a message
    "reports:submit": "reports:detail",  # no note given: back to the report, nothing submitted
}
# Redirects to a page of the target itself (REDIRECTS names the URL, the target fills it).
REDIRECT_TO_TARGET = {
    "holding_delete",
    "cataloguer_grant",
    "holding_export_retry",
    "reports:compile",
    "reports:submit",
}


# How a target fills a URL's path; URLs not listed take {"pk": target.pk}.
def _campaign_of(institution) -> dict:
    """A census campaign with ``institution`` alone taking part (made inside the test)."""
    from tests.census.workflow_factories import make_campaign

    return {"pk": make_campaign(institution).pk}


def _import_job_at(institution) -> dict:
    """A finished spreadsheet import at ``institution`` (made inside the test); POSTs to
    import_run are tested in tests/census/test_import_views.py."""
    from census.models import ImportJob
    from tests.factories import make_user

    job = ImportJob.objects.create(
        institution=institution,
        user=make_user(),
        filename="h.xlsx",
        sha256="0" * 64,
        status=ImportJob.Status.DONE,
    )
    return {"pk": job.pk}


def _photo_of(holding) -> dict:
    """A leaf photograph of ``holding``, its files in the test's MEDIA_ROOT (see _media)."""
    from census.models import LeafPhoto
    from census.photos import add_leaf_photos
    from tests.census.test_photos import image_file
    from tests.factories import make_user

    cataloguer = make_user(Role.CATALOGUER, holding.institution)
    HUEY.immediate = True  # the worker makes the thumbnail as the photograph is added
    try:
        (photo,) = add_leaf_photos(
            holding, uploads=[image_file()], kind=LeafPhoto.Kind.SEAL, by=cataloguer, reason="测试"
        )
    finally:
        HUEY.immediate = False
    return {"pk": photo.pk, "variant": "thumbnail"}


def _submitted_photo_of(holding) -> dict:
    """A photograph of ``holding`` as it was submitted for review."""
    from census.models import SubmittedPhoto
    from census.services import submit_entries
    from tests.factories import make_user

    _photo_of(holding)
    submit_entries([holding], by=make_user(Role.CATALOGUER, holding.institution))
    return {
        "pk": SubmittedPhoto.objects.get(round__entry__holding=holding).pk,
        "variant": "preview",
    }


def _photo_pk_of(holding) -> dict:
    return {"pk": _photo_of(holding)["pk"]}


def _export_by_cataloguer_a(institution) -> dict:
    """A finished catalogue export of ``institution`` asked for by cataloguer_a."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from census.models import ExportJob
    from guji.models import User

    job = ExportJob.objects.create(
        user=User.objects.get(username="cataloguer_a"),
        scope=ExportJob.Scope.INSTITUTION,
        institution=institution,
        format=ExportJob.Format.PDF,
        status=ExportJob.Status.DONE,
        filename="目录.pdf",
        result=default_storage.save("exports/test/catalogue.pdf", ContentFile(b"%PDF-")),
    )
    return {"pk": job.pk}


def _list_export_by_cataloguer_a(_target) -> dict:
    """A finished holdings-list export asked for by cataloguer_a."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from guji.models import ListExportJob, User

    job = ListExportJob.objects.create(
        user=User.objects.get(username="cataloguer_a"),
        status="done",
        download_name="holdings.xlsx",
        result=default_storage.save("jobs/test/holdings.xlsx", ContentFile(b"PK")),
    )
    return {"pk": job.pk}


def _saved_search_of_someone_else(_target) -> dict:
    """A saved search belonging to a user none of the roles is: no one else may delete it."""
    from guji.models import SavedSearch
    from tests.factories import make_user

    return {"pk": SavedSearch.objects.create(user=make_user(), name="清刻本", query="q=清").pk}


def _deleted_draft_at(holding) -> dict:
    """A draft of ``holding``'s institution, deleted (made inside the test)."""
    from guji.models import Holding
    from guji.services import delete_draft
    from tests.factories import make_holding

    draft = make_holding(holding.institution)
    delete_draft(draft, by=None, reason="测试删除")
    version = Holding.history.filter(id=draft.pk, history_type="-").get()
    return {"history_id": version.history_id}


def _message_to_someone_else(_target) -> dict:
    """A notification to a user none of the roles is: no one else may open it."""
    from guji.notifications import notify
    from tests.factories import make_user

    return {"pk": notify(make_user(), "别人的消息").pk}


def _cataloguer_role_at(institution) -> dict:
    from guji.models import RoleAssignment

    role = RoleAssignment.objects.filter(institution=institution, role="cataloguer").first()
    return {"pk": institution.pk, "assignment": role.pk}


def _room_at(institution) -> dict:
    from tests.environment.factories import make_room

    return {"pk": make_room(institution).pk}


def _sensor_at(institution) -> dict:
    from tests.environment.factories import make_room, make_sensor

    return {"pk": make_sensor(make_room(institution)).pk}


def _excursion_at(institution) -> dict:
    from datetime import UTC, datetime

    from environment.models import Excursion
    from tests.environment.factories import make_room, make_sensor

    sensor = make_sensor(make_room(institution))
    when = datetime(2025, 3, 1, tzinfo=UTC)
    excursion = Excursion.objects.create(
        room=sensor.room, sensor=sensor, parameter="rh", start=when, end=when, peak=70, limit=60
    )
    return {"pk": excursion.pk}


def _upload_at(institution) -> dict:
    from environment.models import UploadJob
    from tests.environment.factories import make_room, make_sensor
    from tests.factories import make_user

    sensor = make_sensor(make_room(institution))
    job = UploadJob.objects.create(
        sensor=sensor,
        user=make_user(),
        filename="hobo.csv",
        sha256="0" * 64,
        status=UploadJob.Status.DONE,
    )
    return {"pk": job.pk}


def _sensor_code_at(institution) -> dict:
    from tests.environment.factories import make_room, make_sensor

    return {"code": make_sensor(make_room(institution)).code}


def _assessment_of(holding) -> dict:
    from conservation.models import DamageType
    from conservation.services import create_assessment
    from guji.models import User

    found = [{"damage_type": DamageType.objects.get(code="chongzhu")}]
    by = User.objects.get(username="conservator")
    return {"pk": create_assessment(holding, findings=found, by=by).pk}


def _plan_of(holding) -> dict:
    """An approved repair plan of ``holding`` with "conservator" assigned."""
    from conservation.models import RepairPlan
    from conservation.services import approve_plan, create_plan
    from guji.models import User

    plan = create_plan(
        holding,
        data={"condition_summary": "虫蛀", "goals": "补破", "estimated_hours": 10},
        operations=[],
        conservators=[User.objects.get(username="conservator")],
        by=User.objects.get(username="centre_admin"),
    )
    approve_plan(plan, by=User.objects.get(username="centre_admin"))
    return {"pk": RepairPlan.objects.get(pk=plan.pk).pk}


def _batch(_institution) -> dict:
    import datetime

    from conservation.models import MaterialBatch

    batch = MaterialBatch.objects.create(
        kind="paper", name="竹纸", batch_code="T-1", received_on=datetime.date(2026, 1, 1),
        quantity=100, remaining=100, unit="张",
    )  # fmt: skip
    return {"pk": batch.pk}


def _image_of(holding) -> dict:
    """A photograph on an approved plan of ``holding`` (files in the test's MEDIA_ROOT)."""
    from conservation.images import add_images
    from conservation.models import RepairPlan
    from guji.models import User
    from tests.conservation.images import leaf_photo

    plan = RepairPlan.objects.get(pk=_plan_of(holding)["pk"])
    by = User.objects.get(username="conservator")
    (image,) = add_images(plan, uploads=[leaf_photo("1-1.jpg")], kind="before", by=by)
    return {"pk": image.pk, "variant": "thumbnail"}


def _archive_of(holding) -> dict:
    """A finished archive of a plan of ``holding``, asked for by "conservator"."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from conservation.models import ArchiveJob
    from guji.models import User

    job = ArchiveJob.objects.create(
        user=User.objects.get(username="conservator"),
        plan_id=_plan_of(holding)["pk"],
        status=ArchiveJob.State.DONE,
        result=default_storage.save("jobs/test/archive.pdf", ContentFile(b"%PDF-")),
    )
    return {"pk": job.pk}


def _manifest_of(holding) -> dict:
    """The leaf-photograph manifest of ``holding`` (one photograph made inside the test)."""
    _photo_of(holding)
    return {"pk": holding.pk, "key": "leaf-photos"}


def _census_entry_of(holding) -> dict:
    from census.models import CensusEntry

    return {"pk": CensusEntry.objects.create(holding=holding, institution=holding.institution).pk}


def _rollup_at(institution) -> dict:
    import datetime

    from environment.models import DailyRollup
    from tests.environment.factories import make_room, make_sensor

    sensor = make_sensor(make_room(institution))
    return {"pk": DailyRollup.objects.create(sensor=sensor, day=datetime.date(2025, 3, 1)).pk}


def _token_of_someone_else(_target) -> dict:
    """An API token of a user none of the roles is: only the centre administrator revokes it."""
    from guji.api.tokens import issue_token
    from tests.factories import make_user

    owner = make_user()
    return {"pk": issue_token(owner, name="别人的令牌", by=owner)[0].pk}


def _report_for(institution) -> dict:
    """A compiled report: submitted for institution_a's tests, a draft for institution_b's."""
    from django.core.files.base import ContentFile

    from guji.reports.models import Report

    submitted = institution.name == "甲图书馆"
    report = Report(year=2024 if submitted else 2025)
    report.save()
    report.pdf.save("r.pdf", ContentFile(b"%PDF-"), save=False)
    report.xlsx.save("r.xlsx", ContentFile(b"PK"), save=False)
    if submitted:
        report.status = Report.Status.SUBMITTED
    report.save()
    return {"pk": report.pk}


def _pk_of(make: str) -> Callable[[object], dict]:
    """A row made by ``tests.protection.factories.<make>(target)``, inside the test."""

    def kwargs(target) -> dict:
        from tests.protection import factories

        return {"pk": getattr(factories, make)(target).pk}

    return kwargs


PATH_KWARGS: dict[str, Callable[[object], dict]] = {
    "api:grade-detail": lambda _target: {"code": "1A"},
    "api:census_entry-detail": _census_entry_of,
    "api:damage_assessment-detail": _assessment_of,
    "api:repair-detail": _plan_of,
    "api:room-detail": _room_at,
    "api:daily_climate-detail": _rollup_at,
    "guji_api:token_revoke": _token_of_someone_else,
    "cataloguer_revoke": _cataloguer_role_at,
    "inbox_open": _message_to_someone_else,
    "holding_restore": _deleted_draft_at,
    "saved_search_delete": _saved_search_of_someone_else,
    "census:photo": _photo_of,
    "exchange:list_export": lambda _institution: {"fmt": "marc21-xml"},
    "exchange:holding_export": lambda holding: {"pk": holding.pk, "fmt": "cnmarc"},
    "exchange:manifest": _manifest_of,
    "census:submitted_photo": _submitted_photo_of,
    "environment:room_detail": _room_at,
    "environment:room_data": _room_at,
    "environment:room_excursions": _room_at,
    "environment:room_thresholds": _room_at,
    "environment:room_assign": _room_at,
    "environment:sensor_create": _room_at,
    "environment:excursion_acknowledge": _excursion_at,
    "environment:sensor_upload": _sensor_at,
    "environment:sensor_token": _sensor_at,
    "environment:upload_detail": _upload_at,
    "environment:upload_status": _upload_at,
    "environment:api_ingest": _sensor_code_at,
    "census:photo_delete": _photo_pk_of,
    "holding_export_job": _list_export_by_cataloguer_a,
    "holding_export_download": _list_export_by_cataloguer_a,
    "holding_export_retry": _list_export_by_cataloguer_a,
    "census:catalogue_job": _export_by_cataloguer_a,
    "census:catalogue_download": _export_by_cataloguer_a,
    "census:campaign_detail": _campaign_of,
    "census:campaign_edit": _campaign_of,
    "census:import_detail": _import_job_at,
    "census:import_status": _import_job_at,
    "census:import_run": _import_job_at,
    "census:import_retry": _import_job_at,
    "conservation:image_upload": _plan_of,
    "conservation:compare": _plan_of,
    "conservation:archive": _plan_of,
    "conservation:image": _image_of,
    "conservation:archive_status": _archive_of,
    "conservation:archive_download": _archive_of,
    "conservation:assessment": _assessment_of,
    "conservation:plan_detail": _plan_of,
    "conservation:plan_edit": _plan_of,
    "conservation:plan_approve": _plan_of,
    "conservation:plan_finish": _plan_of,
    "conservation:log_add": _plan_of,
    "conservation:accept": _plan_of,
    "conservation:batch_detail": _batch,
    "conservation:batch_edit": _batch,
    "protection:proposal_detail": _pk_of("make_proposal"),
    "protection:list_detail": _pk_of("make_list"),
    "protection:application_detail": _pk_of("make_application"),
    "protection:application_pdf": _pk_of("make_application"),
    "protection:application_photo": _pk_of("make_application_photo"),
    "protection:keyunit_detail": _pk_of("make_assessment"),
    "protection:keyunit_evidence": _pk_of("make_evidence"),
    "supervision:inspection_detail": _pk_of("make_inspection"),
    **{
        f"reports:{name}": _report_for
        for name in ("detail", "status", "compile", "submit", "pdf", "xlsx")
    },
    "supervision:action_close": _pk_of("make_action"),
    "supervision:inspection_photo": _pk_of("make_inspection_photo"),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded and exported files go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """Yield (qualified URL name, route) for every pattern, descending into includes."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, route, ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else "", route)


def test_every_url_has_an_expectation():
    covered = {name for name, _target, _method in EXPECTED}
    unnamed = [route for name, route in _walk(get_resolver().url_patterns) if not name]
    missing = sorted(
        f"{name} ({route})"
        for name, route in _walk(get_resolver().url_patterns)
        if name and name not in covered
    )
    assert not unnamed, f"Give these URL patterns a name so they can be tested: {unnamed}"
    assert not missing, (
        "These URLs have no expected statuses. Add a line per target to EXPECTED in "
        f"tests/guji/test_url_access.py (and PATH_KWARGS if the path is not <pk>): {missing}"
    )


def test_expectations_name_only_existing_urls():
    known = {name for name, _route in _walk(get_resolver().url_patterns)}
    stale = sorted({name for name, _t, _m in EXPECTED} - known)
    assert not stale, f"EXPECTED lists URLs the project no longer has: {stale}"


def _cases():
    for (name, target, method), statuses in EXPECTED.items():
        assert len(statuses) == len(ROLES), f"{name}: one status per role"
        for role, status in zip(ROLES, statuses, strict=True):
            label = f"{role}-{method}-{name}" + (f"-{target}" if target else "")
            yield pytest.param(role, name, target, method, status, id=label)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "name", "target", "method", "expected"), list(_cases()))
def test_each_role_gets_the_expected_status(world, client, role, name, target, method, expected):
    if role != "anonymous":
        client.force_login(world.users[role])
    kwargs = {}
    if target is not None:
        obj = getattr(world, target)
        kwargs = PATH_KWARGS.get(name, lambda o: {"pk": o.pk})(obj)
    url = reverse(name, kwargs=kwargs)

    response = getattr(client, method)(url)

    assert response.status_code == expected, f"{role} {method.upper()} {url}"
    # Every page carries the Content-Security-Policy; a signed-in user's pages are never cached.
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy, url
    assert "unsafe-inline" not in policy, url
    if role != "anonymous":
        assert "no-store" in response.get("Cache-Control", ""), url
        assert "private" in response["Cache-Control"], url
    if expected == 302:
        goes_to = urlsplit(response["Location"]).path
        if role == "anonymous":
            assert goes_to == reverse("login"), f"{url} must send strangers to the login page"
        elif name in REDIRECT_TO_TARGET:
            assert goes_to == reverse(REDIRECTS[name], kwargs=kwargs)
        else:
            target_kwargs = kwargs if name == "conservation:plan_approve" else {}
            assert goes_to == reverse(REDIRECTS[name], kwargs=target_kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_the_centre_administrator_opens_the_admin(world, client, role):
    if role != "anonymous":
        client.force_login(world.users[role])

    response = client.get(reverse("admin:index"))

    if role == "centre_admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("admin:login")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "cataloguer_a"])
def test_anyone_can_switch_the_language_by_post(world, client, role):
    if role != "anonymous":
        client.force_login(world.users[role])

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response.cookies["django_language"].value == "en"
