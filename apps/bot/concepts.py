"""A small thesaurus of customer-support words, in English and Turkish, folded as ``text.fold``
folds them: words that mean the same thing to a shop's customer ("send back", "return", "iade")
share a concept, so a question and an entry match across synonyms and across the two languages.

It describes the language of shopping and support, not any one knowledge base. A word matches
a member by its beginning (members of four letters or more: "iade" matches "iadesini"); a
two-word member matches two words in a row.
"""

import functools

_GROUPS = {
    "return": "return send_back sent_back mail_back post_back iade geri_gonder geri_yolla "
    "geri_postala geri_ver",
    "refund": "refund money_back reimburs para_iade geri_odeme parami",
    "exchange": "exchange swap replace degisim degistir takas",
    "order": "order purchase bought buy siparis alisveris satin aldig",
    "cancel": "cancel undo iptal vazgec",
    "track": "track where_is status takip hangi_asama nerede",
    "shipping": "shipping ship deliver delivery courier cargo post parcel package kargo "
    "teslimat gonderi gonderim paket kurye",
    "fee": "cost fee price charge expensive ucret fiyat masraf tutar",
    "free": "free ucretsiz bedava",
    "pay": "pay payment paid odeme odedi odeyebil",
    "installment": "installment instalment spread_the monthly taksit aylik",
    "card": "card kart",
    "invoice": "invoice bill receipt fatura",
    "address": "address adres",
    "account": "account profile sign_up register membership hesap uyelik uye_ol",
    "password": "password passcode login log_in parola sifre giris",
    "email": "email e_mail mail eposta e_posta",
    "delete": "delete remove erase close_my sil kapat",
    "store": "store shop branch showroom magaza sube",
    "hours": "hours opening open_until close_at saat acik kacta",
    "gift": "gift present hediye",
    "discount": "discount coupon promo code voucher sale indirim kupon kod",
    "damage": "damage broken smash crack shatter chipped kirik kirild hasar bozuk catla",
    "missing": "missing lost incomplete eksik kayip",
    "warranty": "warranty guarantee garanti",
    "stock": "stock sold_out available restock stok tukendi",
    "size": "size dimension measure beden olcu boyut",
    "late": "late delay overdue still_not not_arrived hasnt_arrived gecik gelmedi ulasmadi",
    "abroad": "abroad international overseas country countries foreign yurt_disi yurtdisi "
    "ulke europe avrupa germany almanya france fransa netherlands hollanda austria avusturya "
    "spain ispanya italy italya belgium belcika",
    "customs": "customs duty duties import_tax gumruk",
    "wash": "wash laundry washing_machine yika camasir",
    "clean": "clean cleaning temizle",
    "assemble": "assembl install put_together kurulum montaj kurul",
    "business": "bulk wholesale corporate company business kurumsal toplu sirket firma",
    "privacy": "privacy personal_data gdpr kvkk kisisel veri",
    "phone": "phone call telefon",
    "time": "how_long how_many_days when ne_zaman kac_gun ne_kadar_sur sure",
    "loyalty": "loyalty points reward puan sadakat",
    "newsletter": "newsletter unsubscribe bulten abonelik",
    "pickup": "pick_up pickup collect grab click_and teslim_al gel_al",
    "registry": "registry wedding wishlist wish_list dugun nisan evlen",
    "move": "moving move_house new_place new_home tasin",
    "cod": "cash_on cash nakit kapida",
    "modify": "modify update edit adjust guncelle duzenle",
    "add": "add extra ekle ilave",
    "notify": "notify notification alert let_me_know back_in haber bildir",
    "error": "error fail failed reject declin hata basarisiz reddet onaylanma",
    "arrive": "arrive receive received deliver_to geldi gelmedi ulasti eline_gec",
}

# (first word, second word or "") -> concept
_SINGLE: dict[str, str] = {}
_PAIRS: dict[tuple[str, str], str] = {}
for _concept, _members in _GROUPS.items():
    for _member in _members.split():
        _first, _, _second = _member.partition("_")
        if _second:
            _PAIRS[(_first, _second)] = _concept
        else:
            _SINGLE[_first] = _concept

_SHORT = {m for m in _SINGLE if len(m) < 4}
_LONG = sorted((m for m in _SINGLE if len(m) >= 4), key=len, reverse=True)


@functools.lru_cache(maxsize=65536)
def _single(word: str) -> str | None:
    if word in _SHORT:
        return _SINGLE[word]
    for member in _LONG:
        if word.startswith(member):
            return _SINGLE[member]
    return None


def _matches(word: str, member: str) -> bool:
    return word == member if len(member) < 4 else word.startswith(member)


@functools.lru_cache(maxsize=65536)
def _pairs_from(word: str) -> tuple[tuple[str, str], ...]:
    """The (second word, concept) of the two-word members whose first word ``word`` is."""
    return tuple((second, c) for (first, second), c in _PAIRS.items() if _matches(word, first))


def concepts(words: list[str]) -> set[str]:
    """The concepts that ``words`` (folded, in order) speak of, as terms ("@return")."""
    found = set()
    for i, word in enumerate(words):
        concept = _single(word)
        if concept:
            found.add("@" + concept)
        if i + 1 < len(words):
            nxt = words[i + 1]
            for second, concept in _pairs_from(word):
                if _matches(nxt, second):
                    found.add("@" + concept)
    return found
