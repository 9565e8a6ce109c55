"""The site's own login, logout and password change, for every role (the admin's login takes staff
only). Django's auth views, in the site's layout; `next` is followed only to this site
(LoginView checks it with url_has_allowed_host_and_scheme)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class SiteLoginView(auth_views.LoginView):
    """Every active user logs in here, staff or not. Kept a plain subclass so that a login throttle
    (a mixin keyed on the client address) can be put in front of it."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class SiteLogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or an image cannot log anyone out."""


class SitePasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class SitePasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
