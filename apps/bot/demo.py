"""The demo workspace's bot (``manage.py seed_demo``): a small knowledge base of the demo shop
in English and Turkish, and the bot on while no operator is online, so that a newcomer who
chats on the demo page alone gets answers, and one with the inbox open answers in person.
Made once: an admin's later changes and deletions are kept."""

import json

from apps.bot import services
from apps.bot.models import BotSettings, Entry

ENTRIES = [
    {
        "id": "delivery-time",
        "question_en": "How long does delivery take?",
        "variants_en": ["When will my order arrive?", "How many days is shipping?"],
        "answer_en": "Orders ship within 1-2 working days and arrive 1-3 working days later "
        "in Turkey. The tracking link is in the shipping email.",
        "question_tr": "Kargo ne zaman gelir?",
        "variants_tr": ["Siparişim kaç günde elime ulaşır?", "Teslimat süresi ne kadar?"],
        "answer_tr": "Siparişler 1-2 iş günü içinde kargoya verilir, Türkiye içinde 1-3 iş "
        "günü içinde ulaşır. Takip bağlantısı kargo e-postasındadır.",
        "tags": ["delivery"],
    },
    {
        "id": "delivery-cost",
        "question_en": "How much is shipping?",
        "variants_en": ["Is delivery free?", "Do you charge for shipping?"],
        "answer_en": "Shipping is free from 750 TL; below that it is 49 TL.",
        "question_tr": "Kargo ücreti ne kadar?",
        "variants_tr": ["Kargo ücretsiz mi?", "Kaç liradan sonra kargo bedava?"],
        "answer_tr": "750 TL ve üzeri siparişlerde kargo ücretsizdir; altında 49 TL'dir.",
        "tags": ["delivery"],
    },
    {
        "id": "returns",
        "question_en": "How do I return an item?",
        "variants_en": ["Can I send something back?", "What is your return policy?"],
        "answer_en": "You can return unworn items within 30 days. Start the return at "
        "https://shop.example/returns and the courier picks it up for free.",
        "question_tr": "Ürünü nasıl iade ederim?",
        "variants_tr": ["İade koşullarınız neler?", "Aldığım ürünü geri gönderebilir miyim?"],
        "answer_tr": "Giyilmemiş ürünleri 30 gün içinde iade edebilirsiniz. İadeyi "
        "https://shop.example/iade adresinden başlatın, kargo ücretsiz alır.",
        "tags": ["returns"],
    },
    {
        "id": "exchange",
        "question_en": "Can I exchange a shirt for another size?",
        "variants_en": ["The size is wrong, can I swap it?"],
        "answer_en": "Yes: start a return at https://shop.example/returns, choose "
        '"exchange" and the new size; it ships as soon as the first one is on its way back.',
        "question_tr": "Gömleği başka bir bedenle değiştirebilir miyim?",
        "variants_tr": ["Beden olmadı, değişim yapabilir miyim?"],
        "answer_tr": 'Evet: https://shop.example/iade adresinden "değişim"i ve yeni bedeni '
        "seçin; ilk ürün yola çıkınca yenisi kargoya verilir.",
        "tags": ["returns"],
    },
    {
        "id": "sizes",
        "question_en": "How do the sizes fit?",
        "variants_en": ["Which size should I take?", "Is there a size chart?"],
        "answer_en": "Our linen shirts have a relaxed fit: take your usual size, or one size "
        "down for a closer fit. The size chart is under each product's photos.",
        "question_tr": "Bedenler nasıl kalıp?",
        "variants_tr": ["Hangi bedeni almalıyım?", "Beden tablosu var mı?"],
        "answer_tr": "Keten gömleklerimiz rahat kalıptır: her zamanki bedeninizi, daha dar "
        "olsun isterseniz bir küçüğünü alın. Beden tablosu ürün fotoğraflarının altındadır.",
        "tags": ["products"],
    },
    {
        "id": "care",
        "question_en": "How do I wash linen?",
        "variants_en": ["Can linen go in the dryer?", "Does the shirt shrink?"],
        "answer_en": "Wash at 30 °C, dry on a line and iron while still damp. Linen can "
        "shrink in a dryer.",
        "question_tr": "Keten nasıl yıkanır?",
        "variants_tr": ["Keten kurutma makinesine girer mi?", "Gömlek çeker mi?"],
        "answer_tr": "30 °C'de yıkayın, askıda kurutun ve hafif nemliyken ütüleyin. Keten "
        "kurutma makinesinde çekebilir.",
        "tags": ["products"],
    },
    {
        "id": "payment",
        "question_en": "Which payment methods do you accept?",
        "variants_en": ["Can I pay in installments?", "Do you take credit cards?"],
        "answer_en": "Credit and debit cards, with up to 6 installments on credit cards, "
        "and bank transfer.",
        "question_tr": "Hangi ödeme yöntemlerini kabul ediyorsunuz?",
        "variants_tr": ["Taksit yapıyor musunuz?", "Kredi kartıyla ödeyebilir miyim?"],
        "answer_tr": "Kredi ve banka kartı (kredi kartına 6 taksite kadar) ve havale/EFT.",
        "tags": ["payment"],
    },
    {
        "id": "tracking",
        "question_en": "Where is my order?",
        "variants_en": ["How can I track my order?", "My parcel has not arrived."],
        "answer_en": "The tracking link is in the shipping email. No email, or no movement for "
        "3 days? Write your order number here and the team will look into it.",
        "question_tr": "Siparişim nerede?",
        "variants_tr": ["Kargomu nasıl takip ederim?", "Paketim hâlâ gelmedi."],
        "answer_tr": "Takip bağlantısı kargo e-postasındadır. E-posta gelmediyse ya da 3 gündür "
        "hareket yoksa sipariş numaranızı buraya yazın, ekip ilgilensin.",
        "tags": ["delivery"],
    },
]


def seed(tenant) -> None:
    if BotSettings.objects.exists() or Entry.objects.exists():
        return
    report = services.entries_import(
        tenant_id=tenant.pk, raw=json.dumps(ENTRIES, ensure_ascii=False), kind="json"
    )
    assert report.ok, report.errors
    services.bot_settings_update(tenant_id=tenant.pk, mode=BotSettings.Mode.NOBODY, name="Ada")
