"""The built-in **demo bot** (embedded demo only): a tiny bot speaking our generic webhook protocol,
served by the app itself at ``/demo/bot/`` and connected to the demo organisation's website chat.

It shows the whole handover without an external service: it answers a few questions in English,
French and Dutch, and asks for a person when the visitor writes "human", "agent", "personne",
"mens"… (an invoice question goes to the Billing skill). It is also a reference for bot authors:
it checks our signature exactly as docs/bots.md describes. Outside demo mode it does not exist (404).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Chatbot
from .protocols import verify

DEMO_BOT_NAME = "Demo bot (built in)"
PATH = "/demo/bot/"

HANDOVER_WORDS = re.compile(r"\b(human|agent|person|people|someone|personne|humain|conseiller|mens|medewerker|"
                            r"iemand)\b", re.IGNORECASE)
BILLING_WORDS = re.compile(r"\b(invoice|bill|billing|refund|facture|remboursement|factuur|rekening)\b", re.IGNORECASE)
HOURS_WORDS = re.compile(r"\b(hours|open|opening|heures|horaires|ouvert|uren|open|openingsuren)\b", re.IGNORECASE)
DELIVERY_WORDS = re.compile(r"\b(delivery|parcel|order|livraison|colis|commande|levering|pakket|bestelling)\b",
                            re.IGNORECASE)

TEXTS = {
    "hello": {
        "en": "Hello! I am the demo bot. Ask me about our opening hours or a delivery, or write \"human\" "
              "to talk to a person.",
        "fr": "Bonjour ! Je suis le bot de démonstration. Posez-moi une question sur nos heures d'ouverture ou une "
              "livraison, ou écrivez « personne » pour parler à quelqu'un.",
        "nl": "Hallo! Ik ben de demobot. Vraag me naar onze openingsuren of een levering, of schrijf \"mens\" "
              "om met iemand te praten.",
    },
    "hours": {
        "en": "We answer Monday to Friday 8:30–18:00 and Saturday 9:00–12:00.",
        "fr": "Nous répondons du lundi au vendredi de 8 h 30 à 18 h et le samedi de 9 h à 12 h.",
        "nl": "We antwoorden van maandag tot vrijdag van 8.30 tot 18 uur en op zaterdag van 9 tot 12 uur.",
    },
    "delivery": {
        "en": "Orders leave our warehouse within 24 hours and arrive in 1 to 3 working days.",
        "fr": "Les commandes quittent notre entrepôt sous 24 heures et arrivent en 1 à 3 jours ouvrables.",
        "nl": "Bestellingen verlaten ons magazijn binnen 24 uur en komen binnen 1 tot 3 werkdagen aan.",
    },
    "handover": {
        "en": "I am passing you to a colleague; one moment please.",
        "fr": "Je vous passe un collègue, un instant s'il vous plaît.",
        "nl": "Ik geef u door aan een collega, een ogenblik geduld.",
    },
}


def answer_for(text: str, language: str) -> dict:
    """The demo bot's whole brain: a few keywords, in three languages."""
    lang = language[:2] if language[:2] in ("en", "fr", "nl") else "en"
    if BILLING_WORDS.search(text):
        return {"replies": [{"text": TEXTS["handover"][lang]}], "handover": {"skill": "Billing"}}
    if HANDOVER_WORDS.search(text):
        return {"replies": [{"text": TEXTS["handover"][lang]}], "handover": {}}
    if HOURS_WORDS.search(text):
        return {"replies": [{"text": TEXTS["hours"][lang]}]}
    if DELIVERY_WORDS.search(text):
        return {"replies": [{"text": TEXTS["delivery"][lang]}]}
    return {"replies": [{"text": TEXTS["hello"][lang]}]}


@csrf_exempt
@require_POST
def demo_bot(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO or settings.PRODUCTION:
        raise Http404
    raw = request.body
    try:
        payload = json.loads(raw)
        bot_id = int(payload["bot"])
        text = str(payload["message"]["text"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "not the #Interact bot protocol"}, status=400)
    bot = Chatbot.objects.filter(pk=bot_id, endpoint_url__endswith=PATH).first()
    if bot is None or not verify(bot.secret, request.headers.get("X-Interact-Timestamp"),
                                 request.headers.get("X-Interact-Signature"), raw):
        return JsonResponse({"error": "bad signature"}, status=401)
    language = (payload.get("visitor") or {}).get("language") or (payload.get("conversation") or {}).get(
        "language") or ""
    return JsonResponse(answer_for(text, str(language)))


def connect_demo_bot(organisation, channel, by) -> Chatbot | None:
    """Connect the demo bot to the demo website chat (demo data only)."""
    from interact.core.errors import ServiceError

    from . import services

    try:
        return services.connect(organisation, services.BotData(
            channel.pk, DEMO_BOT_NAME, "webhook", settings.PUBLIC_URL + PATH, 5), by).bot
    except ServiceError:  # e.g. demo mode off: private addresses refused
        return None
