"""The demo workspace's canned responses (``manage.py seed_demo``): a few replies of the
demo shop's team in English and Turkish, with variables, so that typing "/" in the demo's
composer shows what they are. Made once: an admin's later changes and deletions are kept."""

from apps.canned import services
from apps.canned.models import CannedResponse
from apps.tenants.models import Membership, Role

RESPONSES = [
    (
        "hello",
        ("Greeting", "Karşılama"),
        (
            "Hi {visitor.first_name|there}, I am {operator.first_name}. How can I help?",
            "Merhaba, ben {operator.first_name}. Size nasıl yardımcı olabilirim?",
        ),
    ),
    (
        "order",
        ("Ask for the order number", "Sipariş numarasını sor"),
        (
            "Could you write your order number here? It is in the order confirmation email.",
            "Sipariş numaranızı buraya yazar mısınız? Sipariş onay e-postasında yer alıyor.",
        ),
    ),
    (
        "returns",
        ("How to return", "Nasıl iade edilir"),
        (
            "You can return unworn items within 30 days: start the return at "
            "https://shop.example/returns and the courier picks it up for free.",
            "Giyilmemiş ürünleri 30 gün içinde iade edebilirsiniz: iadeyi "
            "https://shop.example/returns adresinden başlatın, kurye ücretsiz teslim alır.",
        ),
    ),
    (
        "bye",
        ("Goodbye", "Vedalaşma"),
        (
            "Glad I could help. Have a lovely day!",
            "Yardımcı olabildiysem ne mutlu. İyi günler dileriz!",
        ),
    ),
]


def seed(tenant) -> None:
    if CannedResponse.objects.exists():
        return
    owner = Membership.objects.filter(tenant=tenant, role=Role.OWNER).first()
    if owner is None:
        return
    for shortcut, (title_en, title_tr), (body_en, body_tr) in RESPONSES:
        services.canned_create(
            actor=owner,
            personal=False,
            shortcut=shortcut,
            titles={"en": title_en, "tr": title_tr},
            bodies={"en": body_en, "tr": body_tr},
        )
