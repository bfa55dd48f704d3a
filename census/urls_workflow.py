from django.urls import path

from census import views_workflow as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/batch/", views.review_batch, name="review_batch"),
    path("submit/", views.submit_list, name="submit_list"),
    path("returned/", views.returned_list, name="returned_list"),
    path("corrections/", views.correction_list, name="correction_list"),
    path("holdings/<int:pk>/review/", views.holding_review, name="holding_review"),
    path("holdings/<int:pk>/submit/", views.holding_submit, name="holding_submit"),
    path("holdings/<int:pk>/correction/", views.holding_correction, name="holding_correction"),
]
