from django.urls import path

from census.views import exports, imports, workflow

app_name = "census"
urlpatterns = [
    path("campaigns/", workflow.campaign_list, name="campaign_list"),
    path("campaigns/new/", workflow.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", workflow.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", workflow.campaign_edit, name="campaign_edit"),
    path("review/", workflow.review_queue, name="review_queue"),
    path("review/batch/", workflow.review_batch, name="review_batch"),
    path("submit/", workflow.submit_list, name="submit_list"),
    path("returned/", workflow.returned_list, name="returned_list"),
    path("corrections/", workflow.correction_list, name="correction_list"),
    path("holdings/<int:pk>/review/", workflow.holding_review, name="holding_review"),
    path("holdings/<int:pk>/submit/", workflow.holding_submit, name="holding_submit"),
    path("holdings/<int:pk>/correction/", workflow.holding_correction, name="holding_correction"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/template.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", imports.import_status, name="import_status"),
    path("imports/<int:pk>/run/", imports.import_run, name="import_run"),
    path("imports/<int:pk>/retry/", imports.import_retry, name="import_retry"),
    path("holdings/<int:pk>/photos/", exports.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/delete/", exports.photo_delete, name="photo_delete"),
    path("photos/<int:pk>/<slug:variant>/", exports.photo, name="photo"),
    path(
        "submitted-photos/<int:pk>/<slug:variant>/",
        exports.submitted_photo,
        name="submitted_photo",
    ),
    path("catalogue/", exports.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", exports.catalogue_job, name="catalogue_job"),
    path("catalogue/<int:pk>/download/", exports.catalogue_download, name="catalogue_download"),
]
