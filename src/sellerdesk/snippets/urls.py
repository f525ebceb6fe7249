from django.urls import path

from sellerdesk.snippets import views

# Mounted at settings/snippets/ (admins); the composer's picker lives under tickets/.
urlpatterns = [
    path("", views.snippet_list, name="snippet_list"),
    path("new", views.snippet_edit, name="snippet_add"),
    path("<int:snippet_id>/", views.snippet_edit, name="snippet_edit"),
    path("<int:snippet_id>/retire", views.snippet_retire, name="snippet_retire"),
]
