from django.urls import path

from recognition.leaderboard import views as leaderboard_views
from recognition.notes import views as notes_views

app_name = "recognition"

urlpatterns = [
    path("portal/notes/", notes_views.notes, name="notes"),
    path("c/<slug:slug>/hosts/", leaderboard_views.leaderboard, name="leaderboard"),
]
