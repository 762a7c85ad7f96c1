"""The project's URLs with every allauth account page routed, as a deployment before the fix had them.

Only for tests proving that even with those pages reachable, an address typed on an account does
not identify anybody.
"""

from django.urls import include, path

from backend import urls as project

urlpatterns = [path("accounts/", include("allauth.urls")), *project.urlpatterns]
handler400 = project.handler400
handler404 = project.handler404
handler500 = project.handler500
