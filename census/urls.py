from census.urls_exports import urlpatterns as export_urls
from census.urls_imports import urlpatterns as import_urls
from census.urls_workflow import urlpatterns as workflow_urls

app_name = "census"
urlpatterns = [*workflow_urls, *import_urls, *export_urls]
