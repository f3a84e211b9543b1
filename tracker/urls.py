from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from languages.patterns import other_spellings
from recommendations import views
from recommendations.forms import EmailAuthenticationForm, TrackerPasswordChangeForm, TrackerSetPasswordForm
from recommendations.views.accounts import ThrottledPasswordResetView
from tracker.favicon import favicon

admin.site.site_header = _("Migration & development tracker — administration")
admin.site.site_title = _("Tracker admin")
admin.site.index_title = _("Items, themes, instruments and actors")

# The machine contract has no language prefix: the API, /healthz, /favicon.ico and the open-data files (the API's
# tokens page and the /data/ page are prefixed inside their apps, languages/patterns.py), the switcher's link and
# Django's set_language.
urlpatterns = [
    path("", include("api.urls")),
    path("", include("opendata.urls")),
    path("", include("languages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

# The pages, in English at their addresses and in the other languages under /fr/, /es/, /ru/, /zh-hans/, /ar/.
# Exports among them (CSV, XLSX, JSON, charts, feeds) answer under both, the same file.
urlpatterns += i18n_patterns(
    path("", include("recommendations.urls")),
    path("", include("atlas.urls")),
    path("", include("alerts.urls")),
    path("", include("participation.urls")),
    path("", include("bulk.urls")),
    path("", include("import_jobs.urls")),
    # Django's account views, the password reset throttled (it comes first, so it wins the URL).
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    # Log in with the email address; after choosing a password (an invitation's link) you are logged in.
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm), name="login"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=TrackerSetPasswordForm,
            post_reset_login=True,
            post_reset_login_backend="recommendations.backends.EmailOrUsernameBackend",
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=TrackerPasswordChangeForm),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

# Last, so it shadows no page: /zh/…, /zh-CN/…, /fr-ca/…, /en/… redirect to our spelling of their language.
urlpatterns.append(other_spellings())

# Error pages in the site's layout, offering search (templates/404.html, 403.html, 400.html, 500.html).
handler404 = "recommendations.views.errors.not_found"
