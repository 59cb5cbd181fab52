from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from interact.bots import demo as bots_demo
from interact.connectors import views as connector_views
from interact.core import views as core_views
from interact.core.api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.switch_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    path("accounts/", include("interact.accounts.urls")),
    path("operator/", include("interact.accounts.operator_urls")),
    path("portal/", include("interact.admin_portal.urls")),
    path("portal/channels/", include("interact.connectors.urls")),
    path("portal/bots/", include("interact.bots.urls")),
    path("portal/stats/", include("interact.stats.urls")),  # statistics dashboard (STA-1..3)
    path("portal/privacy/", include("interact.privacy.urls")),  # privacy centre (PRV-2..7)
    path("operator/privacy/", include("interact.privacy.operator_urls")),
    path("privacy/", include("interact.privacy.public_urls")),  # the person's identity link (PRV-2)
    path("demo/bot/", bots_demo.demo_bot, name="demo_bot"),  # the built-in demo bot (demo mode only, BOT-3)
    path("demo/site/", include("interact.widget.urls")),
    path("webhooks/facebook/<str:webhook_key>/", connector_views.facebook_webhook, name="facebook_webhook"),
    path("portal/", include("interact.conversations.urls")),  # inbox/ and history/ (CNV-1..9)
]

handler403 = "interact.core.views.forbidden"
handler404 = "interact.core.views.not_found"
handler500 = "interact.core.views.server_error"
